package engine

import (
	"context"
	"fmt"
	"io"
)

func actHelp() *Action {
	return &Action{
		Name: "help", Summary: "this list",
		Examples: []string{"ask-nix help"},
		Phrase:   true,
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run:      func(context.Context, *Engine, *Envelope) (Result, error) { return Help(), nil },
	}
}

// HelpEntry describes one action.
type HelpEntry struct {
	Action   string   `json:"action"`
	Summary  string   `json:"summary"`
	Examples []string `json:"examples"`
}

// HelpResult is the result of the help action.
type HelpResult struct {
	Actions []HelpEntry `json:"actions"`
}

// Help lists what ask-nix can do in plain words, with examples: the actions a sentence
// can ask for, from their definitions.
func Help() HelpResult {
	var out HelpResult
	for _, a := range Actions() {
		if a.Phrase {
			out.Actions = append(out.Actions, HelpEntry{Action: a.Name, Summary: a.Summary, Examples: a.Examples})
		}
	}
	return out
}

// Render implements Result.
func (r HelpResult) Render(w io.Writer) {
	fmt.Fprintln(w, "ask-nix understands plain words. For example:")
	for _, h := range r.Actions {
		fmt.Fprintf(w, "  %s\t%s\n", h.Examples[0], h.Summary)
	}
	fmt.Fprintln(w, "\nSubcommands and flags: ask-nix --help")
}
