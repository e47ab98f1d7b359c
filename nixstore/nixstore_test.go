package nixstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asknix/ask-nix/nixstore"
	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// fixture is built once per test binary: a store with a small package graph, a user
// profile with several generations and a NixOS-shaped system profile.
type fixture struct {
	store   *nixtest.Store
	pkgs    []string // hello, libb, liba, tool
	user    string   // user profile
	system  string   // system profile
	dangles string   // profile with a generation whose store path is gone
	caPath  string   // a content-addressed path (nix-store --add)
	drv     string   // hello's derivation
	unbuilt string   // a derivation whose output was never built
}

var fx *fixture

func TestMain(m *testing.M) {
	if os.Getenv("ASKNIX_TEST_HELPER") != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "nixstore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		f, err := buildFixture(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fixture:", err)
			return 1
		}
		fx = f
		return m.Run()
	}()
	os.Exit(code)
}

// tb adapts TestMain's lack of a testing.T to the fixture builders.
type tb struct {
	testing.TB
	err error
}

func (b *tb) Helper()                   {}
func (b *tb) TempDir() string           { d, _ := os.MkdirTemp("", "nixtest-"); return d }
func (b *tb) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (b *tb) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (b *tb) Skipf(f string, a ...any)  { panic(skip(fmt.Sprintf(f, a...))) }

type skip string

