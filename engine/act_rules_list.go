package engine

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/units"
)

func actRulesList() *Action {
	return &Action{
		Name: "rules-list", Command: "rules list", Summary: "installed WASM rule modules",
		Examples: []string{"ask-nix rules list"},
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(ctx context.Context, e *Engine, _ *Envelope) (Result, error) {
			l := e.rules.List(ctx)
			if l == nil {
				l = []rules.Module{}
			}
			return RulesListResult(l), nil
		},
	}
}

// RulesListResult is `rules list --json` (SPEC §3).
type RulesListResult []rules.Module

// Render implements Result.
func (r RulesListResult) Render(w io.Writer) {
	if len(r) == 0 {
		fmt.Fprintln(w, "no rule modules (put *.wasm files in /etc/ask-nix/rules or ~/.config/ask-nix/rules)")
		return
	}
	fmt.Fprintln(w, "NAME\tSIZE\tTRIGGERS\tLOAD\tSTATUS\tPATH")
	for _, m := range r {
		trig := "(every request)"
		if len(m.Triggers) > 0 {
			trig = truncate(strings.Join(m.Triggers, ","), 40)
		}
		load := "-"
		if m.LoadTime > 0 {
			load = msText(m.LoadTime)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, units.Bytes(uint64(m.Size)), trig, load, m.Status, m.Path)
	}
}

func msText(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d.Microseconds())/1000) }
