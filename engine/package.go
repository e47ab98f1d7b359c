package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/asknix/ask-nix/engine/runner"
	"github.com/asknix/ask-nix/nixstore"
)

// What install and remove share (SPEC §2): which profiles they may change, how, and the
// check after the run that the new generation holds (or lacks) the package.

// ErrUnmanagedProfile is a profile that nix-env -i and nix profile did not make: a NixOS
// system, Home Manager's, one made with nix-env --set. ask-nix never changes its packages.
var ErrUnmanagedProfile = errors.New("is not managed by nix-env or nix profile")

// UnmanagedError says what manages the profile instead.
type UnmanagedError struct {
	Profile string
	What    string // "a NixOS system profile", …
	hint    string
}

func (e *UnmanagedError) Error() string {
	return fmt.Sprintf("%s is %s: ask-nix only installs into and removes from profiles made by nix-env or nix profile", e.Profile, e.What)
}
func (e *UnmanagedError) Unwrap() error { return ErrUnmanagedProfile }

// Hint says where the packages of such a profile come from.
func (e *UnmanagedError) Hint() string { return e.hint }

// NotInstalledError is a remove of a package the profile does not hold.
type NotInstalledError struct {
	Package, Profile string
	Like             []string // installed names that look like Package
}

func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("%s is not installed in %s", e.Package, e.Profile)
}
func (e *NotInstalledError) Unwrap() error { return ErrInvalidArgument }

// Hint names what is installed like it.
func (e *NotInstalledError) Hint() string {
	if len(e.Like) == 0 {
		return "'ask-nix installed --profile " + e.Profile + "' lists what it holds"
	}
	return "installed there: " + strings.Join(e.Like, ", ")
}

// profileKind reads how a profile's current generation was made: "nix-env" (manifest.nix),
// "nix-profile" (manifest.json), or an UnmanagedError. A profile that does not exist yet
// is nix-env's (nix-env -i creates it).
func (e *Engine) profileKind(profile string) (string, error) {
	if _, err := os.Lstat(profile); errors.Is(err, os.ErrNotExist) {
		return "nix-env", nil
	}
	top, err := nixstore.ResolveStorePath(e.o.Host.Store, profile)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", nixstore.ErrNotProfile, profile, err)
	}
	has := func(name string) bool { _, err := os.Lstat(filepath.Join(top, name)); return err == nil }
	switch {
	case has("manifest.json"):
		return "nix-profile", nil
	case has("manifest.nix"):
		return "nix-env", nil
	case has("nixos-version") || has("bin/switch-to-configuration"):
		return "", &UnmanagedError{Profile: profile, What: "a NixOS system profile",
			hint: "add the package to environment.systemPackages in your configuration, then run 'ask-nix update'"}
	case has("home-path") || has("hm-version") || has("home-files"):
		return "", &UnmanagedError{Profile: profile, What: "a Home Manager profile",
			hint: "add the package to home.packages in your Home Manager configuration, then run home-manager switch"}
	}
	return "", &UnmanagedError{Profile: profile, What: "not a package profile (made with nix-env --set, or by another tool)",
		hint: "install into your user profile (the default) or a profile made by nix-env -i or nix profile install"}
}

