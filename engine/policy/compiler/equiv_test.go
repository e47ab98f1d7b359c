package compiler

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/internal/corpus"
)

// pair is one policy set evaluated both ways: natively from its plan (what ask-nix
// runs) and by OPA's own evaluator (the reference).
type pair struct {
	native *policy.Engine
	opa    *Topdown
}

func newPair(t testing.TB, o policy.Options) pair {
	t.Helper()
	o.Compiler = Local{}
	native, err := policy.Load(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if native.Fallback != "" {
		t.Fatalf("the plan is not evaluated natively: %s", native.Fallback)
	}
	files, err := policy.Sources(o)
	if err != nil {
		t.Fatal(err)
	}
	opa, err := NewTopdown(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	return pair{native, opa}
}

func (p pair) check(t testing.TB, in map[string]any) {
	t.Helper()
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want, werr := p.opa.Decide(context.Background(), raw)
	got, gerr := p.native.Decide(context.Background(), in)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("input %s: OPA error %v, native error %v", raw, werr, gerr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("input %s:\nnative %+v\nOPA    %+v", raw, got, want)
	}
}

// corpusLines reads the security corpora (sentences, JSON argvs, Go-quoted sentences)
// as request texts.
func corpusLines(t testing.TB) []string {
	out := append(corpus.Texts(t, "adversarial.txt", "CANARY"), corpus.Texts(t, "benign.txt", "CANARY")...)
	if len(out) < 300 {
		t.Fatalf("read %d corpus lines", len(out))
	}
	return out
}

// inputs shapes one text as the requests ask-nix could make of it: each action with the
// text's words as its arguments, as a sentence and as a subcommand.
func inputs(text string) []map[string]any {
	words := strings.Fields(text)
	rest := ""
	if len(words) > 1 {
		rest = strings.Join(words[1:], " ")
	}
	second := ""
	if len(words) > 1 {
		second = words[1]
	}
	shapes := []struct {
		action  string
		args    map[string]any
		mutates bool
	}{
		{"unknown", map[string]any{}, false},
		{"search", map[string]any{"query": rest}, false},
		{"install", map[string]any{"package": second}, true},
		{"remove", map[string]any{"package": rest, "profile": second}, true},
		{"rollback", map[string]any{"generation": json.Number("-1"), "steps": json.Number("2.5")}, true},
		{"cleanup", map[string]any{"older_than": second, "keep": json.Number("3")}, true},
		{"path-info", map[string]any{"paths": []any{second, rest}}, false},
		{"index-update", map[string]any{"source": rest}, false},
	}
	var out []map[string]any
	for _, s := range shapes {
		for _, sub := range []bool{false, true} {
			out = append(out, map[string]any{
				"request": map[string]any{"text": text, "subcommand": sub},
				"intent":  map[string]any{"action": s.action, "args": s.args, "rule": "builtin", "confidence": 0.9},
				"plan":    map[string]any{"mutates": s.mutates, "privileged": sub, "argv": []any{"nix-env", "-i"}},
				"user":    map[string]any{"uid": 1000, "name": "alice", "root": false, "groups": []any{"users", "wheel"}},
				"host":    map[string]any{"nixos": true, "store_dir": "/nix/store", "time": "2026-11-27T10:00:00Z"},
				"config":  map[string]any{"elevation": "sudo"},
			})
		}
	}
	return out
}

// TestPlanMatchesOPA is the acceptance test of the native evaluator: on every corpus
// request, in every shape, with the default policy and with the documented administrator
// examples, its decision equals OPA's.
func TestPlanMatchesOPA(t *testing.T) {
	lines := corpusLines(t)
	for _, o := range []policy.Options{{}, {AdminDirs: []string{"../../../docs/examples/policies"}}} {
		p := newPair(t, o)
		n := 0
		for _, line := range lines {
			for _, in := range inputs(line) {
				p.check(t, in)
				n++
			}
		}
		t.Logf("%d inputs, admin %v: identical decisions", n, o.AdminDirs)
	}
}

// FuzzPlanMatchesOPA compares the two evaluators on arbitrary request text and arguments.
func FuzzPlanMatchesOPA(f *testing.F) {
	for _, s := range []string{"install firefox", "search network & security", "rm -rf /", "install fіrefox", "cleanup older than 30d", "please cat /etc/shadow", "nix run nixpkgs#hello", "%3b reboot"} {
		f.Add(s, "firefox", 3.0, false)
	}
	p := newPair(f, policy.Options{AdminDirs: []string{"../../../docs/examples/policies"}})
	f.Fuzz(func(t *testing.T, text, arg string, n float64, sub bool) {
		for _, in := range inputs(text + " " + arg) {
			in["request"].(map[string]any)["subcommand"] = sub
			args := in["intent"].(map[string]any)["args"].(map[string]any)
			if _, ok := args["generation"]; ok {
				args["generation"] = n
			}
			p.check(t, in)
		}
	})
}
