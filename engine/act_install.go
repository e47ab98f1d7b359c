package engine

import "context"

func actInstall() *Action {
	return &Action{
		Name: "install", Summary: "install a package into your profile (plan first)",
		Examples: []string{`ask-nix "install firefox"`, "ask-nix install ripgrep --dry-run"},
		Mutates:  true, Phrase: true, Profile: "changes",
		Args: []Arg{argPackage, argProfile},
		Plan: func(ctx context.Context, e *Engine, a Args) (Plan, error) { return planPackage(ctx, e, a, "install") },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			return runPackage(ctx, e, env, "install")
		},
	}
}
