package main

import (
	"context"
	"os"

	"github.com/asknix/ask-nix/cmd/internal/tui"
	"github.com/asknix/ask-nix/engine"
)

// interactiveSearch runs `ask-nix search -i`: ask-nix-tui draws it on the terminal, and
// every query it sends is answered here by the engine, through the policy, like any other
// request. It returns the attribute chosen for installation, or "".
func interactiveSearch(ctx context.Context, eng *engine.Engine, initial string, stdin, stdout, stderr *os.File, color bool) (string, error) {
	return tui.Run(ctx, initial, color, stdin, stdout, stderr, func(ctx context.Context, q string) ([]tui.Result, error) {
		env, err := eng.Handle(ctx, engine.Request{Text: "search " + q, Subcommand: "search",
			Args: map[string]any{"query": q, "limit": 50}})
		if err != nil {
			return nil, err
		}
		r, _ := env.Result.(engine.SearchResult)
		out := make([]tui.Result, len(r.Results))
		for i, x := range r.Results {
			out[i] = tui.Result{Attr: x.Attr, Version: x.Version, Description: x.Description}
		}
		return out, nil
	})
}
