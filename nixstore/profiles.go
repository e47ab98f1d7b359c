package nixstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Host locates the files of the machine ask-nix runs on. Root prefixes every host path that
// is not the store or its state (SPEC §4, ASK_NIX_ROOT).
type Host struct {
	Store Config
	Root  string // ASK_NIX_ROOT
	Home  string
	User  string
	UID   int
	// XDGStateHome is $XDG_STATE_HOME, or empty for the default ~/.local/state.
	XDGStateHome string
}

// HostPath prefixes an absolute host path with Root.
func (h Host) HostPath(p string) string {
	if h.Root == "" {
		return p
	}
	return filepath.Join(h.Root, p)
}

// IsNixOS reports whether the host is NixOS: /etc/NIXOS or /run/current-system exists.
func (h Host) IsNixOS() bool {
	for _, p := range []string{"/etc/NIXOS", "/run/current-system"} {
		if _, err := os.Lstat(h.HostPath(p)); err == nil {
			return true
		}
	}
	return false
}

// SystemProfile is $NIX_STATE_DIR/profiles/system.
func (h Host) SystemProfile() string { return filepath.Join(h.Store.StateDir, "profiles", "system") }

// UserProfile finds the user's profile the way Nix does (SPEC §4).
func (h Host) UserProfile() string {
	if h.Home != "" {
		link := filepath.Join(h.Home, ".nix-profile")
		if t, err := os.Readlink(link); err == nil {
			if !filepath.IsAbs(t) {
				t = filepath.Join(h.Home, t)
			}
			return filepath.Clean(t)
		}
	}
	state := h.XDGStateHome
	if state == "" && h.Home != "" {
		state = filepath.Join(h.Home, ".local", "state")
	}
	var candidates []string
	if state != "" {
		candidates = append(candidates, filepath.Join(state, "nix", "profiles", "profile"))
	}
	if h.User != "" {
		candidates = append(candidates, filepath.Join(h.Store.StateDir, "profiles", "per-user", h.User, "profile"))
	}
	if h.UID == 0 {
		candidates = append(candidates, filepath.Join(h.Store.StateDir, "profiles", "default"))
	}
	for _, c := range candidates {
		if _, err := os.Lstat(c); err == nil {
			return c
		}
	}
	if len(candidates) > 0 {
		return candidates[0]
	}
	return filepath.Join(h.Store.StateDir, "profiles", "default")
}

// DefaultProfile is "system" on NixOS, else "user".
func (h Host) DefaultProfile() string {
	if h.IsNixOS() {
		return "system"
	}
	return "user"
}

// ProfilePath maps "system", "user", "" (the default) or a path to a profile path.
func (h Host) ProfilePath(name string) string {
	switch name {
	case "":
		return h.ProfilePath(h.DefaultProfile())
	case "system":
		return h.SystemProfile()
	case "user":
		return h.UserProfile()
	}
	p := name
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p
}

// Generation is one generation of a profile (SPEC §4), with nixos-rebuild's field names.
type Generation struct {
	Generation            int       `json:"generation"`
	Date                  time.Time `json:"date"`
	Current               bool      `json:"current"`
	Booted                bool      `json:"booted,omitempty"` // the generation /run/booted-system is
	Path                  string    `json:"path"`
	ClosureSize           *uint64   `json:"closureSize,omitempty"`
	NixOSVersion          string    `json:"nixosVersion,omitempty"`
	KernelVersion         string    `json:"kernelVersion,omitempty"`
	ConfigurationRevision string    `json:"configurationRevision,omitempty"`
	Specialisations       []string  `json:"specialisations,omitempty"`
	// Link is the generation's symlink; not part of the JSON.
	Link string `json:"-"`
}

// Profile is a profile and its generations, newest first.
type Profile struct {
	Path        string       `json:"profile"`
	Generations []Generation `json:"generations"`
}

// CurrentGeneration returns the generation the profile points at.
func (p Profile) CurrentGeneration() (Generation, bool) {
	for _, g := range p.Generations {
		if g.Current {
			return g, true
		}
	}
	return Generation{}, false
}

