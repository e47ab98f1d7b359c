package agent_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/agent"
	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/policy/compiler"
	"github.com/asknix/ask-nix/internal/corpus"
	"github.com/asknix/ask-nix/nixstore"
	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// fixture is a real store with a profile of three generations and a warm server on it.
type fixture struct {
	store   *nixtest.Store
	profile string
	pkgs    []string
	server  *agent.Server
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	nixtest.Require(t)
	dir := t.TempDir()
	s := nixtest.NewStore(t, dir)
	pkgs := s.Build(t, `[ (pkg "one-1" []) (pkg "two-1" []) (pkg "three-1" []) ]`)
	prof := filepath.Join(dir, "profiles", "gens")
	for _, p := range pkgs {
		s.SetProfile(t, prof, p)
	}
	eng, err := engine.New(context.Background(), engine.Options{
		Host:     nixstore.Host{Store: s.Config, Root: filepath.Join(dir, "root"), Home: filepath.Join(dir, "home"), User: "tester", UID: os.Getuid()},
		User:     engine.User{UID: os.Getuid(), Name: "tester", Root: true},
		Enhanced: true, CacheTTL: cache.DefaultTTL, CacheDirs: []string{filepath.Join(dir, "cache")},
		NixEnv: s.Env, StateDir: filepath.Join(dir, "state"),
		Policy: policy.Options{Compiler: compiler.Local{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &fixture{store: s, profile: prof, pkgs: pkgs, server: agent.New(eng, "test")}
}

// connect opens an in-memory client session; elicit, when not nil, answers elicitation.
func (f *fixture) connect(t testing.TB, elicit func(*mcp.ElicitRequest) (*mcp.ElicitResult, error)) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := f.server.MCP().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := &mcp.ClientOptions{}
	if elicit != nil {
		opts.ElicitationHandler = func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) { return elicit(r) }
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1.0"}, opts).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Close() })
	return cs
}

func call(t testing.TB, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	r, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func text(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func structured(t testing.TB, r *mcp.CallToolResult) []byte {
	t.Helper()
	b, err := json.Marshal(r.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func current(t testing.TB, profile string) string {
	t.Helper()
	l, err := os.Readlink(profile)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestToolsList: the tools are the action definitions, and the whole tools/list answer,
// schemas included, is at most 8 KB of compact JSON.
func TestToolsList(t *testing.T) {
	f := newFixture(t)
	cs := f.connect(t, nil)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	if len(b) > 8<<10 {
		t.Errorf("tools/list is %d bytes, more than 8 KB", len(b))
	}
	names := map[string]bool{}
	for _, tool := range res.Tools {
		names[tool.Name] = true
	}
	for _, want := range []string{"search", "installed", "generations", "diff", "info", "disk", "config", "path-info", "explain", "errors",
		"install", "remove", "rollback", "cleanup", "update", "ask"} {
		if !names[want] {
			t.Errorf("no tool %q", want)
		}
	}
	t.Logf("tools/list: %d tools, %d bytes", len(res.Tools), len(b))
}

// TestReadsEqualJSON: a read's structured output is what --json prints.
func TestReadsEqualJSON(t *testing.T) {
	f := newFixture(t)
	cs := f.connect(t, nil)
	r := call(t, cs, "generations", map[string]any{"profile": f.profile})
	if r.IsError {
		t.Fatalf("generations: %s", text(r))
	}
	var g struct {
		Profile     string `json:"profile"`
		Generations []struct {
			Generation  int     `json:"generation"`
			Current     bool    `json:"current"`
			ClosureSize *uint64 `json:"closureSize"`
		} `json:"generations"`
	}
	if err := json.Unmarshal(structured(t, r), &g); err != nil || len(g.Generations) != 3 || !g.Generations[0].Current || g.Generations[0].ClosureSize == nil {
		t.Fatalf("generations %s: %v", text(r), err)
	}
	s := call(t, cs, "search", map[string]any{"query": "firefox", "limit": 3})
	if s.IsError || !strings.Contains(string(structured(t, s)), `"attr":"firefox"`) || !strings.Contains(text(s), "firefox ") {
		t.Errorf("search: %s", text(s))
	}
}

// TestConfirmationComesFromAPerson: elicitation yes runs the plan, no runs nothing, and a
// client without elicitation gets "confirmation needed" with the plan, nothing run. No
// argument confirms.
func TestConfirmationComesFromAPerson(t *testing.T) {
	f := newFixture(t)
	before := current(t, f.profile)
	var asked string
	no := f.connect(t, func(r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		asked = r.Params.Message
		return &mcp.ElicitResult{Action: "decline"}, nil
	})
	r := call(t, no, "rollback", map[string]any{"profile": f.profile})
	if !r.IsError || !strings.Contains(text(r), "cancelled") || current(t, f.profile) != before {
		t.Fatalf("declined: %s; profile %s", text(r), current(t, f.profile))
	}
	if !strings.Contains(asked, "--switch-generation 2") || !strings.Contains(asked, "an AI assistant asks for this change") {
		t.Errorf("the person was shown %q", asked)
	}
	without := f.connect(t, nil)
	for _, args := range []map[string]any{{"profile": f.profile}, {"profile": f.profile, "yes": true}} {
		r = call(t, without, "rollback", args)
		if !r.IsError || current(t, f.profile) != before {
			t.Fatalf("without elicitation %v: %s", args, text(r))
		}
	}
	if !strings.Contains(text(call(t, without, "rollback", map[string]any{"profile": f.profile})), "confirmation needed") {
		t.Error("no 'confirmation needed'")
	}
	yes := f.connect(t, func(*mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
	})
	r = call(t, yes, "rollback", map[string]any{"profile": f.profile})
	if r.IsError || current(t, f.profile) == before || !strings.Contains(string(structured(t, r)), `"executed":true`) {
		t.Fatalf("confirmed: %s; profile %s", text(r), current(t, f.profile))
	}
	audit, _ := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(f.profile)), "state", "audit.jsonl"))
	if !strings.Contains(string(audit), `"source":"mcp","client":"test-client/1.0"`) {
		t.Errorf("audit log without source and client:\n%s", audit)
	}
}

// TestWarmServerIsNeverStale: nix-env changes the profile between two calls; the second
// call sees it.
func TestWarmServerIsNeverStale(t *testing.T) {
	f := newFixture(t)
	cs := f.connect(t, nil)
	first := string(structured(t, call(t, cs, "generations", map[string]any{"profile": f.profile})))
	f.store.SetProfile(t, f.profile, f.pkgs[0])
	second := string(structured(t, call(t, cs, "generations", map[string]any{"profile": f.profile})))
	if first == second || !strings.Contains(second, `"generation":4`) {
		t.Fatalf("the second call did not see generation 4:\n%s", second)
	}
}

// TestHostileClient: out-of-schema arguments, huge strings, unknown tools and 1,000 calls
// in a row each get a clean error or result, and leave no goroutines or descriptors behind.
func TestHostileClient(t *testing.T) {
	f := newFixture(t)
	cs := f.connect(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		args any
	}{
		{"search", map[string]any{"query": 5}},
		{"search", map[string]any{"query": "x", "bogus": true}},
		{"search", []any{"not", "an", "object"}},
		{"rollback", map[string]any{"generation": "-3", "profile": f.profile}},
		{"rollback", map[string]any{"generation": 1e300, "profile": f.profile}},
		{"path-info", map[string]any{"paths": []any{1, 2}}},
		{"ask", map[string]any{"text": strings.Repeat("install firefox ", 10000)}},
		{"ask", map[string]any{}},
		{"cleanup", map[string]any{"older_than": "99999999999999999999d", "profile": f.profile}},
	} {
		r, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tc.name, Arguments: tc.args})
		if err == nil && !r.IsError {
			t.Errorf("%s %v: no error: %s", tc.name, tc.args, text(r))
		}
	}
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "rm", Arguments: map[string]any{}}); err == nil {
		t.Error("an unknown tool was called")
	}
	runtime.GC()
	g0, fd0 := runtime.NumGoroutine(), fds(t)
	for i := range 1000 {
		r := call(t, cs, []string{"info", "search", "generations", "explain"}[i%4], map[string]any{
			"info": map[string]any{}, "search": map[string]any{"query": "editor"}, "generations": map[string]any{"profile": f.profile, "no_sizes": true},
			"explain": map[string]any{"text": "install firefox && rm -rf /"}}[[]string{"info", "search", "generations", "explain"}[i%4]].(map[string]any))
		if r.IsError && i%4 != 3 {
			t.Fatalf("call %d: %s", i, text(r))
		}
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	if g1, fd1 := runtime.NumGoroutine(), fds(t); g1 > g0+5 || fd1 > fd0+5 {
		t.Errorf("after 1,000 calls: goroutines %d → %d, descriptors %d → %d", g0, g1, fd0, fd1)
	}
}

func fds(t testing.TB) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(es)
}

// TestAdversarialCorpusThroughTools: every line of the adversarial corpus, as ask's text
// and as each tool's string arguments, is denied; nothing runs.
func TestAdversarialCorpusThroughTools(t *testing.T) {
	f := newFixture(t)
	cs := f.connect(t, func(r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		t.Errorf("a denied request asked for confirmation: %s", r.Params.Message)
		return &mcp.ElicitResult{Action: "decline"}, nil
	})
	before := current(t, f.profile)
	canary := filepath.Join(t.TempDir(), "canary")
	n := 0
	for _, line := range corpus.Texts(t, "adversarial.txt", canary) {
		n++
		if r := call(t, cs, "ask", map[string]any{"text": line}); !r.IsError || !strings.Contains(text(r), "denied") {
			t.Errorf("ask %q: %s", line, text(r))
		}
		arg := line // the whole line as each tool's string argument
		if plainName.MatchString(line) {
			continue // "reboot", "whoami": attacks as a sentence, names as an argument
		}
		for _, tc := range []struct {
			tool string
			args map[string]any
		}{
			{"install", map[string]any{"package": arg}},
			{"remove", map[string]any{"package": arg}},
			{"search", map[string]any{"query": line}},
			{"generations", map[string]any{"profile": arg}},
			{"path-info", map[string]any{"paths": []string{arg}}},
			{"cleanup", map[string]any{"older_than": arg}},
		} {
			r := call(t, cs, tc.tool, tc.args)
			if tc.tool == "search" && !r.IsError {
				continue // a query is data: searching for it is harmless (SPEC §6)
			}
			if !r.IsError {
				t.Errorf("%s %v: not refused: %s", tc.tool, tc.args, text(r))
			}
		}
	}
	if n < 150 {
		t.Fatalf("%d corpus lines", n)
	}
	if _, err := os.Stat(canary); err == nil {
		t.Error("the canary was created")
	}
	if current(t, f.profile) != before {
		t.Error("the profile changed")
	}
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)

// BenchmarkWarm times calls through the SDK's client against a warm server: on the
// 110-generation bench store when BENCH_PROFILE names a profile of the store that
// NIX_STORE_DIR and NIX_STATE_DIR name (bench/run.sh sets them), else on the fixture.
func BenchmarkWarm(b *testing.B) {
	var f *fixture
	prof := os.Getenv("BENCH_PROFILE")
	if prof != "" {
		f = warmOn(b, nixstore.ConfigFromEnv(os.Getenv))
	} else {
		f = newFixture(b)
		prof = f.profile
	}
	cs := f.connect(b, nil)
	closure, _ := filepath.EvalSymlinks(prof)
	for _, bc := range []struct {
		name string
		tool string
		args map[string]any
	}{
		{"generations", "generations", map[string]any{"profile": prof}},
		{"closure-size", "path-info", map[string]any{"paths": []string{closure}, "closure_size": true}},
		{"search-firefox", "search", map[string]any{"query": "firefox"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if r := call(b, cs, bc.tool, bc.args); r.IsError {
					b.Fatal(text(r))
				}
			}
		})
	}
}

