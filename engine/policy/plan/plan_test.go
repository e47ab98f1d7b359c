package plan_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/policy/compiler"
	"github.com/asknix/ask-nix/engine/policy/plan"
)

var (
	planOnce sync.Once
	planJSON []byte
	planErr  error
)

// defaultPlan compiles the default policy layers with OPA once per test binary.
func defaultPlan(t testing.TB) []byte {
	t.Helper()
	planOnce.Do(func() {
		files, err := policy.Sources(policy.Options{})
		if err != nil {
			planErr = err
			return
		}
		planJSON, planErr = compiler.Compile(context.Background(), files)
	})
	if planErr != nil {
		t.Fatal(planErr)
	}
	return planJSON
}

func decide(t testing.TB, p *plan.Program, input string) any {
	t.Helper()
	in, err := plan.FromJSON([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := p.Eval(context.Background(), policy.Entrypoint, in)
	if err != nil || !ok {
		t.Fatalf("eval: %v (defined %v)", err, ok)
	}
	return plan.ToGo(v)
}

const sample = `{"request":{"text":"install firefox; rm -rf /","subcommand":false},"intent":{"action":"install","args":{"package":"firefox"}},"plan":{"mutates":true}}`

// TestCompactRoundTrip: the cached compact form evaluates exactly as the plan it came from.
func TestCompactRoundTrip(t *testing.T) {
	p, err := plan.Load(defaultPlan(t))
	if err != nil {
		t.Fatal(err)
	}
	data, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	q, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := q.MarshalBinary()
	if string(again) != string(data) {
		t.Fatal("the compact form does not encode back to itself")
	}
	a, b := decide(t, p, sample), decide(t, q, sample)
	if !strings.Contains(strings.Join(ids(a), ","), "shell-syntax") {
		t.Fatalf("sample not denied for shell syntax: %v", a)
	}
	if strings.Join(ids(a), ",") != strings.Join(ids(b), ",") {
		t.Fatalf("decoded plan decides %v, original %v", ids(b), ids(a))
	}
}

func ids(v any) []string {
	var out []string
	m, _ := v.(map[string]any)
	for _, k := range []string{"deny", "confirm"} {
		list, _ := m[k].([]any)
		for _, d := range list {
			out = append(out, k+":"+d.(map[string]any)["id"].(string))
		}
	}
	return out
}

// TestRefusals: truncated, foreign and hostile compact plans are errors, and a plan that
// calls a built-in this evaluator lacks is ErrUnsupported (the caller falls back to OPA).
func TestRefusals(t *testing.T) {
	p, err := plan.Load(defaultPlan(t))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := p.MarshalBinary()
	for name, b := range map[string][]byte{
		"empty":     nil,
		"foreign":   []byte(`{"static":{}}`),
		"truncated": data[:len(data)/2],
		"trailing":  append(append([]byte{}, data...), 0),
	} {
		if _, err := plan.Decode(b); !errors.Is(err, plan.ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
	unsupported := strings.Replace(string(defaultPlan(t)), `"name":"sprintf"`, `"name":"http.send"`, 1)
	if _, err := plan.Load([]byte(unsupported)); !errors.Is(err, plan.ErrUnsupported) {
		t.Errorf("a plan calling http.send: got %v, want ErrUnsupported", err)
	}
}

// FuzzDecode: no byte string crashes Decode, and whatever decodes evaluates to a value or
// an error within its deadline.
func FuzzDecode(f *testing.F) {
	p, err := plan.Load(defaultPlan(f))
	if err != nil {
		f.Fatal(err)
	}
	data, _ := p.MarshalBinary()
	f.Add(data)
	f.Add(data[:100])
	in, _ := plan.FromJSON([]byte(sample))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := plan.Decode(b)
		if err != nil {
			if !errors.Is(err, plan.ErrCorrupt) && !errors.Is(err, plan.ErrUnsupported) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		q.Eval(ctx, policy.Entrypoint, in)
	})
}

// FuzzLoad: OPA's JSON plan form, mangled, is refused or loaded, never a crash.
func FuzzLoad(f *testing.F) {
	f.Add(string(defaultPlan(f)))
	f.Add(`{"static":{},"plans":{"plans":[{"name":"x","blocks":[{"stmts":[{"type":"BreakStmt","stmt":{"index":3}}]}]}]}}`)
	in, _ := plan.FromJSON([]byte(sample))
	f.Fuzz(func(t *testing.T, s string) {
		q, err := plan.Load([]byte(s))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		for _, e := range q.Entrypoints() {
			q.Eval(ctx, e, in)
		}
	})
}
