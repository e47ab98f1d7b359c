package nixstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nix-community/go-nix/pkg/storepath"
)

// InstalledPackage is one package a profile holds.
type InstalledPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Path    string `json:"path"`
}

// InstalledProfile is the packages of one profile (SPEC §3 `installed`).
type InstalledProfile struct {
	Profile  string             `json:"profile"`
	Packages []InstalledPackage `json:"packages"`
}

// ParseName splits a store path's name into name and version the way Nix's DrvName does:
// the version starts after the first dash that is not followed by a letter
// ("python3-3.12.4" → python3, 3.12.4).
func ParseName(p string) (name, version string) {
	base := filepath.Base(p)
	if sp, err := storepath.FromString(base); err == nil {
		base = sp.Name
	} else if i := strings.IndexByte(base, '-'); i == 32 {
		base = base[i+1:]
	}
	for i := 0; i+1 < len(base); i++ {
		if c := base[i+1]; base[i] == '-' && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return base[:i], base[i+1:]
		}
	}
	return base, ""
}

// Installed lists what a profile's current generation holds: the store paths its user
// environment (nix-env, nix profile) refers to or, for a NixOS system, what its sw
// (system-path) refers to. pkg, when set, keeps the packages whose name is pkg or starts
// with it ("python" finds python3).
func Installed(ctx context.Context, b Backend, profile, pkg string) (InstalledProfile, error) {
	out := InstalledProfile{Profile: profile, Packages: []InstalledPackage{}}
	top, err := ResolveStorePath(b.config(), profile)
	if err != nil {
		if _, statErr := os.Lstat(profile); errors.Is(statErr, os.ErrNotExist) {
			return out, fmt.Errorf("%w: %s does not exist", ErrNotProfile, profile)
		}
		return out, err
	}
	env := top
	if t, err := os.Readlink(filepath.Join(top, "sw")); err == nil {
		if sw, ok := b.config().ToStorePath(t); ok {
			env = sw // a NixOS system: the packages are system-path's
		}
	}
	refs, err := b.References(ctx, env)
	if err != nil {
		return out, err
	}
	want := strings.ToLower(pkg)
	for _, r := range refs {
		if r == env || strings.HasSuffix(r, "-env-manifest.nix") || strings.HasSuffix(r, ".drv") {
			continue
		}
		name, version := ParseName(r)
		if want != "" && !strings.HasPrefix(strings.ToLower(name), want) {
			continue
		}
		out.Packages = append(out.Packages, InstalledPackage{Name: name, Version: version, Path: r})
	}
	sort.Slice(out.Packages, func(i, j int) bool { return out.Packages[i].Name < out.Packages[j].Name })
	return out, nil
}
