package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/units"
	"github.com/asknix/ask-nix/nixstore"
)

func actDiff() *Action {
	return &Action{
		Name: "diff", Summary: "what changed between two generations",
		Examples: []string{`ask-nix "what changed since the last generation"`, "ask-nix diff 41 42"},
		Phrase:   true, Profile: "reads",
		Args: []Arg{
			{Name: "from", Kind: Int, Min: 1, Help: "the older generation"},
			{Name: "to", Kind: Int, Min: 1, Help: "the newer generation"},
			argProfile,
		},
		Plan: planDiff,
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			p := env.Plan
			from, to := p.Paths[0], p.Paths[1]
			deps := append(profileDeps(p.Profile), e.storeDeps()...)
			return cachedAs(e, env, fmt.Sprintf("diff\x00%s\x00%d\x00%d", p.Profile, *p.From, *p.To), deps, func() (*DiffResult, error) {
				b, err := e.store(ctx)
				if err != nil {
					return nil, err
				}
				d, err := nixstore.DiffClosures(ctx, b, from, to)
				if err != nil {
					return nil, err
				}
				return &DiffResult{Profile: p.Profile, From: *p.From, To: *p.To, Diff: d}, nil
			})
		},
	}
}

// planDiff finds the two generations (default: the one before the current one and the
// current one) and their store paths.
func planDiff(ctx context.Context, e *Engine, a Args) (Plan, error) {
	profile := e.profileFor(a)
	p := Plan{Profile: profile}
	prof, cur, err := generationsOf(profile)
	if err != nil {
		return p, err
	}
	path := map[int]string{}
	for _, g := range prof.Generations {
		path[g.Generation] = g.Path
	}
	to := cur.Generation
	if n, ok := a.Int("to"); ok {
		to = n
	}
	from := -1
	if n, ok := a.Int("from"); ok {
		from = n
	} else {
		for _, g := range prof.Generations { // newest first: the first older than to
			if g.Generation < to {
				from = g.Generation
				break
			}
		}
	}
	for _, n := range []int{from, to} {
		if _, ok := path[n]; !ok {
			if n < 0 {
				return p, fmt.Errorf("%w: %s has no generation before %d to compare with", ErrInvalidArgument, profile, to)
			}
			return p, fmt.Errorf("%w: %s has no generation %d", ErrInvalidArgument, profile, n)
		}
	}
	p.From, p.To, p.Paths = &from, &to, []string{path[from], path[to]}
	e.readPlan(ctx, &p, func() [][]string {
		out := [][]string{nixstore.CLIQueryArgv("requisites", path[from]), nixstore.CLIQueryArgv("requisites", path[to])}
		return append(out, nixstore.CLIClosureSizesPlan([]string{path[from], path[to]})...)
	})
	return p, nil
}

// DiffResult is `diff --json` (SPEC §3).
type DiffResult struct {
	Profile string `json:"profile"`
	From    int    `json:"from"`
	To      int    `json:"to"`
	// ToPath is the store path compared with when it is not a generation (update --to).
	ToPath string `json:"toPath,omitempty"`
	nixstore.Diff
}

// Render implements Result.
func (r *DiffResult) Render(w io.Writer) {
	if r.ToPath != "" {
		fmt.Fprintf(w, "%s: generation %d → %s\n", r.Profile, r.From, r.ToPath)
	} else {
		fmt.Fprintf(w, "%s: generation %d → %d\n", r.Profile, r.From, r.To)
	}
	for _, a := range r.Added {
		fmt.Fprintf(w, "  %s:\t∅ → %s\n", a.Name, a.Version)
	}
	for _, x := range r.Removed {
		fmt.Fprintf(w, "  %s:\t%s → ∅\n", x.Name, x.Version)
	}
	for _, c := range r.Changed {
		fmt.Fprintf(w, "  %s:\t%s → %s\n", c.Name, c.From, c.To)
	}
	sign := "+"
	if r.ClosureSizeDelta < 0 {
		sign = "-"
	}
	fmt.Fprintf(w, "closure size: %s%s\n", sign, units.Bytes(uint64(max(r.ClosureSizeDelta, -r.ClosureSizeDelta))))
}

// diffTo compares profile's current generation with the store path to, natively.
func (e *Engine) diffTo(ctx context.Context, profile, to string) (*DiffResult, error) {
	_, cur, err := generationsOf(profile)
	if err != nil {
		return nil, err
	}
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := b.PathInfo(ctx, []string{to}, false)
	if err != nil || len(infos) != 1 {
		return nil, fmt.Errorf("%w: --to %s is not a valid store path: %v", ErrInvalidArgument, to, err)
	}
	d, err := nixstore.DiffClosures(ctx, b, cur.Path, infos[0].Path)
	if err != nil {
		return nil, err
	}
	return &DiffResult{Profile: profile, From: cur.Generation, ToPath: infos[0].Path, Diff: d}, nil
}
