package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/asknix/ask-nix/engine/runner"
	"github.com/asknix/ask-nix/nixstore"
)

// What plans share: where a profile is, whether it is the system's, elevation, the state a
// change checks before it runs, and what deleting generations frees.

// profileFor is the profile an action's "profile" argument names (default: system on
// NixOS, else the user's).
func (e *Engine) profileFor(a Args) string { return e.o.Host.ProfilePath(a.String("profile")) }

// isSystem reports whether a profile is the system's: its steps run elevated.
func (e *Engine) isSystem(name, profile string) bool {
	return name == "system" || (name == "" && e.o.Host.DefaultProfile() == "system") || profile == e.o.Host.SystemProfile()
}

// elevation is the command privileged steps run through (SPEC §2): sudo unless configured.
func (e *Engine) elevation() string {
	if e.o.Elevation != "" {
		return e.o.Elevation
	}
	return "sudo"
}

// step writes one command of a plan: Nix's tools with --log-format internal-json (the
// progress display reads it), behind the elevation command when the step is privileged
// and ask-nix is not root.
func (e *Engine) step(p *Plan, privileged bool, argv ...string) []string {
	if privileged && !e.o.User.Root {
		p.Privileged = true
		argv = append([]string{e.elevation()}, argv...)
	}
	return runner.WithLogFormat(argv)
}

// profileState is what a change checks before it runs: where the profile points and
// which generations it has. "" when the profile cannot be read.
func profileState(profile string) string {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return ""
	}
	t, _ := os.Readlink(profile)
	var b strings.Builder
	b.WriteString(t)
	for _, g := range p.Generations {
		fmt.Fprintf(&b, " %d=%s", g.Generation, g.Path)
	}
	return b.String()
}

// generationsOf reads a profile for a plan; a missing profile is an error naming it.
func generationsOf(profile string) (nixstore.Profile, nixstore.Generation, error) {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return p, nixstore.Generation{}, err
	}
	cur, ok := p.CurrentGeneration()
	if !ok {
		return p, cur, fmt.Errorf("%w: %s has no current generation", ErrInvalidArgument, profile)
	}
	return p, cur, nil
}

// freedBy is what deleting generations gen of profile and collecting garbage frees: the
// valid store paths that no remaining root reaches, with their narSize. It is computed
// natively from the reference graph; the one place heal, disk and cleanup ask.
func (e *Engine) freedBy(ctx context.Context, profile string, gens []int) (map[string]uint64, uint64, error) {
	b, err := e.store(ctx)
	if err != nil {
		return nil, 0, err
	}
	n, ok := b.(*nixstore.Native)
	if !ok {
		return nil, 0, errors.New("what a cleanup frees is computed from the store database, which cannot be read here")
	}
	var gone []string
	for _, g := range gens {
		gone = append(gone, fmt.Sprintf("%s-%d-link", profile, g))
	}
	roots := nixstore.GCRootsWithout(e.o.Host.Store, gone, e.o.Host.HostPath("/run/current-system"), e.o.Host.HostPath("/run/booted-system"))
	roots = append(roots, nixstore.RuntimeRoots(e.o.Host.Store)...) // as the collector sees them
	dead, err := n.DeadPaths(ctx, roots)
	if err != nil {
		return nil, 0, err
	}
	infos, err := n.PathInfo(ctx, dead, false)
	if err != nil {
		return nil, 0, err
	}
	out := make(map[string]uint64, len(infos))
	var sum uint64
	for _, pi := range infos {
		out[pi.Path] = pi.NarSize
		sum += pi.NarSize
	}
	return out, sum, nil
}

// protected are the store paths a cleanup never deletes the generation of: the booted
// system and the running one.
func (e *Engine) protected() []string {
	var out []string
	for _, l := range []string{"/run/booted-system", "/run/current-system"} {
		if sp, err := nixstore.ResolveStorePath(e.o.Host.Store, e.o.Host.HostPath(l)); err == nil {
			out = append(out, sp)
		}
	}
	return out
}

// cleanupSelection is which generations a cleanup deletes (SPEC §2).
func (e *Engine) cleanupSelection(profile string, a Args) (nixstore.CleanupSelection, error) {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return nixstore.CleanupSelection{}, err
	}
	keep := -1
	if k, ok := a.Int("keep"); ok {
		keep = k
	}
	older, err := parseAge(a.String("older_than"))
	if err != nil {
		return nixstore.CleanupSelection{}, err
	}
	return nixstore.SelectCleanup(p, keep, older, e.o.Now(), e.protected()), nil
}

// plannedPaths are the exact commands a read of the nix CLI backend runs; nil with the
// native reader.
func (e *Engine) readPlan(ctx context.Context, p *Plan, cli func() [][]string) {
	p.Backend = "native"
	b, err := e.store(ctx)
	if err != nil || b.Name() != "nix-cli" {
		return
	}
	p.Backend = "nix-cli"
	p.Argv = cli()
	if p.Argv == nil {
		p.Argv = [][]string{}
	}
}

// absLink makes a profile-relative link target absolute.
func absLink(dir, t string) string {
	if !filepath.IsAbs(t) {
		t = filepath.Join(dir, t)
	}
	return filepath.Clean(t)
}

func sortedInts(s []int) []int { s = slices.Clone(s); slices.Sort(s); return s }
