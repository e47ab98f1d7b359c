package engine

import (
	"context"
	"fmt"
	"io"
)

func actInfo() *Action {
	return &Action{
		Name: "info", Summary: "NixOS version, kernel, current generation",
		Examples: []string{`ask-nix "system info"`},
		Phrase:   true,
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{Backend: "native"}, nil },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			return cachedAs(e, env, "info", e.infoDeps(), func() (*InfoResult, error) { return e.info(ctx) })
		},
	}
}

// Render implements Result.
func (r *InfoResult) Render(w io.Writer) {
	gen := "-"
	if r.CurrentGeneration != nil {
		gen = fmt.Sprint(*r.CurrentGeneration)
	}
	os := "not NixOS"
	if r.NixOS {
		os = "NixOS " + dash(r.NixOSVersion)
	}
	fmt.Fprintf(w, "system:\t%s\nkernel:\t%s\nprofile:\t%s\ngeneration:\t%s\nnixpkgs:\t%s\n", os, dash(r.KernelVersion), r.Profile, gen, dash(r.NixpkgsRevision))
}