// linkName matches "<profile>-<N>-link".
func linkPattern(base string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `-([0-9]+)-link$`)
}

// ReadProfile lists a profile's generations from its links alone: no lock, no Nix, no
// root. Dates are each link's own mtime (lstat), as Nix uses.
func ReadProfile(profile string) (Profile, error) {
	profile = filepath.Clean(profile)
	dir, base := filepath.Split(profile)
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Profile{}, fmt.Errorf("%w: %s does not exist", ErrNotProfile, profile)
		}
		return Profile{}, fmt.Errorf("read profile %s: %w", profile, err)
	}
	current := -1
	if t, err := os.Readlink(profile); err == nil {
		if m := linkPattern(base).FindStringSubmatch(filepath.Base(t)); m != nil {
			current, _ = strconv.Atoi(m[1])
		}
	} else if _, statErr := os.Lstat(profile); statErr == nil {
		return Profile{}, fmt.Errorf("%w: %s is not a symbolic link", ErrNotProfile, profile)
	}
	re := linkPattern(base)
	out := Profile{Path: profile, Generations: []Generation{}}
	for _, e := range entries {
		m := re.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		link := filepath.Join(dir, e.Name())
		st, err := os.Lstat(link)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		target, err := os.Readlink(link)
		if err != nil {
			continue
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		out.Generations = append(out.Generations, Generation{
			Generation: n,
			Date:       st.ModTime().Truncate(time.Second).Local(),
			Current:    n == current,
			Path:       filepath.Clean(target),
			Link:       link,
		})
	}
	if len(out.Generations) == 0 {
		if _, err := os.Lstat(profile); err != nil {
			return Profile{}, fmt.Errorf("%w: %s does not exist", ErrNotProfile, profile)
		}
		if current < 0 {
			return Profile{}, fmt.Errorf("%w: %s has no generations", ErrNotProfile, profile)
		}
	}
	slices.SortFunc(out.Generations, func(a, b Generation) int { return b.Generation - a.Generation })
	return out, nil
}

// AddNixOSInfo reads the NixOS files of each generation's store path, where present.
func AddNixOSInfo(p *Profile) {
	for i := range p.Generations {
		g := &p.Generations[i]
		g.NixOSVersion, g.KernelVersion, g.ConfigurationRevision, g.Specialisations = readNixOS(g.Path)
	}
}

// NixOSInfo reads what a NixOS system's store path says of itself: its version, kernel,
// configuration revision and specialisations (empty for any other store path).
func NixOSInfo(top string) (version, kernel, rev string, specs []string) { return readNixOS(top) }

func readNixOS(top string) (version, kernel, rev string, specs []string) {
	if b, err := os.ReadFile(filepath.Join(top, "nixos-version")); err == nil {
		version = strings.TrimSpace(string(b))
	}
	if es, err := os.ReadDir(filepath.Join(top, "kernel-modules", "lib", "modules")); err == nil {
		for _, e := range es {
			kernel = e.Name()
			break
		}
	}
	if b, err := os.ReadFile(filepath.Join(top, "configuration-revision")); err == nil {
		rev = strings.TrimSpace(string(b))
	}
	if es, err := os.ReadDir(filepath.Join(top, "specialisation")); err == nil {
		for _, e := range es {
			specs = append(specs, e.Name())
		}
	}
	return version, kernel, rev, specs
}

// AddClosureSizes fills ClosureSize for every generation whose path is valid, reading the
// shared closures once.
func AddClosureSizes(ctx context.Context, b Backend, p *Profile) error {
	paths := make([]string, 0, len(p.Generations))
	for _, g := range p.Generations {
		paths = append(paths, g.Path)
	}
	sizes, err := b.ClosureSizes(ctx, paths)
	if err != nil {
		return err
	}
	for i := range p.Generations {
		if c, ok := sizes[p.Generations[i].Path]; ok {
			s := c.NarSize
			p.Generations[i].ClosureSize = &s
		}
	}
	return nil
}