func buildFixture(dir string) (f *fixture, err error) {
	defer func() {
		if r := recover(); r != nil {
			if s, ok := r.(skip); ok {
				fmt.Fprintln(os.Stderr, "nix not installed, store tests skip:", string(s))
				f, err = nil, nil
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	t := &tb{}
	s := nixtest.NewStore(t, dir)
	pkgs := s.Build(t, `let a = pkg "liba-1.0" []; b = pkg "libb-2.1" [a]; h = sized "hello-2.12" [a b] 5000; x = pkg "tool-0.3" [h]; in [h b a x]`)
	f = &fixture{store: s, pkgs: pkgs,
		user:    filepath.Join(dir, "profiles", "user", "profile"),
		system:  filepath.Join(s.Config.StateDir, "profiles", "system"),
		dangles: filepath.Join(dir, "profiles", "dangle", "profile")}
	for _, p := range []string{pkgs[2], pkgs[1], pkgs[0], pkgs[3]} {
		s.SetProfile(t, f.user, p)
	}
	s.SetProfile(t, f.user, pkgs[0]) // generation 5 = generation 3's path
	s.Run(t, "nix-env", "-p", f.user, "--switch-generation", "4")
	sys := s.Build(t, `let a = pkg "liba-1.0" []; spec = nixos { version = "25.05.20250101.abcdef0"; kernel = "6.6.1"; deps = [a]; tag = "-spec"; };
	  in [ (nixos { version = "25.05.20250101.abcdef0"; kernel = "6.6.1"; deps = [a]; })
	       (nixos { version = "25.11.20251001.1234567"; kernel = "6.12.3"; deps = [a]; specs = { gaming = spec; }; rev = "deadbeef"; }) ]`)
	for _, p := range sys {
		s.SetProfile(t, f.system, p)
	}
	s.SetProfile(t, f.dangles, pkgs[2])
	s.SetProfile(t, f.dangles, pkgs[1])
	s.SetProfile(t, f.dangles, pkgs[2])
	s.Run(t, "nix-env", "-p", f.dangles, "--delete-generations", "2")
	// A generation link whose store path is gone (deleted by hand or by a broken GC).
	if err := os.Symlink(s.Config.StoreDir+"/00000000000000000000000000000000-gone-1.0", f.dangles+"-2-link"); err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "ca-input")
	if err := os.WriteFile(file, []byte("content addressed\n"), 0o644); err != nil {
		return nil, err
	}
	f.caPath = strings.TrimSpace(s.Run(t, "nix-store", "--add", file))
	f.drv = strings.TrimSpace(s.Run(t, "nix-store", "--query", "--deriver", pkgs[0]))
	f.unbuilt = strings.TrimSpace(s.Run(t, "nix-instantiate", "-E",
		fmt.Sprintf(`with import %s; pkg "never-built-1.0" []`, filepath.Join(s.Dir, "lib.nix"))))
	s.MakeReadable(t)
	return f, nil
}

func need(t *testing.T) *fixture {
	t.Helper()
	if fx == nil {
		nixtest.Require(t)
		t.Fatal("fixture was not built")
	}
	return fx
}

func openNative(t *testing.T, f *fixture) *nixstore.Native {
	t.Helper()
	n, err := nixstore.OpenNative(context.Background(), f.store.Config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// openCLI is the nix CLI backend on f's store.
func openCLI(t *testing.T, f *fixture) *nixstore.CLI {
	t.Helper()
	c, err := nixstore.NewCLI(f.store.Config, f.store.Env)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPathInfoEqualsNix(t *testing.T) {
	f := need(t)
	n := openNative(t, f)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		paths []string
		sizes bool
	}{
		{"one", []string{f.pkgs[0]}, false},
		{"one with closure size", []string{f.pkgs[0]}, true},
		{"several, unsorted, duplicated", []string{f.pkgs[3], f.pkgs[2], f.pkgs[3], f.pkgs[1]}, true},
		{"content addressed", []string{f.caPath}, false},
		{"link into the store", []string{f.user}, true},
		{"file inside a store path", []string{f.pkgs[0] + "/bin/hello"}, false},
		// Nix 2.8 reads a .drv as its outputs (newer Nix as the .drv itself).
		{"a derivation is its outputs", []string{f.drv}, true},
		{"a derivation and its output are one", []string{f.drv, f.pkgs[0]}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"path-info", "--json"}
			if tc.sizes {
				args = append(args, "-S")
			}
			want := f.store.Run(t, "nix", append(args, tc.paths...)...)
			// As the path-info command reads its arguments: a .drv means its outputs.
			sps, err := nixstore.Installables(ctx, n, tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			got, err := n.PathInfo(ctx, sps, tc.sizes)
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got)
			if strings.TrimSpace(want) != string(gotJSON) {
				t.Errorf("native path-info differs from nix path-info\nnix:    %s\nnative: %s", strings.TrimSpace(want), gotJSON)
			}
		})
	}
}

func TestPathInfoInvalid(t *testing.T) {
	f := need(t)
	n := openNative(t, f)
	_, err := n.PathInfo(context.Background(), []string{f.store.Config.StoreDir + "/00000000000000000000000000000000-nope"}, false)
	if !errors.Is(err, nixstore.ErrInvalidPath) {
		t.Fatalf("got %v, want ErrInvalidPath", err)
	}
	_, err = n.PathInfo(context.Background(), []string{"/etc/hostname"}, false)
	if !errors.Is(err, nixstore.ErrInvalidPath) {
		t.Fatalf("path outside the store: got %v, want ErrInvalidPath", err)
	}
	// A derivation never built: nix lists its output as {"valid": false}; both backends
	// say the output is not valid.
	c := openCLI(t, f)
	for _, b := range []nixstore.Backend{n, c} {
		sps, err := nixstore.Installables(context.Background(), b, []string{f.unbuilt})
		if err != nil || len(sps) != 1 {
			t.Fatalf("%T: outputs of the unbuilt derivation: %v, %v", b, sps, err)
		}
		_, err = b.PathInfo(context.Background(), sps, false)
		if !errors.Is(err, nixstore.ErrInvalidPath) || !strings.Contains(err.Error(), "never-built-1.0' is not valid") {
			t.Errorf("%T: unbuilt derivation: got %v, want its output not valid", b, err)
		}
	}
}

func TestClosureSizesAgree(t *testing.T) {
	f := need(t)
	n := openNative(t, f)
	ctx := context.Background()
	batched, err := n.ClosureSizes(ctx, f.pkgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.pkgs {
		one, ok, err := n.ClosureSize(ctx, p)
		if err != nil || !ok {
			t.Fatalf("closure of %s: %v %v", p, ok, err)
		}
		if batched[p] != one {
			t.Errorf("%s: batched %+v, single query %+v", p, batched[p], one)
		}
		var want []nixstore.PathInfo
		if err := json.Unmarshal([]byte(f.store.Run(t, "nix", "path-info", "--json", "-S", p)), &want); err != nil {
			t.Fatal(err)
		}
		if want[0].ClosureSize != one.NarSize {
			t.Errorf("%s: closure size %d, nix says %d", p, one.NarSize, want[0].ClosureSize)
		}
		refs := strings.Fields(f.store.Run(t, "nix-store", "-qR", p))
		if one.Paths != len(refs) {
			t.Errorf("%s: closure has %d paths, nix-store -qR lists %d", p, one.Paths, len(refs))
		}
	}
}

func TestGenerationsMatchNixEnv(t *testing.T) {
	f := need(t)
	for _, profile := range []string{f.user, f.system, f.dangles} {
		t.Run(filepath.Base(filepath.Dir(profile)), func(t *testing.T) {
			p, err := nixstore.ReadProfile(profile)
			if err != nil {
				t.Fatal(err)
			}
			want, err := nixstore.ParseListGenerations([]byte(f.store.Run(t, "nix-env", "-p", profile, "--list-generations")), time.Local)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Generations) != len(want) {
				t.Fatalf("%d generations, nix-env lists %d", len(p.Generations), len(want))
			}
			for i, w := range want {
				g := p.Generations[len(p.Generations)-1-i]
				if g.Generation != w.Generation || !g.Date.Equal(w.Date) || g.Current != w.Current {
					t.Errorf("generation %d: got (%d %s %v), nix-env (%d %s %v)", i, g.Generation, g.Date, g.Current, w.Generation, w.Date, w.Current)
				}
			}
		})
	}
}

func TestUserProfileGenerations(t *testing.T) {
	f := need(t)
	p, err := nixstore.ReadProfile(f.user)
	if err != nil {
		t.Fatal(err)
	}
	var nums []int
	for _, g := range p.Generations {
		nums = append(nums, g.Generation)
	}
	if !reflect.DeepEqual(nums, []int{5, 4, 3, 2, 1}) {
		t.Fatalf("generations %v, want newest first 5..1", nums)
	}
	cur, ok := p.CurrentGeneration()
	if !ok || cur.Generation != 4 || cur.Path != f.pkgs[3] {
		t.Fatalf("current = %+v, want generation 4 at %s", cur, f.pkgs[3])
	}
	n := openNative(t, f)
	if err := nixstore.AddClosureSizes(context.Background(), n, &p); err != nil {
		t.Fatal(err)
	}
	for _, g := range p.Generations {
		var want []nixstore.PathInfo
		json.Unmarshal([]byte(f.store.Run(t, "nix", "path-info", "--json", "-S", g.Link)), &want)
		if g.ClosureSize == nil || *g.ClosureSize != want[0].ClosureSize {
			t.Errorf("generation %d closure size %v, nix says %d", g.Generation, g.ClosureSize, want[0].ClosureSize)
		}
	}
}

func TestSystemGenerationsHaveNixOSFields(t *testing.T) {
	f := need(t)
	p, err := nixstore.ReadProfile(f.system)
	if err != nil {
		t.Fatal(err)
	}
	nixstore.AddNixOSInfo(&p)
	g := p.Generations[0]
	if g.Generation != 2 || !g.Current || g.NixOSVersion != "25.11.20251001.1234567" || g.KernelVersion != "6.12.3" ||
		g.ConfigurationRevision != "deadbeef" || !reflect.DeepEqual(g.Specialisations, []string{"gaming"}) {
		t.Errorf("newest system generation = %+v", g)
	}
	old := p.Generations[1]
	if old.NixOSVersion != "25.05.20250101.abcdef0" || old.KernelVersion != "6.6.1" || old.ConfigurationRevision != "" || old.Specialisations != nil {
		t.Errorf("older system generation = %+v", old)
	}
}

func TestDanglingGeneration(t *testing.T) {
	f := need(t)
	p, err := nixstore.ReadProfile(f.dangles)
	if err != nil {
		t.Fatal(err)
	}
	n := openNative(t, f)
	if err := nixstore.AddClosureSizes(context.Background(), n, &p); err != nil {
		t.Fatal(err)
	}
	for _, g := range p.Generations {
		if g.Generation == 2 && g.ClosureSize != nil {
			t.Errorf("dangling generation 2 has closure size %d", *g.ClosureSize)
		}
		if g.Generation != 2 && g.ClosureSize == nil {
			t.Errorf("generation %d has no closure size", g.Generation)
		}
	}
}

func TestNotAProfile(t *testing.T) {
	f := need(t)
	for _, p := range []string{
		filepath.Join(f.store.Dir, "lib.nix"),         // a regular file
		filepath.Join(f.store.Dir, "no-such-profile"), // missing
		f.store.Config.StoreDir,                       // a directory with no generations
	} {
		if _, err := nixstore.ReadProfile(p); !errors.Is(err, nixstore.ErrNotProfile) {
			t.Errorf("%s: got %v, want ErrNotProfile", p, err)
		}
	}
}

// TestPathInfoOfADerivationFile: a .drv given to PathInfo is the derivation file, as
// `nix path-info --derivation` reads it (verify and the garbage collector's sums need
// that), in both backends.
func TestPathInfoOfADerivationFile(t *testing.T) {
	f := need(t)
	n := openNative(t, f)
	c := openCLI(t, f)
	want := strings.TrimSpace(f.store.Run(t, "nix", "path-info", "--json", "--derivation", f.drv, f.unbuilt))
	for _, b := range []nixstore.Backend{n, c} {
		got, err := b.PathInfo(context.Background(), []string{f.unbuilt, f.drv}, false)
		if err != nil {
			t.Fatalf("%T: %v", b, err)
		}
		if j, _ := json.Marshal(got); string(j) != want {
			t.Errorf("%T:\ngot  %s\nwant %s", b, j, want)
		}
	}
}

func TestCLIBackendAgreesWithNative(t *testing.T) {
	f := need(t)
	n := openNative(t, f)
	c := openCLI(t, f)
	ctx := context.Background()
	ni, err := n.PathInfo(ctx, append(f.pkgs, f.drv), true)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := c.PathInfo(ctx, append(f.pkgs, f.drv), true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ni, ci) {
		t.Errorf("path-info differs:\nnative %+v\ncli    %+v", ni, ci)
	}
	for _, profile := range []string{f.user, f.system} {
		np, err := n.Generations(ctx, profile)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := c.Generations(ctx, profile)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range []struct {
			b nixstore.Backend
			p *nixstore.Profile
		}{{n, &np}, {c, &cp}} {
			if err := nixstore.AddClosureSizes(ctx, pair.b, pair.p); err != nil {
				t.Fatal(err)
			}
			nixstore.AddNixOSInfo(pair.p)
		}
		nj, _ := json.Marshal(np)
		cj, _ := json.Marshal(cp)
		if string(nj) != string(cj) {
			t.Errorf("generations of %s differ:\nnative %s\ncli    %s", profile, nj, cj)
		}
	}
	ns, err := n.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ns != cs || ns.Paths == 0 {
		t.Errorf("stats: native %+v, cli %+v", ns, cs)
	}
}

// copyDatabase is a state directory of its own holding a copy of f's store database.
func copyDatabase(t *testing.T, f *fixture) nixstore.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := nixstore.Config{StoreDir: f.store.Config.StoreDir, StateDir: dir}
	data, err := os.ReadFile(f.store.Config.DBPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.DBPath(), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestUnknownSchemaRefused(t *testing.T) {
	cfg := copyDatabase(t, need(t))
	os.WriteFile(cfg.SchemaPath(), []byte("11"), 0o644)
	if _, err := nixstore.OpenNative(context.Background(), cfg); !errors.Is(err, nixstore.ErrUnknownSchema) {
		t.Fatalf("schema 11: got %v, want ErrUnknownSchema", err)
	}
	os.WriteFile(cfg.SchemaPath(), []byte("10"), 0o644)
	os.WriteFile(cfg.DBPath(), []byte("this is not a database, just text long enough to look like one........................................................"), 0o644)
	if _, err := nixstore.OpenNative(context.Background(), cfg); err == nil {
		t.Fatal("a corrupt database opened without error")
	}
	if _, err := nixstore.OpenNative(context.Background(), nixstore.Config{StoreDir: "/nonexistent/store", StateDir: "/nonexistent/var"}); !errors.Is(err, nixstore.ErrNoDatabase) {
		t.Fatalf("missing database: got %v", err)
	}
}

// TestNonRootReadsWALDatabase runs the native reader as nobody against the fixture's
// root-owned WAL database with no -wal/-shm files, the case where nix itself fails.
func TestNonRootReadsWALDatabase(t *testing.T) {
	f := need(t)
	nixtest.RequireNobody(t)
	// A root-owned copy of the state directory, checkpointed as Nix leaves it: no -wal/-shm.
	state := filepath.Join(f.store.Dir, "nobody-state")
	f.store.Run(t, "cp", "-a", f.store.Config.StateDir, state)
	defer os.RemoveAll(state)
	db := filepath.Join(state, "db", "db.sqlite")
	nixtest.Checkpoint(t, db)
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Fatalf("%s%s exists; the test needs it absent", db, suffix)
		}
	}
	header := make([]byte, 20)
	fh, _ := os.Open(db)
	fh.Read(header)
	fh.Close()
	if header[18] != 2 {
		t.Fatalf("database is not in WAL mode (header byte 18 = %d)", header[18])
	}
	bin := filepath.Join(f.store.Dir, "nixstore.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(bin)
	cmd := nixtest.AsNobody(bin, "-test.run=^TestNobodyHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "ASKNIX_TEST_HELPER=1",
		"NIX_STORE_DIR="+f.store.Config.StoreDir, "NIX_STATE_DIR="+state,
		"ASKNIX_WANT_PATH="+f.pkgs[0], "HOME=/nonexistent")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "NOBODY-OK") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	want := f.store.Run(t, "nix", "path-info", "--json", "-S", f.pkgs[0])
	if !strings.Contains(string(out), strings.TrimSpace(want)) {
		t.Errorf("nobody's answer differs from nix path-info:\n%s\nwant %s", out, want)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("reading as nobody created %s%s", db, suffix)
		}
	}
}

