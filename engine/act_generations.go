package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/units"
	"github.com/asknix/ask-nix/nixstore"
)

func actGenerations() *Action {
	return &Action{
		Name: "generations", Summary: "list generations with sizes and NixOS versions",
		Examples: []string{`ask-nix "list my generations"`, "ask-nix generations --profile user"},
		Phrase:   true, Profile: "reads",
		Args: []Arg{{Name: "no_sizes", Kind: Bool, Help: "skip closure sizes (the fast path)"}, argProfile},
		Plan: func(ctx context.Context, e *Engine, a Args) (Plan, error) {
			profile := e.profileFor(a)
			p := Plan{Profile: profile}
			if a.Bool("no_sizes") && e.o.Enhanced {
				p.Backend = "native" // the profile's links alone: no database, no command
				return p, nil
			}
			e.readPlan(ctx, &p, func() [][]string {
				out := [][]string{nixstore.CLIListGenerationsArgv(profile)}
				if !a.Bool("no_sizes") {
					if prof, err := nixstore.ReadProfile(profile); err == nil {
						out = append(out, nixstore.CLIClosureSizesPlan(storePaths(prof))...)
					}
				}
				return out
			})
			return p, nil
		},
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			return e.generations(ctx, env, Args(env.Intent.Args).Bool("no_sizes"))
		},
	}
}

// GenerationsResult is `generations --json` (SPEC §4).
type GenerationsResult struct{ nixstore.Profile }

// Render implements Result.
func (r *GenerationsResult) Render(w io.Writer) { r.RenderWidth(w, 0) }

// RenderWidth implements WidthRenderer: below 80 columns the date loses its time of day,
// so that a row and its mark fit 60 columns.
func (r *GenerationsResult) RenderWidth(w io.Writer, width int) {
	layout := "2006-01-02 15:04:05"
	if width > 0 && width < 80 {
		layout = "2006-01-02"
	}
	sizes := slices.ContainsFunc(r.Generations, func(g nixstore.Generation) bool { return g.ClosureSize != nil })
	fmt.Fprintf(w, "Generations of %s\n", r.Path)
	if sizes {
		fmt.Fprintln(w, "GEN\tDATE\tNIXOS\tKERNEL\tSIZE\t")
	} else {
		fmt.Fprintln(w, "GEN\tDATE\tNIXOS\tKERNEL\t")
	}
	for _, g := range r.Generations {
		mark := ""
		switch {
		case g.Current && g.Booted:
			mark = "(current, booted)"
		case g.Current:
			mark = "(current)"
		case g.Booted:
			mark = "(booted)"
		}
		nixos := g.NixOSVersion
		if len(g.Specialisations) > 0 {
			nixos += " +" + strings.Join(g.Specialisations, ",")
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t", g.Generation, g.Date.Format(layout), dash(nixos), dash(g.KernelVersion))
		if sizes {
			size := "-"
			if g.ClosureSize != nil {
				size = units.Bytes(*g.ClosureSize)
			}
			fmt.Fprintf(w, "%s\t", size)
		}
		fmt.Fprintf(w, "%s\n", mark)
	}
}

// markBooted marks the generation the machine booted (/run/booted-system).
func (e *Engine) markBooted(p *nixstore.Profile) {
	booted, err := nixstore.ResolveStorePath(e.o.Host.Store, e.o.Host.HostPath("/run/booted-system"))
	if err != nil {
		return
	}
	for i := range p.Generations {
		p.Generations[i].Booted = p.Generations[i].Path == booted
	}
}

func storePaths(p nixstore.Profile) []string {
	out := make([]string, 0, len(p.Generations))
	for _, g := range p.Generations {
		out = append(out, g.Path)
	}
	return out
}

// generations lists a profile's generations. The list is read from the profile's links
// (cached against them); each closure size is cached by its store path alone, which
// determines it, so a new generation costs only its own closure and a touched profile
// directory costs nothing.
func (e *Engine) generations(ctx context.Context, env *Envelope, noSizes bool) (Result, error) {
	profile := env.Plan.Profile
	if noSizes || !e.o.Enhanced {
		key := fmt.Sprintf("generations\x00%s\x00%v", profile, noSizes)
		deps := append(profileDeps(profile), e.storeDeps()...)
		deps = append(deps, e.o.Host.HostPath("/run/booted-system"))
		return cachedAs(e, env, key, deps, func() (*GenerationsResult, error) {
			p, err := e.readGenerations(ctx, profile, noSizes)
			if err != nil {
				return nil, err
			}
			if !noSizes {
				b, err := e.store(ctx)
				if err != nil {
					return nil, err
				}
				if err := nixstore.AddClosureSizes(ctx, b, &p); err != nil {
					return nil, err
				}
			}
			e.markBooted(&p)
			return &GenerationsResult{p}, nil
		})
	}
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return nil, err
	}
	var missing []string
	for i := range p.Generations {
		g := &p.Generations[i]
		if _, err := os.Lstat(g.Path); err != nil {
			continue // collected: no size, no NixOS files
		}
		e.addNixOSInfo(g)
		if s, ok := e.closureSizeCached(g.Path); ok {
			g.ClosureSize = &s
		} else {
			missing = append(missing, g.Path)
		}
	}
	env.Metrics.Cache = "hit"
	if e.cacheOff() {
		env.Metrics.Cache = "off"
	} else {
		e.cache.Record(len(missing) == 0)
	}
	if len(missing) > 0 {
		if !e.cacheOff() {
			env.Metrics.Cache = "miss"
		}
		b, err := e.store(ctx)
		if err != nil {
			return nil, err
		}
		sizes, err := b.ClosureSizes(ctx, missing)
		if err != nil {
			return nil, err
		}
		for i := range p.Generations {
			g := &p.Generations[i]
			if c, ok := sizes[g.Path]; ok && g.ClosureSize == nil {
				s := c.NarSize
				g.ClosureSize = &s
				e.putClosureSize(g.Path, s)
			}
		}
	}
	e.markBooted(&p)
	return &GenerationsResult{p}, nil
}

