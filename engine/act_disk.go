package engine

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"syscall"

	"github.com/asknix/ask-nix/engine/units"
	"github.com/asknix/ask-nix/nixstore"
)

func actDisk() *Action {
	return &Action{
		Name: "disk", Summary: "store size, free space and what a cleanup would reclaim",
		Examples: []string{`ask-nix "how much disk space do I have?"`},
		Phrase:   true, Profile: "reads",
		Args: []Arg{argProfile},
		Plan: func(ctx context.Context, e *Engine, a Args) (Plan, error) {
			p := Plan{Profile: e.profileFor(a)}
			e.readPlan(ctx, &p, func() [][]string { return [][]string{nixstore.CLIAllPathsArgv()} })
			return p, nil
		},
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			deps := append(e.storeDeps(), filepath.Join(e.o.Host.Store.StateDir, "gcroots"), filepath.Join(e.o.Host.Store.StateDir, "gcroots", "auto"))
			deps = append(deps, profileDeps(env.Plan.Profile)...)
			return cachedAs(e, env, "disk\x00"+env.Plan.Profile, deps, func() (*DiskResult, error) { return e.disk(ctx, env.Plan.Profile) })
		},
	}
}

// DiskResult is `disk --json` (SPEC §3).
type DiskResult struct {
	Store      nixstore.StoreStats `json:"store"`
	Filesystem Filesystem          `json:"filesystem"`
	// ReclaimableBytes is what the default cleanup of the default profile would free:
	// its old generations deleted (not the current, booted or newer ones), then garbage
	// collected.
	ReclaimableBytes uint64 `json:"reclaimableBytes"`
	Profile          string `json:"profile"`
	OldGenerations   int    `json:"oldGenerations"`
}

// Filesystem is the store's filesystem.
type Filesystem struct {
	Path       string `json:"path"`
	TotalBytes uint64 `json:"totalBytes"`
	FreeBytes  uint64 `json:"freeBytes"`
}

// Render implements Result.
func (r *DiskResult) Render(w io.Writer) {
	fmt.Fprintf(w, "store:\t%d paths, %s\n", r.Store.Paths, units.Bytes(r.Store.NarBytes))
	fmt.Fprintf(w, "filesystem:\t%s free of %s (%s)\n", units.Bytes(r.Filesystem.FreeBytes), units.Bytes(r.Filesystem.TotalBytes), r.Filesystem.Path)
	fmt.Fprintf(w, "reclaimable:\t%s (ask-nix cleanup: %s of %s, and garbage)\n", units.Bytes(r.ReclaimableBytes), plural(r.OldGenerations, "old generation"), r.Profile)
}

func (e *Engine) disk(ctx context.Context, profile string) (*DiskResult, error) {
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	r := &DiskResult{Profile: profile}
	r.Filesystem.Path = e.o.Host.Store.StoreDir
	var st syscall.Statfs_t
	if err := syscall.Statfs(e.o.Host.Store.StoreDir, &st); err == nil {
		r.Filesystem.TotalBytes = st.Blocks * uint64(st.Bsize)
		r.Filesystem.FreeBytes = st.Bavail * uint64(st.Bsize)
	}
	var gone []string
	if sel, err := e.cleanupSelection(profile, Args{}); err == nil {
		r.OldGenerations = len(sel.Delete)
		for _, g := range sel.Delete {
			gone = append(gone, fmt.Sprintf("%s-%d-link", profile, g))
		}
	}
	h := e.o.Host
	roots := nixstore.GCRootsWithout(h.Store, gone, h.HostPath("/run/current-system"), h.HostPath("/run/booted-system"))
	roots = append(roots, nixstore.RuntimeRoots(h.Store)...)
	switch b := b.(type) {
	case *nixstore.Native:
		if r.Store, err = b.Stats(ctx); err != nil {
			return nil, err
		}
		if _, r.ReclaimableBytes, err = b.DeadBytes(ctx, roots); err != nil {
			return nil, err
		}
	case *nixstore.CLI:
		infos, err := b.AllPaths(ctx)
		if err != nil {
			return nil, err
		}
		r.Store.Paths = len(infos)
		for _, pi := range infos {
			r.Store.NarBytes += pi.NarSize
		}
		_, r.ReclaimableBytes = nixstore.Dead(infos, roots)
	}
	return r, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
