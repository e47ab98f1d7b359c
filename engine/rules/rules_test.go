package rules_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/rules/rulestest"
)

// fixtures are built once per test binary.
var fx struct {
	dir       string // every module, one file each
	compile   string // shared compilation cache
	hostile   []string
	goBuilt   bool
	goModules string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "asknix-rules-")
	if err != nil {
		panic(err)
	}
	fx.dir, fx.compile = filepath.Join(dir, "modules"), filepath.Join(dir, "wasm-cache")
	for _, d := range []string{fx.dir, fx.compile, filepath.Join(fx.dir, "hostile")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			panic(err)
		}
	}
	if !rulestest.HaveWAT() && os.Getenv("CI") == "" {
		fmt.Println("skipping engine/rules: wat2wasm not installed (apt-get install wabt)")
		os.Exit(0)
	}
	t := rulestest.T{}
	fx.hostile = rulestest.BuildWATDir(t, "testdata/hostile", filepath.Join(fx.dir, "hostile"))
	rulestest.BuildWAT(t, "../../rules-wasm/examples/wat/gens.wat", filepath.Join(fx.dir, "gens.wasm"), []string{"gens"})
	rulestest.BuildWAT(t, "testdata/greedy.wat", filepath.Join(fx.dir, "greedy.wasm"), []string{"zeige"})
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goModules builds the two example Go rules once (they take seconds to build).
var goOnce sync.Once

func goModules(t testing.TB) string {
	t.Helper()
	goOnce.Do(func() {
		d := filepath.Join(fx.dir, "go")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		root, _ := filepath.Abs("../..")
		for _, ex := range []struct {
			name     string
			triggers []string
		}{
			{"german", []string{"zeige", "suche", "installiere", "generationen", "entferne", "hilfe"}},
			{"alias", []string{"deploy", "tidy", "what", "how", "undo"}},
		} {
			rulestest.BuildGo(t, root, "./rules-wasm/examples/"+ex.name, filepath.Join(d, ex.name+".wasm"), ex.triggers)
		}
		fx.goModules = d
		fx.goBuilt = true
	})
	if !fx.goBuilt {
		t.Fatal("Go rule modules did not build")
	}
	return fx.goModules
}

