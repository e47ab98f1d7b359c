package nixstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// NameVersion is a package in a diff.
type NameVersion struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Change is a package whose versions differ between two closures.
type Change struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Diff is the package-level difference of two closures, as `nix store diff-closures`
// computes it: paths grouped by name, versions compared as sets.
type Diff struct {
	Added            []NameVersion `json:"added"`
	Removed          []NameVersion `json:"removed"`
	Changed          []Change      `json:"changed"`
	ClosureSizeDelta int64         `json:"closureSizeDelta"`
}

// versions renders a version set as Nix does: sorted, ", "-separated, "ε" for an empty
// version.
func versions(set map[string]bool) string {
	var vs []string
	for v := range set {
		if v == "" {
			v = "ε"
		}
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return strings.Join(vs, ", ")
}

func byName(paths []string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, p := range paths {
		if strings.HasSuffix(p, ".drv") {
			continue
		}
		n, v := ParseName(p)
		if out[n] == nil {
			out[n] = map[string]bool{}
		}
		out[n][v] = true
	}
	return out
}

// DiffClosures compares the closures of two store paths.
func DiffClosures(ctx context.Context, b Backend, from, to string) (Diff, error) {
	d := Diff{Added: []NameVersion{}, Removed: []NameVersion{}, Changed: []Change{}}
	a, err := b.Closure(ctx, from)
	if err != nil {
		return d, fmt.Errorf("closure of %s: %w", from, err)
	}
	z, err := b.Closure(ctx, to)
	if err != nil {
		return d, fmt.Errorf("closure of %s: %w", to, err)
	}
	sizes, err := b.ClosureSizes(ctx, []string{from, to})
	if err != nil {
		return d, err
	}
	d.ClosureSizeDelta = int64(sizes[to].NarSize) - int64(sizes[from].NarSize)
	old, cur := byName(a), byName(z)
	names := map[string]bool{}
	for n := range old {
		names[n] = true
	}
	for n := range cur {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)
	for _, n := range sorted {
		ov, nv := old[n], cur[n]
		switch {
		case len(ov) == 0:
			d.Added = append(d.Added, NameVersion{n, versions(nv)})
		case len(nv) == 0:
			d.Removed = append(d.Removed, NameVersion{n, versions(ov)})
		case versions(ov) != versions(nv):
			d.Changed = append(d.Changed, Change{n, versions(ov), versions(nv)})
		}
	}
	return d, nil
}