func TestNobodyHelper(t *testing.T) {
	if os.Getenv("ASKNIX_TEST_HELPER") == "" {
		t.Skip("helper for TestNonRootReadsWALDatabase")
	}
	if os.Getuid() != 65534 {
		t.Fatalf("uid %d", os.Getuid())
	}
	cfg := nixstore.ConfigFromEnv(os.Getenv)
	n, err := nixstore.OpenNative(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	pi, err := n.PathInfo(context.Background(), []string{os.Getenv("ASKNIX_WANT_PATH")}, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pi)
	fmt.Printf("mode=%s %s\nNOBODY-OK\n", n.Mode(), b)
}

// TestDeadPathsMatchNixGC compares the native garbage prediction with
// `nix-store --gc --print-dead` on the fixture store.
func TestDeadPathsMatchNixGC(t *testing.T) {
	f := need(t)
	// Something dead: a path built and then left without a root.
	dead := f.store.Build1(t, `pkg "orphan-1.0" []`)
	n := openNative(t, f)
	got, err := n.DeadPaths(context.Background(), nixstore.GCRoots(f.store.Config))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(f.store.Run(t, "nix-store", "--gc", "--print-dead"))
	slicesSort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("dead paths differ\nnative: %v\nnix:    %v", got, want)
	}
	found := false
	for _, p := range got {
		found = found || p == dead
	}
	if !found {
		t.Errorf("the orphan %s is not predicted dead", dead)
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func FuzzParseListGenerations(f *testing.F) {
	f.Add("   1   2026-11-27 06:12:31   \n   2   2026-11-27 06:12:31   (current)\n")
	f.Add("x")
	f.Fuzz(func(t *testing.T, s string) {
		gens, err := nixstore.ParseListGenerations([]byte(s), time.UTC)
		if err == nil {
			for _, g := range gens {
				if g.Generation < 0 {
					t.Fatalf("negative generation from %q", s)
				}
			}
		}
	})
}

func FuzzParsePathInfoJSON(f *testing.F) {
	f.Add(`[{"path":"/nix/store/a-b","narHash":"sha256-x","narSize":1,"references":[]}]`)
	f.Add(`{"/nix/store/a-b":{"narHash":"sha256-x","narSize":1}}`)
	f.Add(`{"/nix/store/a-b":null}`)
	f.Add(`[{"path":"/nix/store/a-b","valid":false}]`)
	f.Fuzz(func(t *testing.T, s string) {
		infos, err := nixstore.ParsePathInfoJSON([]byte(s))
		if err == nil {
			for _, pi := range infos {
				if pi.Path == "" || pi.References == nil {
					t.Fatalf("accepted an entry without path or references: %q", s)
				}
			}
		}
	})
}

func TestParseName(t *testing.T) {
	for in, want := range map[string][2]string{
		"/nix/store/00000000000000000000000000000000-python3-3.12.4": {"python3", "3.12.4"},
		"/nix/store/00000000000000000000000000000000-hello-2.12":     {"hello", "2.12"},
		"/nix/store/00000000000000000000000000000000-system-path":    {"system-path", ""},
		"0l4j55zs0sfr1gqg8y024gn7ahfimarc-nix-index-0.1.8":           {"nix-index", "0.1.8"},
		"firefox-unwrapped-143.0b1":                                  {"firefox-unwrapped", "143.0b1"},
	} {
		if n, v := nixstore.ParseName(in); n != want[0] || v != want[1] {
			t.Errorf("%s: got %s %s, want %v", in, n, v, want)
		}
	}
}

// TestInstalledMatchesNixEnv installs packages with nix-env into a fresh profile and
// compares ask-nix's list with nix-env -q; a NixOS-shaped system lists its sw.
func TestInstalledMatchesNixEnv(t *testing.T) {
	f := need(t)
	ctx := context.Background()
	profile := filepath.Join(t.TempDir(), "profile")
	f.store.Install(t, profile, `[ (pkg "ripgrep-14.1.0" []) (pkg "python3-3.12.4" []) (pkg "hello-2.12" []) ]`)
	n := openNative(t, f)
	c := openCLI(t, f)
	want := strings.Fields(f.store.Run(t, "nix-env", "-p", profile, "-q"))
	for _, b := range []nixstore.Backend{n, c} {
		got, err := nixstore.Installed(ctx, b, profile, "")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range got.Packages {
			names = append(names, p.Name+"-"+p.Version)
		}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("%s: installed %v, nix-env -q %v", b.Name(), names, want)
		}
		py, err := nixstore.Installed(ctx, b, profile, "python")
		if err != nil || len(py.Packages) != 1 || py.Packages[0].Name != "python3" || py.Packages[0].Version != "3.12.4" {
			t.Errorf("%s: python: %+v %v", b.Name(), py, err)
		}
	}
	sys := f.store.Build1(t, `nixos { version = "25.11.1"; kernel = "6.12.3"; sw = pkg "system-path" [ (pkg "vim-9.1" []) (pkg "git-2.47.0" []) ]; tag = "-sw"; }`)
	sysProfile := filepath.Join(t.TempDir(), "system")
	f.store.SetProfile(t, sysProfile, sys)
	got, err := nixstore.Installed(ctx, n, sysProfile, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Packages) != 2 || got.Packages[0].Name != "git" || got.Packages[1].Version != "9.1" {
		t.Errorf("system packages %+v", got.Packages)
	}
	if _, err := nixstore.Installed(ctx, n, filepath.Join(t.TempDir(), "none"), ""); !errors.Is(err, nixstore.ErrNotProfile) {
		t.Errorf("missing profile: %v", err)
	}
}

// TestDiffMatchesNix compares the package diff of two closures with
// `nix store diff-closures`, for both backends.
func TestDiffMatchesNix(t *testing.T) {
	f := need(t)
	ps := f.store.Build(t, `let a1 = sized "liba-1.0" [] 3000; a2 = sized "liba-1.1" [] 4000; b = pkg "libb-2.0" []; c = pkg "tool-3.0" []; d = pkg "nover" [];
	  in [ (pkg "env-1" [a1 b d]) (pkg "env-2" [a2 c d]) ]`)
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(f.store.Run(t, "nix", "store", "diff-closures", ps[0], ps[1])), "\n") {
		name, rest, _ := strings.Cut(l, ": ")
		rest, _, _ = strings.Cut(rest, ", +")
		want[name] = rest
	}
	n := openNative(t, f)
	c := openCLI(t, f)
	for _, b := range []nixstore.Backend{n, c} {
		d, err := nixstore.DiffClosures(context.Background(), b, ps[0], ps[1])
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, a := range d.Added {
			got[a.Name] = "∅ → " + a.Version
		}
		for _, r := range d.Removed {
			got[r.Name] = r.Version + " → ∅"
		}
		for _, ch := range d.Changed {
			got[ch.Name] = ch.From + " → " + ch.To
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: diff %v, nix store diff-closures %v", b.Name(), got, want)
		}
		if d.ClosureSizeDelta <= 0 {
			t.Errorf("%s: closure size delta %d, want the growth of liba", b.Name(), d.ClosureSizeDelta)
		}
	}
}