// dirWith makes a rule directory holding links to the named modules of fx.dir.
func dirWith(t testing.TB, files ...string) string {
	t.Helper()
	d := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(fx.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func byModule(out []rules.Outcome) map[string]rules.Outcome {
	m := map[string]rules.Outcome{}
	for _, o := range out {
		m[o.Module] = o
	}
	return m
}

// TestHostileModules: each hostile module is skipped with one warning naming it, and the
// good module beside it still answers, within the time limit plus 50 ms.
func TestHostileModules(t *testing.T) {
	want := map[string]string{
		"loop":          "took more than 100ms",
		"grow":          "memory cap of 64 MiB reached",
		"trap":          "unreachable",
		"big":           "result of 104857600 bytes is over the 65536-byte limit",
		"badutf8":       "not valid UTF-8",
		"badjson":       "not the ABI's JSON object",
		"unknownaction": `unknown action "format-disk"`,
		"outside":       "outside its memory",
		"allocoutside":  "asknix_alloc returned 0x7ffffff0, outside its memory",
		"import":        "imports env.system, which the host does not give",
		"startloop":     "start-up took more than 100ms",
		"hugemem":       "invalid module",
		"exit":          "exited with code 3",
		"noexport":      "does not export asknix_match",
		"garbage":       "not a WebAssembly module",
		"tablegrow":     "unreachable",
	}
	if len(want) != len(fx.hostile) {
		t.Fatalf("testdata/hostile has %d modules %v, the table %d", len(fx.hostile), fx.hostile, len(want))
	}
	for _, name := range fx.hostile {
		t.Run(name, func(t *testing.T) {
			h := rules.New(rules.Options{Dirs: []string{dirWith(t, "gens.wasm", "hostile/"+name+".wasm")}, CompileCacheDir: fx.compile})
			defer h.Close(context.Background())
			start := time.Now()
			got := byModule(h.Propose(context.Background(), intent.Normalize("show my gens")))
			elapsed := time.Since(start)
			g := got["gens"]
			if g.Err != nil || g.Proposal == nil || g.Proposal.Action != "generations" || g.Proposal.Rule != "wasm:gens" {
				t.Errorf("gens beside %s: %+v", name, g)
			}
			bad, ok := got[name]
			if !ok || bad.Err == nil {
				t.Fatalf("%s: no fault reported: %+v", name, bad)
			}
			w := bad.Warning()
			if !strings.Contains(w, "rule module "+name+" skipped") || !strings.Contains(w, want[name]) || strings.Contains(w, "\n") {
				t.Errorf("%s: warning %q, want one line naming it and containing %q", name, w, want[name])
			}
			// The call limit is 100 ms; what a loaded 2-core machine adds stays well under a
			// second, and a hostile module without limits takes seconds.
			if limit := 100*time.Millisecond + 900*time.Millisecond; elapsed > limit {
				t.Errorf("%s: answered in %s, more than %s", name, elapsed, limit)
			}
		})
	}
}

func TestGoGuests(t *testing.T) {
	d := goModules(t)
	h := rules.New(rules.Options{Dirs: []string{d}, CompileCacheDir: fx.compile})
	defer h.Close(context.Background())
	for _, tc := range []struct {
		text, module, action string
		args                 string
	}{
		{"zeige meine Generationen", "german", "generations", "map[]"},
		{"suche firefox", "german", "search", "map[query:firefox]"},
		{"installiere bitte hello", "german", "install", "map[package:hello]"},
		{"deploy the homelab", "alias", "update", "map[profile:system]"},
		{"tidy the laptop please", "alias", "cleanup", "map[keep:5 profile:system]"},
	} {
		got := byModule(h.Propose(context.Background(), intent.Normalize(tc.text)))
		o := got[tc.module]
		if o.Err != nil || o.Proposal == nil {
			t.Errorf("%q: %s gave %+v", tc.text, tc.module, o)
			continue
		}
		if o.Proposal.Action != tc.action || fmt.Sprint(o.Proposal.Args) != tc.args || o.Proposal.Rule != "wasm:"+tc.module {
			t.Errorf("%q: %+v, want %s %s", tc.text, *o.Proposal, tc.action, tc.args)
		}
	}
	// A request neither module's triggers name loads neither.
	if out := h.Propose(context.Background(), intent.Normalize("list my generations")); len(out) != 0 {
		t.Errorf("unclaimed request called %d modules", len(out))
	}
}

func TestTriggersKeepModulesUnloaded(t *testing.T) {
	d := dirWith(t, "gens.wasm", "greedy.wasm")
	h := rules.New(rules.Options{Dirs: []string{d}, CompileCacheDir: fx.compile})
	defer h.Close(context.Background())
	if out := h.Propose(context.Background(), intent.Normalize("list my generations")); len(out) != 0 {
		t.Fatalf("no trigger word, yet %d modules ran: %+v", len(out), out)
	}
	list := h.List(context.Background())
	if len(list) != 2 || list[0].Name != "gens" || fmt.Sprint(list[0].Triggers) != "[gens]" || list[0].Status != "ok" || list[1].Name != "greedy" {
		t.Fatalf("List = %+v", list)
	}
	if fmt.Sprint(list[0].Exports) != "[asknix_alloc asknix_match]" {
		t.Errorf("exports %v", list[0].Exports)
	}
}

// mapCache is the engine cache's interface over a map, counting Puts.
type mapCache struct {
	m    map[string][]byte
	puts int
}

func (c *mapCache) Get(key, stamp string) ([]byte, bool) {
	b, ok := c.m[key+"\x01"+stamp]
	return b, ok
}
func (c *mapCache) Put(key, stamp string, v []byte) { c.m[key+"\x01"+stamp] = v; c.puts++ }

func TestResultCacheAndChangedModule(t *testing.T) {
	d := dirWith(t, "gens.wasm")
	c := &mapCache{m: map[string][]byte{}}
	open := func() *rules.Host {
		return rules.New(rules.Options{Dirs: []string{d}, CompileCacheDir: fx.compile, Cache: c, Stamp: cache.Stamp})
	}
	in := intent.Normalize("gens")
	h := open()
	first := h.Propose(context.Background(), in)
	h.Close(context.Background())
	h = open()
	second := h.Propose(context.Background(), in)
	h.Close(context.Background())
	if len(first) != 1 || first[0].Cached || len(second) != 1 || !second[0].Cached || second[0].Proposal.Action != "generations" {
		t.Fatalf("first %+v, second %+v: want a miss then a hit", first, second)
	}
	// Replace the module (another file's bytes, same name): the answer changes.
	greedy, err := os.ReadFile(filepath.Join(fx.dir, "greedy.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	greedy = bytes.Clone(greedy[:bytes.LastIndex(greedy, []byte(rules.TriggersSection))-3]) // drop its "zeige" section (id, size, name length)
	greedy, _ = rules.AppendTriggers(greedy, []string{"gens"})
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(filepath.Join(d, "gens.wasm"), greedy, 0o644); err != nil {
		t.Fatal(err)
	}
	h = open()
	defer h.Close(context.Background())
	third := h.Propose(context.Background(), in)
	if len(third) != 1 || third[0].Cached || third[0].Proposal == nil || third[0].Proposal.Action != "install" {
		t.Fatalf("after the module changed: %+v", third)
	}
}

func TestDuplicateNameSkipped(t *testing.T) {
	sys, usr := dirWith(t, "gens.wasm"), t.TempDir()
	b, _ := os.ReadFile(filepath.Join(fx.dir, "greedy.wasm"))
	os.WriteFile(filepath.Join(usr, "gens.wasm"), b, 0o644)
	h := rules.New(rules.Options{Dirs: []string{sys, usr}, CompileCacheDir: fx.compile})
	defer h.Close(context.Background())
	list := h.List(context.Background())
	if len(list) != 2 || list[0].Status != "ok" || !strings.Contains(list[1].Status, "already provides rule") {
		t.Fatalf("List = %+v", list)
	}
	out := h.Propose(context.Background(), intent.Normalize("gens"))
	got := 0
	for _, o := range out {
		if o.Proposal != nil {
			got++
			if o.Proposal.Action != "generations" {
				t.Errorf("the user's module answered: %+v", o.Proposal)
			}
		}
	}
	if got != 1 {
		t.Errorf("%d proposals, want 1: %+v", got, out)
	}
}

func TestTestModuleIgnoresTriggers(t *testing.T) {
	h := rules.New(rules.Options{CompileCacheDir: fx.compile})
	defer h.Close(context.Background())
	o, m := h.TestModule(context.Background(), filepath.Join(fx.dir, "gens.wasm"), "hello there")
	if o.Err != nil || o.Proposal == nil || o.Proposal.Action != "generations" || m.Status != "ok" {
		t.Fatalf("TestModule = %+v, %+v", o, m)
	}
	o, m = h.TestModule(context.Background(), filepath.Join(fx.dir, "hostile", "trap.wasm"), "x")
	if o.Err == nil || m.Status == "ok" {
		t.Fatalf("trap: %+v %+v", o, m)
	}
}

func TestRank(t *testing.T) {
	b := func(rule, action string, c float64) intent.Intent {
		return intent.Intent{Rule: rule, Action: action, Confidence: c}
	}
	for _, tc := range []struct {
		name string
		in   []intent.Intent
		want string
	}{
		{"higher confidence wins", []intent.Intent{b("builtin", "search", 0.6), b("wasm:german", "generations", 0.95)}, "wasm:german"},
		{"tie: builtin first", []intent.Intent{b("wasm:a", "install", 0.9), b("builtin", "search", 0.9)}, "builtin"},
		{"tie between modules: by name", []intent.Intent{b("builtin", "unknown", 0), b("wasm:zz", "disk", 0.8), b("wasm:aa", "help", 0.8)}, "wasm:aa"},
		{"unknown never beats an action", []intent.Intent{b("builtin", "unknown", 1), b("wasm:x", "disk", 0.1)}, "wasm:x"},
	} {
		if got := rules.Rank(tc.in)[0].Rule; got != tc.want {
			t.Errorf("%s: %s won, want %s", tc.name, got, tc.want)
		}
		rev := append([]intent.Intent(nil), tc.in...)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		if got := rules.Rank(rev)[0].Rule; got != tc.want {
			t.Errorf("%s (reversed input): %s won, want %s", tc.name, got, tc.want)
		}
	}
}

func TestParseProposal(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{`{"action":"install","args":{"package":"hello"},"confidence":0.9}`, ""},
		{`{"action":"rollback","args":{"generation":3},"confidence":1}`, ""},
		{`{"action":"rollback","args":{"generation":3.5},"confidence":1}`, "must be an integer"},
		{`{"action":"install","args":{"package":null},"confidence":1}`, "is null"},
		{`{"action":"install","args":{"pkg":"x"},"confidence":1}`, `unknown argument "pkg"`},
		{`{"action":"install","args":{},"confidence":1.5}`, "between 0 and 1"},
		{`{"action":"install","args":{}}`, "between 0 and 1"},
		{`{"action":"path-info","args":{},"confidence":1}`, "unknown action"},
		{`{"action":"install","args":{},"confidence":1,"run":"rm -rf /"}`, "unknown field"},
		{`{"action":"install","args":{},"confidence":1} {}`, "data after"},
		{`{"args":{},"confidence":1}`, `no "action"`},
		{`{"action":"unknown","args":{},"confidence":1}`, "no match"},
	} {
		_, err := rules.ParseProposal([]byte(tc.in), "wasm:t")
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want %q", tc.in, err, tc.err)
		}
	}
}

func FuzzParseProposal(f *testing.F) {
	f.Add([]byte(`{"action":"install","args":{"package":"hello"},"confidence":0.9}`))
	f.Add([]byte(`{"action":"cleanup","args":{"keep":3,"older_than":"14d"},"confidence":1}`))
	f.Add([]byte("\xff{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := rules.ParseProposal(b, "wasm:f")
		if err != nil {
			return
		}
		if !intent.IsAction(in.Action) || in.Confidence < 0 || in.Confidence > 1 || in.Rule != "wasm:f" {
			t.Fatalf("accepted %q as %+v", b, in)
		}
	})
}

func FuzzReadTriggers(f *testing.F) {
	for _, name := range []string{"gens.wasm", "greedy.wasm", "hostile/loop.wasm"} {
		if b, err := os.ReadFile(filepath.Join(fx.dir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		words, err := rules.ReadTriggers(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, w := range words {
			if w == "" || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("trigger %q accepted", w)
			}
		}
	})
}

func TestAppendTriggersRoundTrip(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fx.dir, "hostile", "trap.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if w, err := rules.ReadTriggers(bytes.NewReader(b), int64(len(b))); err != nil || w != nil {
		t.Fatalf("no section: %v %v", w, err)
	}
	b2, err := rules.AppendTriggers(b, []string{"Zeige", "suche"})
	if err != nil {
		t.Fatal(err)
	}
	if w, err := rules.ReadTriggers(bytes.NewReader(b2), int64(len(b2))); err != nil || fmt.Sprint(w) != "[zeige suche]" {
		t.Fatalf("round trip: %v %v", w, err)
	}
	if _, err := rules.AppendTriggers(b, []string{"two words"}); err == nil {
		t.Error("a trigger with a space was accepted")
	}
}

// benchDir holds the two example Go rules and the WAT one, as a user would install them.
func benchDir(b *testing.B) string {
	d := goModules(b)
	dir := b.TempDir()
	for _, f := range []string{filepath.Join(d, "german.wasm"), filepath.Join(d, "alias.wasm"), filepath.Join(fx.dir, "gens.wasm")} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
	}
	return dir
}

// benchFresh measures what one ask-nix process pays for text: a new host (directory scan,
// triggers), loading what the request needs from the warm compilation cache, the call.
func benchFresh(b *testing.B, text, wantModule string) {
	dir := benchDir(b)
	in := intent.Normalize(text)
	warm := rules.New(rules.Options{Dirs: []string{dir}, CompileCacheDir: fx.compile})
	warm.Propose(context.Background(), in)
	warm.Close(context.Background())
	b.ResetTimer()
	for b.Loop() {
		h := rules.New(rules.Options{Dirs: []string{dir}, CompileCacheDir: fx.compile})
		out := h.Propose(context.Background(), in)
		h.Close(context.Background())
		if wantModule == "" && len(out) != 0 || wantModule != "" && (len(out) != 1 || out[0].Module != wantModule || out[0].Proposal == nil) {
			b.Fatalf("%q: %+v", text, out)
		}
	}
}

func BenchmarkUnclaimedRequest(b *testing.B)   { benchFresh(b, "list my generations", "") }
func BenchmarkSmallModuleRequest(b *testing.B) { benchFresh(b, "gens", "gens") }
func BenchmarkGoModuleRequest(b *testing.B)    { benchFresh(b, "zeige meine Generationen", "german") }

// BenchmarkReusedInstance is one more call into an instantiated module.
func BenchmarkReusedInstance(b *testing.B) {
	h := rules.New(rules.Options{Dirs: []string{benchDir(b)}, CompileCacheDir: fx.compile})
	defer h.Close(context.Background())
	in := intent.Normalize("zeige meine Generationen")
	h.Propose(context.Background(), in)
	for b.Loop() {
		if out := h.Propose(context.Background(), in); len(out) != 1 || out[0].Proposal == nil {
			b.Fatal(out)
		}
	}
}

// BenchmarkGoModuleColdCompile compiles the German Go module with an empty cache.
func BenchmarkGoModuleColdCompile(b *testing.B) {
	dir := benchDir(b)
	in := intent.Normalize("zeige meine Generationen")
	for b.Loop() {
		h := rules.New(rules.Options{Dirs: []string{dir}, CompileCacheDir: b.TempDir()})
		if out := h.Propose(context.Background(), in); len(out) != 1 || out[0].Proposal == nil {
			b.Fatal(out)
		}
		h.Close(context.Background())
	}
}

// TestParallelModulesShareTheCache: two modules that answer the same request run in
// parallel and both use the result cache (run with -race).
func TestParallelModulesShareTheCache(t *testing.T) {
	d := dirWith(t, "gens.wasm")
	b, _ := os.ReadFile(filepath.Join(d, "gens.wasm"))
	// A custom section makes a different module (results are cached per module hash;
	// identical bytes would share entries and race for the first store).
	os.WriteFile(filepath.Join(d, "gens2.wasm"), append(b, 0, 5, 3, 'a', 's', 'k', 1), 0o644)
	c := &mapCache{m: map[string][]byte{}}
	for round := range 2 {
		h := rules.New(rules.Options{Dirs: []string{d}, CompileCacheDir: fx.compile, Cache: c, Stamp: cache.Stamp})
		out := h.Propose(context.Background(), intent.Normalize("gens"))
		h.Close(context.Background())
		if len(out) != 2 || out[0].Proposal == nil || out[1].Proposal == nil || out[0].Cached != (round == 1) || out[1].Cached != (round == 1) {
			t.Fatalf("round %d: %+v", round, out)
		}
	}
}

// TestModuleFileLimits: a rules directory with a FIFO named .wasm, a file over 16 MiB and
// a module of millions of empty custom sections costs a warning each, never a hang or
// seconds, and the good module beside them still answers.
func TestModuleFileLimits(t *testing.T) {
	d := dirWith(t, "gens.wasm")
	if err := syscall.Mkfifo(filepath.Join(d, "fifo.wasm"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 16<<20+1)
	copy(big, "\x00asm\x01\x00\x00\x00")
	if err := os.WriteFile(filepath.Join(d, "big.wasm"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	gens, err := os.ReadFile(filepath.Join(fx.dir, "gens.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	many := append([]byte(nil), gens...)
	for range 2_000_000 {
		many = append(many, 0, 1, 0) // an empty custom section with an empty name
	}
	if err := os.WriteFile(filepath.Join(d, "sections.wasm"), many, 0o644); err != nil {
		t.Fatal(err)
	}
	h := rules.New(rules.Options{Dirs: []string{d}, CompileCacheDir: fx.compile})
	defer h.Close(context.Background())
	done := make(chan map[string]rules.Outcome, 1)
	start := time.Now()
	go func() { done <- byModule(h.Propose(context.Background(), intent.Normalize("show my gens"))) }()
	var got map[string]rules.Outcome
	select {
	case got = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a rules directory with a FIFO hung")
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("answered in %s", elapsed)
	}
	if g := got["gens"]; g.Err != nil || g.Proposal == nil {
		t.Errorf("gens beside them: %+v", g)
	}
	for name, want := range map[string]string{"fifo": "not a regular file", "big": "limit", "sections": "more than 1000 sections"} {
		if o, ok := got[name]; !ok || o.Err == nil || !strings.Contains(o.Warning(), want) {
			t.Errorf("%s: %+v, want a warning containing %q", name, o, want)
		}
	}
}