// installedNames are the package names a profile's current generation holds.
func (e *Engine) installedNames(ctx context.Context, profile string) ([]string, error) {
	if _, err := os.Lstat(profile); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	ip, err := nixstore.Installed(ctx, b, profile, "")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ip.Packages {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// holds reports whether names has the package pkg (an attribute path: its last component
// is the name nix-env matches).
func holds(names []string, pkg string) bool {
	last := pkg[strings.LastIndexByte(pkg, '.')+1:]
	return slices.Contains(names, pkg) || slices.Contains(names, last)
}

// lookAlike are the names in names that share a prefix with pkg or contain it.
func lookAlike(names []string, pkg string) []string {
	var out []string
	p := strings.ToLower(pkg)
	for _, n := range names {
		l := strings.ToLower(n)
		if strings.Contains(l, p) || strings.Contains(p, l) || len(p) >= 3 && len(l) >= 3 && l[:3] == p[:3] {
			out = append(out, n)
		}
	}
	if len(out) == 0 && len(names) <= 8 {
		return names
	}
	return out
}

// planPackage plans install or remove of a package into a profile: the user's, or the one
// --profile names.
func planPackage(ctx context.Context, e *Engine, a Args, action string) (Plan, error) {
	pkg := a.String("package")
	name := a.String("profile")
	profile := e.o.Host.UserProfile()
	if name != "" {
		profile = e.o.Host.ProfilePath(name)
	}
	p := Plan{Mutates: true, Profile: profile, Package: pkg, Argv: [][]string{}}
	if strings.TrimSpace(pkg) == "" {
		return p, fmt.Errorf("%w: %s needs a package name, like 'ask-nix %s firefox'", ErrUsage, action, action)
	}
	kind, err := e.profileKind(profile)
	if err != nil {
		return p, err
	}
	p.ProfileKind = kind
	names, err := e.installedNames(ctx, profile)
	if err != nil {
		return p, err
	}
	var m nixstore.ProfileManifest
	if kind == "nix-profile" {
		if m, _, err = nixstore.ReadManifest(profile); err != nil {
			return p, err
		}
	}
	installed := holds(names, pkg) || kind == "nix-profile" && m.Find(pkg) >= 0
	switch {
	case action == "remove" && !installed:
		return p, &NotInstalledError{Package: pkg, Profile: profile, Like: lookAlike(names, pkg)}
	case action == "install" && installed:
		p.Mutates, p.Note = false, fmt.Sprintf("%s is already installed in %s", pkg, profile)
		return p, nil
	}
	if cur, ok := currentGeneration(profile); ok {
		p.From = &cur
	}
	p.state = profileState(profile)
	var argv []string
	switch {
	case kind == "nix-profile":
		argv = []string{"nix", "--experimental-features", "nix-command flakes", "profile", action}
		if name != "" {
			argv = append(argv, "--profile", profile)
		}
		if action == "install" {
			argv = append(argv, "nixpkgs#"+pkg)
		} else {
			argv = append(argv, strconv.Itoa(m.Find(pkg)))
		}
	default:
		argv = []string{"nix-env"}
		if name != "" {
			argv = append(argv, "-p", profile)
		}
		if action == "install" {
			argv = append(argv, "-iA", "nixpkgs."+pkg)
		} else {
			argv = append(argv, "-e", pkg)
		}
	}
	p.Argv = [][]string{runner.WithLogFormat(argv)}
	return p, nil
}

func currentGeneration(profile string) (int, bool) {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return 0, false
	}
	g, ok := p.CurrentGeneration()
	return g.Generation, ok
}

// PackageResult is `install --json` and `remove --json` (SPEC §3).
type PackageResult struct {
	Plan     Plan   `json:"plan"`
	Executed bool   `json:"executed"`
	Profile  string `json:"profile"`
	Package  string `json:"package"`
	Action   string `json:"action"` // install or remove
	From     *int   `json:"from,omitempty"`
	To       *int   `json:"to,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Render implements Result.
func (r PackageResult) Render(w io.Writer) {
	if !r.Executed {
		fmt.Fprintln(w, r.Note)
		return
	}
	verb := "installed"
	if r.Action == "remove" {
		verb = "removed"
	}
	fmt.Fprintf(w, "%s %s (%s", verb, r.Package, r.Profile)
	if r.To != nil {
		fmt.Fprintf(w, ", generation %d", *r.To)
	}
	fmt.Fprintln(w, ")")
}

// runPackage runs a planned install or remove, then checks the new generation: a result
// never says "installed" or "removed" unless it holds, or lacks, the package (SPEC §2).
func runPackage(ctx context.Context, e *Engine, env *Envelope, action string) (Result, error) {
	p := env.Plan
	res := PackageResult{Plan: p, Profile: p.Profile, Package: p.Package, Action: action, From: p.From, Note: p.Note}
	if len(p.Argv) == 0 {
		return res, nil
	}
	if _, err := e.run(ctx, env); err != nil {
		return nil, err
	}
	res.Executed = true
	if p.From == nil && env.args.String("profile") == "" {
		// The user's profile did not exist: nix-env made it, and ~/.nix-profile.
		res.Profile = e.o.Host.UserProfile()
		p.Profile = res.Profile
	}
	cur, ok := currentGeneration(p.Profile)
	if ok {
		res.To = &cur
	}
	if !ok || p.From != nil && cur == *p.From {
		return res, fmt.Errorf("%s ran, but %s has no new generation: nothing changed", p.Argv[0][0], p.Profile)
	}
	names, err := e.installedNames(ctx, p.Profile)
	if err != nil {
		return res, fmt.Errorf("checking generation %d of %s: %w", cur, p.Profile, err)
	}
	has := holds(names, p.Package)
	if p.ProfileKind == "nix-profile" {
		if m, ok, err := nixstore.ReadManifest(p.Profile); err == nil && ok {
			has = has || m.Find(p.Package) >= 0
		}
	}
	switch {
	case action == "install" && !has:
		return res, fmt.Errorf("generation %d of %s does not hold %s, although %s succeeded", cur, p.Profile, p.Package, p.Argv[0][0])
	case action == "remove" && has:
		return res, fmt.Errorf("generation %d of %s still holds %s, although %s succeeded", cur, p.Profile, p.Package, p.Argv[0][0])
	}
	return res, nil
}
