package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/units"
	"github.com/asknix/ask-nix/nixstore"
)

func actPathInfo() *Action {
	return &Action{
		Name: "path-info", Summary: "store-object info, read natively",
		Examples: []string{"ask-nix path-info -S /run/current-system"},
		Args: []Arg{
			{Name: "paths", Kind: Strings, Help: "store paths or links into the store"},
			{Name: "closure_size", Kind: Bool, Help: "add closure sizes"},
		},
		// The paths are resolved when planned (a .drv stands for its outputs, as in Nix
		// 2.8); the nix CLI backend then runs exactly the planned path-info.
		Plan: func(ctx context.Context, e *Engine, a Args) (Plan, error) {
			p := Plan{}
			paths := a.Strings("paths")
			if len(paths) == 0 {
				return p, fmt.Errorf("%w: path-info needs at least one path", ErrUsage)
			}
			e.readPlan(ctx, &p, func() [][]string { return nil })
			b, err := e.store(ctx)
			if err != nil {
				return p, err
			}
			if p.Paths, err = nixstore.Installables(ctx, b, paths); err != nil {
				return p, err
			}
			if p.Backend == "nix-cli" {
				p.Argv = nixstore.CLIPathInfoPlan(p.Paths, a.Bool("closure_size"))
			}
			return p, nil
		},
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			withSize := Args(env.Intent.Args).Bool("closure_size")
			deps := append(e.storeDeps(), env.Plan.Paths...)
			return cachedAs(e, env, "path-info\x00"+argsKey(env.Intent.Args), deps, func() (PathInfoResult, error) {
				b, err := e.store(ctx)
				if err != nil {
					return nil, err
				}
				return b.PathInfo(ctx, env.Plan.Paths, withSize)
			})
		},
	}
}

// PathInfoResult is `path-info --json`: Nix 2.8's list.
type PathInfoResult []nixstore.PathInfo

// Render implements Result.
func (r PathInfoResult) Render(w io.Writer) {
	for _, p := range r {
		if p.ClosureSize > 0 {
			fmt.Fprintf(w, "%s\t%s\t%s\n", p.Path, units.Bytes(p.NarSize), units.Bytes(p.ClosureSize))
		} else {
			fmt.Fprintf(w, "%s\t%s\n", p.Path, units.Bytes(p.NarSize))
		}
	}
}
