package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/policy"
)

func actPolicyTest() *Action {
	return &Action{
		Name: "policy-test", Command: "policy test", Summary: "run the Rego tests of the policies in force",
		Examples: []string{"ask-nix policy test", "ask-nix policy test ./my-policies"},
		Args:     []Arg{{Name: "dirs", Kind: Strings, Help: "more directories of policies and tests"}},
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			rep, err := policy.Test(ctx, e.o.Policy, env.args.Strings("dirs"))
			if err != nil {
				return nil, err
			}
			if rep.Failed > 0 {
				return PolicyTestResult{rep}, fmt.Errorf("%w: %d of %d", ErrTestsFailed, rep.Failed, rep.Failed+rep.Passed)
			}
			return PolicyTestResult{rep}, nil
		},
	}
}

// PolicyTestResult is `policy test --json`.
type PolicyTestResult struct{ policy.TestReport }

// Render implements Result.
func (r PolicyTestResult) Render(w io.Writer) {
	for _, t := range r.Results {
		status := "PASS"
		if !t.Pass {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s\t%s.%s\t%s\t%s\n", status, t.Package, t.Name, t.Duration, t.Error)
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
}
