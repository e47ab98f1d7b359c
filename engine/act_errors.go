package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/asknix/ask-nix/engine/runner"
)

func actErrors() *Action {
	return &Action{
		Name: "errors", Summary: "recent errors",
		Examples: []string{`ask-nix "show recent errors"`},
		Phrase:   true,
		Args:     []Arg{{Name: "limit", Kind: Int, Min: 1, Max: 10000, Help: "at most this many, newest first (default 20)"}},
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(_ context.Context, e *Engine, env *Envelope) (Result, error) {
			r, err := e.runner.Errors()
			if err != nil {
				return nil, err
			}
			limit := 20
			if n, ok := env.args.Int("limit"); ok {
				limit = n
			}
			return ErrorsResult(r[:min(limit, len(r))]), nil
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
		fmt.Fprintf(w, "%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"), oneLine(e.Request, 50), oneLine(e.Error, 100))
	}
}

// oneLine is s on one line, shortened to n characters (the --json result keeps it whole).
func oneLine(s string, n int) string {
	return truncate(strings.Join(strings.Fields(s), " "), n)
}

// LogError records a failed request in errors.jsonl (SPEC §8). Decisions are not errors:
// a denial, "confirmation needed" and a declined prompt go to the audit log's reading of
// the request only.
func (e *Engine) LogError(request string, err error) {
	if errors.Is(err, ErrDenied) || errors.Is(err, ErrNeedsConfirm) || errors.Is(err, ErrCancelled) {
		return
	}
	e.runner.LogError(request, err)
}
