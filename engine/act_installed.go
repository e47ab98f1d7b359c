package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/asknix/ask-nix/nixstore"
)

func actInstalled() *Action {
	return &Action{
		Name: "installed", Summary: "what is installed, with versions",
		Examples: []string{`ask-nix "what version of python do I have?"`, "ask-nix installed --profile user"},
		Phrase:   true, Profile: "reads",
		Args: []Arg{{Name: "package", Kind: String, Help: "only this package"}, argProfile},
		Plan: func(ctx context.Context, e *Engine, a Args) (Plan, error) {
			p := Plan{Paths: e.installedProfiles(a)}
			e.readPlan(ctx, &p, func() [][]string {
				var out [][]string
				for _, prof := range p.Paths {
					if env, err := userEnvironment(e.o.Host.Store, prof); err == nil {
						out = append(out, nixstore.CLIQueryArgv("references", env))
					}
				}
				return out
			})
			return p, nil
		},
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			profiles, pkg := env.Plan.Paths, env.args.String("package")
			var deps []string
			for _, p := range profiles {
				deps = append(deps, profileDeps(p)...)
			}
			deps = append(deps, e.storeDeps()...)
			return cachedAs(e, env, "installed\x00"+strings.Join(profiles, "\x00")+"\x00"+pkg, deps, func() (*InstalledResult, error) {
				res := &InstalledResult{Profiles: []nixstore.InstalledProfile{}}
				if len(profiles) == 0 {
					return res, nil
				}
				b, err := e.store(ctx)
				if err != nil {
					return nil, err
				}
				for _, p := range profiles {
					ip, err := nixstore.Installed(ctx, b, p, pkg)
					if err != nil {
						return nil, err
					}
					res.Profiles = append(res.Profiles, ip)
				}
				return res, nil
			})
		},
	}
}

// installedProfiles are the profiles `installed` reads: the one named, else the user's and
// the system's that exist.
func (e *Engine) installedProfiles(a Args) []string {
	if p := a.String("profile"); p != "" {
		return []string{e.o.Host.ProfilePath(p)}
	}
	var out []string
	for _, p := range []string{e.o.Host.UserProfile(), e.o.Host.SystemProfile()} {
		if fileExists(p) {
			out = append(out, p)
		}
	}
	return out
}

// userEnvironment is the store path whose references are a profile's packages: its
// current generation, or a NixOS system's sw (as nixstore.Installed reads it).
func userEnvironment(cfg nixstore.Config, profile string) (string, error) {
	top, err := nixstore.ResolveStorePath(cfg, profile)
	if err != nil {
		return "", err
	}
	if t, err := os.Readlink(filepath.Join(top, "sw")); err == nil {
		if sw, ok := cfg.ToStorePath(t); ok {
			return sw, nil
		}
	}
	return top, nil
}

// InstalledResult is `installed --json` (SPEC §3).
type InstalledResult struct {
	Profiles []nixstore.InstalledProfile `json:"profiles"`
}

// Render implements Result.
func (r *InstalledResult) Render(w io.Writer) {
	if len(r.Profiles) == 0 {
		fmt.Fprintln(w, "no profile found")
	}
	for _, p := range r.Profiles {
		fmt.Fprintf(w, "%s\n", p.Profile)
		if len(p.Packages) == 0 {
			fmt.Fprintln(w, "  (nothing that matches)")
		}
		for _, pkg := range p.Packages {
			fmt.Fprintf(w, "  %s\t%s\n", pkg.Name, dash(pkg.Version))
		}
	}
}
