package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/asknix/ask-nix/engine/policy/compiler"
	"github.com/asknix/ask-nix/engine/rules/rulestest"
	"github.com/asknix/ask-nix/engine/search/ingest"
	"github.com/asknix/ask-nix/nixstore/nixtest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ask-nix": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
		},
		"ask-nix-policy": func() {
			os.Exit(compiler.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
		"ask-nix-index": func() {
			os.Exit(ingest.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
		},
	})
}

// shared is a store built once per test binary, read by every script that does not
// change it.
type shared struct {
	store *nixtest.Store
	vars  map[string]string
}

var (
	sharedOnce sync.Once
	sharedFx   *shared
)

func sharedStore(t testing.TB) *shared {
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ask-nix-cli-")
		if err != nil {
			t.Fatal(err)
		}
		s := nixtest.NewStore(t, dir)
		pkgs := s.Build(t, `let a = pkg "liba-1.0" []; b = pkg "libb-2.1" [a]; h = sized "hello-2.12" [a b] 3000; in [h b a]`)
		user := filepath.Join(dir, "profiles", "user", "profile")
		for _, p := range []string{pkgs[2], pkgs[1], pkgs[0]} {
			s.SetProfile(t, user, p)
		}
		sys := s.Build(t, `let a = pkg "liba-1.0" []; spec = nixos { version = "25.11.20251001.1234567"; kernel = "6.12.3"; deps = [a]; tag = "-spec"; };
		  in [ (nixos { version = "25.05.20250101.abcdef0"; kernel = "6.6.1"; deps = [a]; })
		       (nixos { version = "25.11.20251001.1234567"; kernel = "6.12.3"; deps = [a]; specs = { gaming = spec; }; rev = "deadbeef"; }) ]`)
		system := filepath.Join(s.Config.StateDir, "profiles", "system")
		for _, p := range sys {
			s.SetProfile(t, system, p)
		}
		s.MakeReadable(t)
		sharedFx = &shared{store: s, vars: map[string]string{
			"HELLO": pkgs[0], "LIBB": pkgs[1], "LIBA": pkgs[2], "USERPROF": user, "SYSPROF": system,
			"SYS1": sys[0], "SYS2": sys[1], "STORE": s.Config.StoreDir, "STATE": s.Config.StateDir,
		}}
	})
	if sharedFx == nil {
		t.Fatal("shared fixture failed")
	}
	return sharedFx
}

var (
	rulesOnce sync.Once
	rulesDir  string
)

// ruleModules builds the example rule modules once per test binary: RULES holds
// german.wasm and alias.wasm (Go SDK) and gens.wasm (WAT); HOSTILE the hostile WAT modules
// of engine/rules/testdata/hostile plus greedy.wasm.
func ruleModules(t testing.TB) string {
	rulestest.RequireWAT(t)
	rulesOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ask-nix-rules-")
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"rules", "hostile"} {
			os.MkdirAll(filepath.Join(dir, d), 0o755)
		}
		root, _ := filepath.Abs("../..")
		for _, ex := range []string{"german", "alias"} {
			pkg := "./rules-wasm/examples/" + ex
			rulestest.BuildGo(t, root, pkg, filepath.Join(dir, "rules", ex+".wasm"), rulestest.GoTriggers(t, root, pkg))
		}
		rulestest.BuildWAT(t, filepath.Join(root, "rules-wasm/examples/wat/gens.wat"), filepath.Join(dir, "rules", "gens.wasm"), []string{"gens"})
		rulestest.BuildWATDir(t, filepath.Join(root, "engine/rules/testdata/hostile"), filepath.Join(dir, "hostile"))
		rulestest.BuildWAT(t, filepath.Join(root, "engine/rules/testdata/greedy.wat"), filepath.Join(dir, "hostile", "greedy.wasm"), []string{"zeige"})
		rulesDir = dir
	})
	if rulesDir == "" {
		t.Fatal("rule modules did not build")
	}
	return rulesDir
}

func TestScripts(t *testing.T) {
	nixtest.Require(t)
	fx := sharedStore(t)
	rd := ruleModules(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			w := e.WorkDir
			for k, v := range map[string]string{
				"HOME": w + "/home", "USER": "tester", "XDG_RUNTIME_DIR": w + "/run", "XDG_CACHE_HOME": w + "/cache",
				"XDG_STATE_HOME": w + "/state", "XDG_CONFIG_HOME": w + "/config", "XDG_DATA_HOME": w + "/data",
				"ASK_NIX_ROOT": w + "/root", "NIX_STORE_DIR": fx.store.Config.StoreDir, "NIX_STATE_DIR": fx.store.Config.StateDir,
				"NIX_LOG_DIR": w + "/nixlog", "NIX_CONFIG": "substituters =\nexperimental-features = nix-command\nbuild-users-group =",
				"PATH": os.Getenv("PATH"), "PATH_SAVED": os.Getenv("PATH"),
				"RULES": filepath.Join(rd, "rules"), "HOSTILE": filepath.Join(rd, "hostile"),
				"POLICY_EXAMPLES": mustAbs("../../docs/examples/policies"), "REPO": mustAbs("../.."),
			} {
				e.Setenv(k, v)
			}
			if exe, err := exec.LookPath("ask-nix"); err == nil {
				e.Setenv("ASKNIX_BIN_ONLY", filepath.Dir(exe))
			} else {
				return fmt.Errorf("ask-nix not on the script's PATH: %v", err)
			}
			for k, v := range fx.vars {
				e.Setenv(k, v)
			}
			for _, d := range []string{"home", "run", "root"} {
				if err := os.MkdirAll(filepath.Join(w, d), 0o700); err != nil {
					return err
				}
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"bigpackages": bigPackages,
			"cmpjson":     cmpJSON,
			"freshstore":  freshStore,
			"jsonfield":   jsonField,
			"linkto":      linkTo,
		},
	})
}

