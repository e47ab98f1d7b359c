package nixstore

import (
	"os"
	"path/filepath"
	"regexp"
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

// RuntimeRoots are the store paths running processes hold, as Nix's garbage collector
// finds them (LocalStore::findRuntimeRoots): their executables, working directories and
// open files, and store paths named in their memory maps and environments. Processes this
// user may not inspect are skipped (Nix, as root, sees them all).
func RuntimeRoots(cfg Config) []string {
	re, err := regexp.Compile(regexp.QuoteMeta(cfg.StoreDir) + `/[0-9a-z]{32}-[0-9a-zA-Z+\-._?=]+`)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	add := func(p string) {
		if sp, ok := cfg.ToStorePath(p); ok {
			seen[sp] = true
		}
	}
	procs, _ := os.ReadDir("/proc")
	for _, e := range procs {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		for _, l := range []string{"exe", "cwd"} {
			if t, err := os.Readlink(filepath.Join(dir, l)); err == nil {
				add(t)
			}
		}
		if fds, err := os.ReadDir(filepath.Join(dir, "fd")); err == nil {
			for _, fd := range fds {
				if t, err := os.Readlink(filepath.Join(dir, "fd", fd.Name())); err == nil {
					add(t)
				}
			}
		}
		for _, f := range []string{"maps", "environ"} {
			if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
				for _, m := range re.FindAll(b, -1) {
					add(string(m))
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
