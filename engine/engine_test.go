package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/policy/compiler"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/nixstore"
)

func testEngine(t testing.TB) *Engine {
	dir := t.TempDir()
	e, err := New(context.Background(), Options{
		Host:     nixstore.Host{Store: nixstore.Config{StoreDir: dir + "/store", StateDir: dir + "/var"}, Root: dir},
		User:     User{UID: 1000, Name: "alice", Groups: []string{"users"}},
		Enhanced: true, NoCache: true, CacheTTL: cache.DefaultTTL,
		Policy: policy.Options{Compiler: compiler.Local{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const shellMeta = ";&|`$<>\n\r\x00"

// FuzzDecision: no input panics the pipeline, every action is SPEC's, and no request whose
// package argument holds a shell metacharacter is allowed or merely confirmed.
func FuzzDecision(f *testing.F) {
	for _, s := range []string{"install firefox", "install firefox;id", "install $(id)", "remove `id`", "install a|b",
		"search network & security", "install fire\u200bfox", "rollback to generation 3", "install\tfoo&bar", "get x>y"} {
		f.Add(s)
	}
	e := testEngine(f)
	f.Fuzz(func(t *testing.T, text string) {
		env, err := e.Handle(context.Background(), Request{Text: text, Explain: true})
		if !intent.IsAction(env.Intent.Action) {
			t.Fatalf("%q: action %q", text, env.Intent.Action)
		}
		if env.Decision == nil {
			if err == nil {
				t.Fatalf("%q: no decision and no error", text)
			}
			return
		}
		pkg, _ := env.Intent.Args["package"].(string)
		if strings.ContainsAny(pkg, shellMeta) && env.Decision.Outcome != policy.Deny {
			t.Fatalf("%q: package %q with a shell metacharacter got %s", text, pkg, env.Decision.Outcome)
		}
	})
}

func TestDryRunAndConfirmationNeverExecute(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	env, err := e.Handle(ctx, Request{Text: "install vlc", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := env.Result.(DryRunResult); !ok || r.Executed {
		t.Fatalf("dry run result %#v", env.Result)
	}
	asked := false
	_, err = e.Handle(ctx, Request{Text: "install vlc", Confirm: func(Plan, policy.Decision, []string) bool { asked = true; return false }})
	if !asked || !errors.Is(err, ErrCancelled) {
		t.Fatalf("declined confirmation: asked=%v err=%v", asked, err)
	}
}

func BenchmarkPolicyPerRequest(b *testing.B) {
	e := testEngine(b)
	for b.Loop() {
		if _, err := e.Handle(context.Background(), Request{Text: "install python312Packages.requests", Explain: true}); err != nil {
			b.Fatal(err)
		}
	}
}