// bigpackages FILE N: a channel packages.json of N packages (N=10000 is ~1.4 MB: enough
// for index update to report progress, which it does per MiB read).
func bigPackages(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: bigpackages FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("bigpackages: %v", err)
	}
	var b strings.Builder
	b.WriteString(`{"version":2,"packages":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"pkg%d":{"pname":"pkg%d","version":"1.%d","meta":{"description":"Package number %d of a set made for the progress test"}}`, i, i, i, i)
	}
	b.WriteString("}}")
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}

// cmpjson A B: the two files hold equal JSON values.
func cmpJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmpjson FILE1 FILE2")
	}
	var a, b any
	for i, f := range args {
		v := &a
		if i == 1 {
			v = &b
		}
		if err := json.Unmarshal([]byte(ts.ReadFile(f)), v); err != nil {
			ts.Fatalf("%s: %v", f, err)
		}
	}
	eq := reflect.DeepEqual(a, b)
	if eq == neg {
		ts.Fatalf("cmpjson %s %s: equal=%v\n%s\n%s", args[0], args[1], eq, ts.ReadFile(args[0]), ts.ReadFile(args[1]))
	}
}

// jsonfield FILE PATH WANT: the value at PATH (dot-separated keys and list indices) of the
// JSON in FILE prints as WANT. WANT of the form @FILE2:PATH2 is the value found there.
func jsonField(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: jsonfield FILE PATH WANT")
	}
	got := jsonAt(ts, args[0], args[1])
	want := args[2]
	if f, p, ok := strings.Cut(strings.TrimPrefix(want, "@"), ":"); ok && strings.HasPrefix(want, "@") {
		want = jsonAt(ts, f, p)
	}
	if (got == want) == neg {
		ts.Fatalf("jsonfield %s: got %s, want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

func jsonAt(ts *testscript.TestScript, file, path string) string {
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &v); err != nil {
		ts.Fatalf("%s: %v", file, err)
	}
	args := []string{file, path}
	for _, k := range strings.Split(args[1], ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			fmt.Sscan(k, &i)
			if i >= len(x) {
				ts.Fatalf("%s: index %d out of range", args[1], i)
			}
			v = x[i]
		default:
			ts.Fatalf("%s: cannot index %T with %s", args[1], v, k)
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// freshstore builds a private store in $WORK/fresh with a profile ($PROF) at generation 1
// ($PA), a second package ($PB), a profile with python3 and ripgrep installed by nix-env
// ($INSTPROF) and a NixOS-shaped system profile with two generations ($FRESHSYS), and
// points the script at it.
func freshStore(ts *testscript.TestScript, neg bool, args []string) {
	dir := ts.MkAbs("fresh")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	t := &tsTB{ts: ts}
	s := nixtest.NewStore(t, dir)
	pkgs := s.Build(t, `[ (pkg "alpha-1.0" []) (pkg "beta-2.0" []) ]`)
	prof := filepath.Join(dir, "profiles", "profile")
	s.SetProfile(t, prof, pkgs[0])
	ts.Setenv("NIX_STORE_DIR", s.Config.StoreDir)
	ts.Setenv("NIX_STATE_DIR", s.Config.StateDir)
	sys := s.Build(t, `[ (nixos { version = "25.05.1"; kernel = "6.6.1"; }) (nixos { version = "25.11.1"; kernel = "6.12.3"; }) ]`)
	sysProf := filepath.Join(dir, "profiles", "system")
	for _, p := range sys {
		s.SetProfile(t, sysProf, p)
	}
	ts.Setenv("FRESHSYS", sysProf)
	inst := filepath.Join(dir, "profiles", "installed")
	s.Install(t, inst, `[ (pkg "python3-3.12.4" []) (pkg "ripgrep-14.1.0" []) ]`)
	ts.Setenv("INSTPROF", inst)
	ts.Setenv("PROF", prof)
	ts.Setenv("PA", pkgs[0])
	ts.Setenv("PB", pkgs[1])
}

// linkto FILE LINK: LINK becomes a symbolic link to the path written in FILE (such as
// nix-build's output), as NixOS links /etc entries into the store.
func linkTo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: linkto FILE LINK")
	}
	target := strings.TrimSpace(ts.ReadFile(args[0]))
	link := ts.MkAbs(args[1])
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.Symlink(target, link); err != nil {
		ts.Fatalf("%v", err)
	}
}

// tsTB lets the fixture builders report through a script.
type tsTB struct {
	testing.TB
	ts *testscript.TestScript
}

func (t *tsTB) Helper()                   {}
func (t *tsTB) Fatal(a ...any)            { t.ts.Fatalf("%s", fmt.Sprint(a...)) }
func (t *tsTB) Fatalf(f string, a ...any) { t.ts.Fatalf(f, a...) }
func (t *tsTB) Skipf(f string, a ...any)  { t.ts.Fatalf("skip: "+f, a...) }
func (t *tsTB) TempDir() string           { return t.ts.MkAbs("tmp") }

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}
