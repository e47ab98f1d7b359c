package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/search"
)

func actIndexUpdate() *Action {
	return &Action{
		Name: "index-update", Command: "index update", Summary: "(re)build the package index, with a progress bar",
		Examples: []string{"ask-nix index update", "ask-nix index update --from packages.json.br"},
		Args: []Arg{
			{Name: "source", Kind: String, Help: "a file or URL"},
			{Name: "options", Kind: Bool, Help: "update the options index"},
		},
		Plan: func(context.Context, *Engine, Args) (Plan, error) { return Plan{Backend: "index"}, nil },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			from, opts := env.args.String("source"), env.args.Bool("options")
			if from == "" {
				from = e.channelSource(opts)
			}
			if from == "" {
				var why string
				from, why = e.releaseSource(opts)
				if from == "" {
					return nil, fmt.Errorf("%w: no channel found (in /root/.nix-channels or ~/.nix-channels) and %s: use index update --from FILE or --from URL (a packages.json.br)", ErrInvalidArgument, why)
				}
				e.o.Debugf("index source: the release of this system's nixpkgs, %s", from)
			}
			paths := e.o.IndexPaths
			if opts {
				paths = e.o.OptionsPaths
			}
			if len(paths) == 0 {
				return nil, fmt.Errorf("%w: no place for the user's index (set HOME or XDG_DATA_HOME)", ErrInvalidArgument)
			}
			res, err := e.updateIndex(ctx, from, paths[0], opts)
			if err != nil {
				return nil, err
			}
			return IndexUpdateResult{UpdateResult: res, Options: opts}, nil
		},
	}
}

// IndexUpdateResult is `index update --json`.
type IndexUpdateResult struct {
	search.UpdateResult
	Options bool `json:"-"`
}

// Render implements Result.
func (r IndexUpdateResult) Render(w io.Writer) {
	what := "packages"
	if r.Options {
		what = "options"
	}
	fmt.Fprintf(w, "index updated: %d %s from %s in %.1fs (%s)\n", r.Index.Packages, what, r.Index.Source, r.Seconds, r.Index.Path)
}
