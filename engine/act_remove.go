package engine

import "context"

func actRemove() *Action {
	return &Action{
		Name: "remove", Summary: "remove a package from your profile (plan first)",
		Examples: []string{`ask-nix "remove firefox"`, "ask-nix remove ripgrep --dry-run"},
		Mutates:  true, Phrase: true, Profile: "changes",
		Args: []Arg{argPackage, argProfile},
		Plan: func(ctx context.Context, e *Engine, a Args) (Plan, error) { return planPackage(ctx, e, a, "remove") },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			return runPackage(ctx, e, env, "remove")
		},
	}
}
