package nixstore

import (
	"os"
	"path/filepath"
	"slices"
	"time"
)

// CleanupSelection says which generations a cleanup deletes and keeps.
type CleanupSelection struct {
	Delete []int `json:"deleted"`
	Keep   []int `json:"kept"`
}

// SelectCleanup chooses the generations to delete (SPEC §2): keep > 0 keeps the keep
// newest; olderThan > 0 deletes those older than now-olderThan except the one that was
// current at that cutoff (the newest of them, as nix-collect-garbage does); with both, only
// what both would delete goes; with neither, every generation but the current one goes.
// The current generation, every generation newer than it (what a rollback left behind)
// and every generation whose store path is in protect (the booted system, the running one)
// are always kept. keep < 0 means not given.
func SelectCleanup(p Profile, keep int, olderThan time.Duration, now time.Time, protect []string) CleanupSelection {
	gens := slices.Clone(p.Generations)
	slices.SortFunc(gens, func(a, b Generation) int { return b.Generation - a.Generation }) // newest first
	byKeep := map[int]bool{}
	if keep >= 0 {
		for i, g := range gens {
			if i >= keep {
				byKeep[g.Generation] = true
			}
		}
	}
	byAge := map[int]bool{}
	if olderThan > 0 {
		cutoff := now.Add(-olderThan)
		currentAtCutoff := true
		for _, g := range gens {
			if !g.Date.Before(cutoff) {
				continue
			}
			if currentAtCutoff {
				currentAtCutoff = false // the newest generation older than the cutoff stays
				continue
			}
			byAge[g.Generation] = true
		}
	}
	sel := CleanupSelection{Delete: []int{}, Keep: []int{}}
	cur, hasCur := p.CurrentGeneration()
	for _, g := range gens {
		del := true
		switch {
		case keep >= 0 && olderThan > 0:
			del = byKeep[g.Generation] && byAge[g.Generation]
		case keep >= 0:
			del = byKeep[g.Generation]
		case olderThan > 0:
			del = byAge[g.Generation]
		}
		if g.Current || hasCur && g.Generation > cur.Generation || slices.Contains(protect, g.Path) {
			del = false
		}
		if del {
			sel.Delete = append(sel.Delete, g.Generation)
		} else {
			sel.Keep = append(sel.Keep, g.Generation)
		}
	}
	slices.Sort(sel.Delete)
	slices.Sort(sel.Keep)
	return sel
}

// GCRootsWithout is GCRoots as it will be once the links in gone are deleted: a root
// reached through one of them does not count.
func GCRootsWithout(cfg Config, gone []string, extra ...string) []string {
	goneSet := map[string]bool{}
	for _, g := range gone {
		goneSet[filepath.Clean(g)] = true
	}
	var roots []string
	seen := map[string]bool{}
	for _, r := range gcRootLinks(cfg, extra...) {
		if reachesThrough(cfg, r, goneSet) {
			continue
		}
		if sp, err := ResolveStorePath(cfg, r); err == nil && !seen[sp] {
			if _, err := os.Lstat(sp); err == nil {
				seen[sp] = true
				roots = append(roots, sp)
			}
		}
	}
	slices.Sort(roots)
	return roots
}

// reachesThrough reports whether following link passes through one of gone.
func reachesThrough(cfg Config, link string, gone map[string]bool) bool {
	p := filepath.Clean(link)
	for range 40 {
		if gone[p] {
			return true
		}
		if cfg.InStore(p) {
			return false
		}
		t, err := os.Readlink(p)
		if err != nil {
			return false
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = filepath.Clean(t)
	}
	return false
}