// TestDatabaseIsMapped: reads go through SQLite's memory map, not its page cache (the
// start-up cost is page faults; RATIONALE "Start-up is page faults").
func TestDatabaseIsMapped(t *testing.T) {
	n, err := nixstore.OpenNative(t.Context(), fx.store.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if got := n.MmapSize(t.Context()); got <= 0 {
		t.Fatalf("mmap_size = %d, want the database mapped", got)
	}
}

// TestMissingColumnRefused: a database whose tables lack a column ask-nix reads is an
// unknown schema, whatever its schema file says.
func TestMissingColumnRefused(t *testing.T) {
	cfg := copyDatabase(t, need(t))
	db, err := sql.Open("sqlite", cfg.DBPath())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA journal_mode=DELETE; ALTER TABLE ValidPaths DROP COLUMN ca`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = nixstore.OpenNative(context.Background(), cfg)
	if !errors.Is(err, nixstore.ErrUnknownSchema) || !strings.Contains(err.Error(), "ca") {
		t.Fatalf("got %v, want ErrUnknownSchema naming the column", err)
	}
}

// TestBadDatabaseIsNotOpened: an empty database file or a FIFO in its place is an error at
// once, natively and without falling back to the nix CLI (which would hang on the FIFO,
// and as root write its tables into the empty file).
func TestBadDatabaseIsNotOpened(t *testing.T) {
	for _, kind := range []string{"empty", "fifo"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cfg := nixstore.Config{StoreDir: filepath.Join(dir, "store"), StateDir: filepath.Join(dir, "var")}
			os.MkdirAll(filepath.Dir(cfg.DBPath()), 0o755)
			if kind == "empty" {
				os.WriteFile(cfg.DBPath(), nil, 0o644)
			} else if err := syscall.Mkfifo(cfg.DBPath(), 0o644); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := nixstore.Open(context.Background(), cfg, nixstore.OpenOptions{Enhanced: true, Env: os.Environ()})
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, nixstore.ErrBadDatabase) {
					t.Errorf("open: %v, want ErrBadDatabase", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("opening hung")
			}
			if st, err := os.Stat(cfg.DBPath()); err == nil && kind == "empty" && st.Size() != 0 {
				t.Errorf("the empty database was written: %d bytes", st.Size())
			}
		})
	}
}