// warmOn is a server on an existing store.
func warmOn(b *testing.B, cfg nixstore.Config) *fixture {
	dir := b.TempDir()
	eng, err := engine.New(context.Background(), engine.Options{
		Host:     nixstore.Host{Store: cfg, Root: filepath.Join(dir, "root"), Home: dir, User: "tester", UID: os.Getuid()},
		User:     engine.User{UID: os.Getuid(), Name: "tester", Root: true},
		Enhanced: true, CacheTTL: cache.DefaultTTL, CacheDirs: []string{filepath.Join(dir, "cache")},
		Policy: policy.Options{Compiler: compiler.Local{}},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	return &fixture{server: agent.New(eng, "bench")}
}

const slowPkgs = `{ ... }:
let mk = name: secs: derivation {
  inherit name; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
  args = [ "-c" "mkdir -p $out/bin; sleep ${secs}; echo ${name} > $out/bin/x" ];
}; in { quick = mk "quick-1.0" "0.3"; slow = mk "slow-1.0" "30"; }
`

// TestProgressAndCancellation: a change reports MCP progress notifications while Nix
// builds, and a client's cancellation stops the Nix process as Ctrl-C does: the profile is
// as it was.
func TestProgressAndCancellation(t *testing.T) {
	nixtest.Require(t)
	dir := t.TempDir()
	s := nixtest.NewStore(t, dir)
	home := filepath.Join(dir, "home")
	os.MkdirAll(filepath.Join(home, ".nix-defexpr", "nixpkgs"), 0o755)
	os.WriteFile(filepath.Join(home, ".nix-defexpr", "nixpkgs", "default.nix"), []byte(slowPkgs), 0o644)
	prof := filepath.Join(dir, "profiles", "user")
	s.Install(t, prof, `[ (pkg "base-1.0" []) ]`)
	eng, err := engine.New(context.Background(), engine.Options{
		Host:     nixstore.Host{Store: s.Config, Root: filepath.Join(dir, "root"), Home: home, User: "tester", UID: os.Getuid()},
		User:     engine.User{UID: os.Getuid(), Name: "tester", Root: true},
		Enhanced: true, CacheTTL: cache.DefaultTTL, NixEnv: append(s.Env, "HOME="+home), StateDir: filepath.Join(dir, "state"),
		Policy: policy.Options{Compiler: compiler.Local{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	f := &fixture{server: agent.New(eng, "test")}
	st, ct := mcp.NewInMemoryTransports()
	ss, err := f.server.MCP().Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	progress := make(chan string, 100)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1.0"}, &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
		},
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			progress <- r.Params.Message
		},
	}).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	params := &mcp.CallToolParams{Name: "install", Arguments: map[string]any{"package": "quick", "profile": prof}}
	params.SetProgressToken("install-quick")
	r, err := cs.CallTool(context.Background(), params)
	if err != nil || r.IsError {
		t.Fatalf("install: %v %s", err, text(r))
	}
	select {
	case msg := <-progress:
		if !strings.Contains(msg, "nix-env") {
			t.Errorf("progress %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Error("no progress notification")
	}

	before := current(t, prof)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "install", Arguments: map[string]any{"package": "slow", "profile": prof}})
	if err == nil {
		t.Fatal("a cancelled call returned a result")
	}
	// The server stops nix-env (SIGKILL of its process, as on Ctrl-C); the profile is as it was.
	time.Sleep(2 * time.Second)
	if time.Since(start) > 20*time.Second {
		t.Error("the cancelled install ran on")
	}
	if got := current(t, prof); got != before {
		t.Errorf("the profile changed after the cancelled install: %s → %s", before, got)
	}
	audit, _ := os.ReadFile(filepath.Join(dir, "state", "audit.jsonl"))
	if !strings.Contains(string(audit), `"phase":"started"`) || !strings.Contains(string(audit), "slow") {
		t.Errorf("the audit log does not record the cancelled command:\n%s", audit)
	}
}