// readGenerations lists generations through the backend (nix-env with the nix CLI).
func (e *Engine) readGenerations(ctx context.Context, profile string, noSizes bool) (nixstore.Profile, error) {
	var p nixstore.Profile
	var err error
	if noSizes && e.o.Enhanced {
		p, err = nixstore.ReadProfile(profile)
	} else {
		b, berr := e.store(ctx)
		if berr != nil {
			return p, berr
		}
		p, err = b.Generations(ctx, profile)
	}
	if err != nil {
		return p, err
	}
	nixstore.AddNixOSInfo(&p)
	return p, nil
}

func (e *Engine) closureKey(path string) string {
	return cache.PurePrefix + "closure\x00" + e.backendName() + "\x00" + e.o.Host.Store.StoreDir + "\x00" + path
}

// closureSizeCached is a store path's closure size from the cache; the caller checked
// that the path exists.
func (e *Engine) closureSizeCached(path string) (uint64, bool) {
	if e.cache == nil {
		return 0, false
	}
	b, ok := e.cache.Pure(e.closureKey(path))
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	return n, err == nil
}

// nixosInfo is what a system's store path says of itself, which is a pure function of the
// path: cached by it, as closure sizes are.
type nixosInfo struct {
	Version, Kernel, Rev string
	Specs                []string
}

func (e *Engine) addNixOSInfo(g *nixstore.Generation) {
	key := cache.PurePrefix + "nixos\x00" + e.o.Host.Store.StoreDir + "\x00" + g.Path
	var info nixosInfo
	if b, ok := e.cache.Pure(key); ok && json.Unmarshal(b, &info) == nil {
		g.NixOSVersion, g.KernelVersion, g.ConfigurationRevision, g.Specialisations = info.Version, info.Kernel, info.Rev, info.Specs
		return
	}
	g.NixOSVersion, g.KernelVersion, g.ConfigurationRevision, g.Specialisations = nixstore.NixOSInfo(g.Path)
	if b, err := json.Marshal(nixosInfo{g.NixOSVersion, g.KernelVersion, g.ConfigurationRevision, g.Specialisations}); err == nil {
		e.cache.Put(key, "", b)
	}
}

func (e *Engine) putClosureSize(path string, n uint64) {
	if e.cache != nil {
		e.cache.Put(e.closureKey(path), "", []byte(strconv.FormatUint(n, 10)))
	}
}
