package engine

import (
	"context"
	"fmt"
	"io"
)

func actConfig() *Action {
	return &Action{
		Name: "config", Summary: "where your system configuration is",
		Examples: []string{`ask-nix "where is my configuration?"`},
		Phrase:   true,
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{Backend: "native"}, nil },
		Run: func(_ context.Context, e *Engine, _ *Envelope) (Result, error) {
			r, err := e.config()
			if err != nil {
				return nil, err
			}
			return r, nil
		},
	}
}

// Render implements Result.
func (r *ConfigResult) Render(w io.Writer) {
	fmt.Fprintf(w, "configuration:\t%s (%s)\n", r.Path, r.Kind)
	for _, f := range r.Files {
		fmt.Fprintf(w, "\t%s\n", f)
	}
	printSources(w, r.Inputs, r.Channels)
}

// printSources lists a system's flake inputs or channels and how old they are (config,
// update).
func printSources(w io.Writer, inputs []FlakeInput, channels []Channel) {
	for _, in := range inputs {
		fmt.Fprintf(w, "input %s:\t%s %s, locked %d days ago\n", in.Name, in.Ref, short(in.Rev), in.AgeDays)
	}
	for _, c := range channels {
		age := "never updated here"
		if c.AgeDays != nil {
			age = fmt.Sprintf("updated %d days ago", *c.AgeDays)
		}
		fmt.Fprintf(w, "channel %s:\t%s, %s\n", c.Name, dash(c.URL), age)
	}
}
