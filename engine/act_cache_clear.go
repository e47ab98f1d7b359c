package engine

import (
	"context"
	"fmt"
	"io"
)

func actCacheClear() *Action {
	return &Action{
		Name: "cache-clear", Command: "cache clear", Summary: "clear the result cache",
		Examples: []string{"ask-nix cache clear"},
		Phrase:   true,
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(_ context.Context, e *Engine, _ *Envelope) (Result, error) {
			if err := e.cache.Clear(); err != nil {
				return nil, err
			}
			return CacheClearResult{Cleared: true, Path: e.cache.Dir()}, nil
		},
	}
}

// CacheClearResult is `cache clear --json`.
type CacheClearResult struct {
	Cleared bool   `json:"cleared"`
	Path    string `json:"path"`
}

// Render implements Result.
func (r CacheClearResult) Render(w io.Writer) { fmt.Fprintf(w, "cache cleared (%s)\n", dash(r.Path)) }
