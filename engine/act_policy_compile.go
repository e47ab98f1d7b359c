package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/policy"
)

func actPolicyCompile() *Action {
	return &Action{
		Name: "policy-compile", Command: "policy compile", Summary: "compile the default and administrator policies for every user",
		Examples: []string{"ask-nix policy compile --out /etc/ask-nix/plans"},
		Args:     []Arg{{Name: "out", Kind: String, Help: "the directory to write the plan into"}},
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			path, err := policy.CompileShared(ctx, e.o.Policy, env.args.String("out"))
			if err != nil {
				return nil, err
			}
			return PolicyCompileResult{Path: path}, nil
		},
	}
}

// PolicyCompileResult is what `policy compile` wrote.
type PolicyCompileResult struct {
	Path string `json:"path"`
}

// Render implements Result.
func (r PolicyCompileResult) Render(w io.Writer) {
	fmt.Fprintf(w, "compiled policy plan written to %s\n", r.Path)
}
