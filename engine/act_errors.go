package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/runner"
)

func actErrors() *Action {
	return &Action{
		Name: "errors", Summary: "recent errors",
		Examples: []string{`ask-nix "show recent errors"`},
		Phrase:   true,
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(_ context.Context, e *Engine, _ *Envelope) (Result, error) {
			r, err := e.runner.Errors()
			if err != nil {
				return nil, err
			}
			return ErrorsResult(r), nil
		},
	}
}

// ErrorsResult is `errors --json` (SPEC §3): newest first.
type ErrorsResult []runner.ErrorRecord

// Render implements Result.
func (r ErrorsResult) Render(w io.Writer) {
	if len(r) == 0 {
		fmt.Fprintln(w, "no errors recorded")
	}
	for _, e := range r {
		fmt.Fprintf(w, "%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"), e.Request, e.Error)
	}
}

// LogError records a failed request in errors.jsonl (SPEC §8).
func (e *Engine) LogError(request string, err error) { e.runner.LogError(request, err) }
