package nixstore

import (
	"os"
	"path/filepath"
	"slices"
)

// GCRoots finds the store paths the garbage collector keeps, as Nix does from
// $NIX_STATE_DIR/gcroots: a link into the store is a root; a link to a link into the store
// (gcroots/auto) is an indirect root; a directory, or a link to one (gcroots/profiles), is
// searched. extra are more links to follow (/run/current-system, /run/booted-system).
// Runtime roots (open files of running processes) are not counted.
func GCRoots(cfg Config, extra ...string) []string {
	roots := map[string]bool{}
	for _, l := range gcRootLinks(cfg, extra...) {
		if sp, err := ResolveStorePath(cfg, l); err == nil {
			if _, err := os.Lstat(sp); err == nil {
				roots[sp] = true
			}
		}
	}
	out := make([]string, 0, len(roots))
	for r := range roots {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// gcRootLinks lists the links that make GC roots: those under gcroots/ and profiles/, and
// extra.
func gcRootLinks(cfg Config, extra ...string) []string {
	var links []string
	seenDirs := map[string]bool{}
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || seenDirs[real] || depth > 16 {
			return
		}
		seenDirs[real] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				walk(p, depth+1)
				continue
			}
			if e.Type()&os.ModeSymlink == 0 {
				continue
			}
			if _, err := ResolveStorePath(cfg, p); err == nil {
				links = append(links, p)
				continue
			}
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				walk(p, depth+1)
			}
		}
	}
	walk(filepath.Join(cfg.StateDir, "gcroots"), 0)
	walk(filepath.Join(cfg.StateDir, "profiles"), 0)
	for _, p := range extra {
		if _, err := os.Lstat(p); err == nil {
			links = append(links, p)
		}
	}
	return links
}
