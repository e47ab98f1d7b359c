package nixstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/asknix/ask-nix/internal/executor"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CLI answers through Nix's own commands. Programs are found on PATH and run as argv,
// never through a shell.
type CLI struct {
	cfg Config
	env []string
}

var _ Backend = (*CLI)(nil)

// NewCLI returns the nix CLI backend; env is the environment the commands get (it carries
// NIX_STORE_DIR and NIX_STATE_DIR). It fails with ErrNoNix when nix is not on PATH.
func NewCLI(cfg Config, env []string) (*CLI, error) {
	if _, err := executor.Resolve("nix", env); err != nil {
		return nil, ErrNoNix
	}
	return &CLI{cfg: cfg, env: env}, nil
}

// Name implements Backend.
func (c *CLI) Name() string { return "nix-cli" }

func (c *CLI) config() Config { return c.cfg }

// Close implements Backend.
func (c *CLI) Close() error { return nil }

func (c *CLI) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := executor.Run(ctx, executor.Cmd{Argv: append([]string{name}, args...), Env: c.env, FullEnv: true})
	if errors.Is(err, executor.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoNix, name)
	}
	return out, err
}

var nixCommand = []string{"--experimental-features", "nix-command"}

// The commands the CLI backend runs, written once so that a plan lists exactly what runs
// (SPEC §3).

// CLIPathInfoArgv is `nix path-info --json [-S] [--derivation] -- PATHS`.
func CLIPathInfoArgv(paths []string, closureSize, derivation bool) []string {
	argv := append([]string{"nix"}, nixCommand...)
	argv = append(argv, "path-info", "--json")
	if closureSize {
		argv = append(argv, "-S")
	}
	if derivation {
		argv = append(argv, "--derivation")
	}
	return append(append(argv, "--"), paths...)
}

// CLIPathInfoPlan is what PathInfo runs for store paths already resolved (Installables):
// the derivations are asked for on their own.
func CLIPathInfoPlan(storePaths []string, closureSize bool) [][]string {
	storePaths = slices.Compact(slices.Sorted(slices.Values(storePaths)))
	drvs := slices.DeleteFunc(slices.Clone(storePaths), func(p string) bool { return !isDrv(p) })
	others := slices.DeleteFunc(slices.Clone(storePaths), isDrv)
	var out [][]string
	if len(others) > 0 {
		out = append(out, CLIPathInfoArgv(others, closureSize, false))
	}
	if len(drvs) > 0 {
		out = append(out, CLIPathInfoArgv(drvs, closureSize, true))
	}
	return out
}

// CLIListGenerationsArgv is `nix-env -p PROFILE --list-generations`.
func CLIListGenerationsArgv(profile string) []string {
	return []string{"nix-env", "-p", profile, "--list-generations"}
}

// CLIClosureSizesPlan is what ClosureSizes runs for storePaths: one batched path-info -S
// of those that exist.
func CLIClosureSizesPlan(storePaths []string) [][]string {
	var valid []string
	for _, p := range storePaths {
		if _, err := os.Lstat(p); err == nil {
			valid = append(valid, p)
		}
	}
	if len(valid) == 0 {
		return nil
	}
	slices.Sort(valid) // as PathInfo resolves them
	return [][]string{CLIPathInfoArgv(slices.Compact(valid), true, false)}
}

// CLIQueryArgv is `nix-store --query --FLAG PATH` (references, requisites).
func CLIQueryArgv(flag, storePath string) []string {
	return []string{"nix-store", "--query", "--" + flag, storePath}
}

// CLIAllPathsArgv is `nix path-info --all --json`: every valid path with its references,
// from which Disk computes what is dead.
func CLIAllPathsArgv() []string {
	return append(append([]string{"nix"}, nixCommand...), "path-info", "--all", "--json")
}

// PathInfo implements Backend with `nix path-info --json [-S]`.
func (c *CLI) PathInfo(ctx context.Context, paths []string, withClosureSize bool) ([]PathInfo, error) {
	sps, err := resolveAll(c.cfg, paths)
	if err != nil {
		return nil, err
	}
	// nix path-info reads a .drv as its outputs; --derivation reads it as itself (and any
	// other path as its deriver), so derivations are asked for on their own.
	drvs := slices.DeleteFunc(slices.Clone(sps), func(p string) bool { return !isDrv(p) })
	others := slices.DeleteFunc(sps, isDrv)
	var list []PathInfo
	for _, part := range []struct {
		paths []string
		flag  string
	}{{others, ""}, {drvs, "--derivation"}} {
		if len(part.paths) == 0 {
			continue
		}
		argv := CLIPathInfoArgv(part.paths, withClosureSize, part.flag != "")
		out, err := c.run(ctx, argv[0], argv[1:]...)
		if err != nil {
			if strings.Contains(err.Error(), "is not valid") {
				return nil, fmt.Errorf("%w: %v", ErrInvalidPath, err)
			}
			return nil, err
		}
		infos, err := ParsePathInfoJSON(out)
		if err != nil {
			return nil, err
		}
		list = append(list, infos...)
	}
	slices.SortFunc(list, func(a, b PathInfo) int { return strings.Compare(a.Path, b.Path) })
	return list, nil
}

// DerivationOutputs implements Backend with `nix-store --query --outputs`.
func (c *CLI) DerivationOutputs(ctx context.Context, drv string) ([]string, error) {
	out, err := c.run(ctx, "nix-store", "--query", "--outputs", "--", drv)
	if err != nil {
		if strings.Contains(err.Error(), "is not valid") {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPath, err)
		}
		return nil, err
	}
	paths := strings.Fields(string(out))
	slices.Sort(paths)
	return paths, nil
}

// ParsePathInfoJSON reads `nix path-info --json` output: a list (Nix 2.8 to 2.18) or an
// object keyed by path (newer Nix).
func ParsePathInfoJSON(b []byte) ([]PathInfo, error) {
	b = bytes.TrimSpace(b)
	var list []PathInfo
	if len(b) > 0 && b[0] == '[' {
		// Nix 2.8 lists a path it does not have as {"path": P, "valid": false}.
		var entries []struct {
			PathInfo
			Valid *bool `json:"valid"`
		}
		if err := json.Unmarshal(b, &entries); err != nil {
			return nil, fmt.Errorf("parse nix path-info output: %w", err)
		}
		for _, e := range entries {
			if e.Valid != nil && !*e.Valid {
				return nil, fmt.Errorf("path '%s' is not valid: %w", e.Path, ErrInvalidPath)
			}
			list = append(list, e.PathInfo)
		}
	} else if len(b) > 0 && b[0] == '{' {
		var m map[string]*PathInfo
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("parse nix path-info output: %w", err)
		}
		for p, pi := range m {
			if pi == nil {
				return nil, fmt.Errorf("%w: %s", ErrInvalidPath, p)
			}
			pi.Path = p
			list = append(list, *pi)
		}
		slices.SortFunc(list, func(a, b PathInfo) int { return strings.Compare(a.Path, b.Path) })
	} else if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("parse nix path-info output: %w", err) // not JSON at all
	}
	for i := range list {
		if list[i].Path == "" {
			return nil, errors.New("parse nix path-info output: an entry has no path")
		}
		if list[i].References == nil {
			list[i].References = []string{}
		}
	}
	return list, nil
}

// ClosureSizes implements Backend with one batched `nix path-info -S`.
func (c *CLI) ClosureSizes(ctx context.Context, storePaths []string) (map[string]Closure, error) {
	out := map[string]Closure{}
	if len(storePaths) == 0 {
		return out, nil
	}
	var valid []string
	for _, p := range storePaths {
		if _, err := os.Lstat(p); err == nil {
			valid = append(valid, p)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	infos, err := c.PathInfo(ctx, valid, true)
	if err != nil {
		return nil, err
	}
	for _, pi := range infos {
		out[pi.Path] = Closure{NarSize: pi.ClosureSize}
	}
	return out, nil
}

// Stats implements Backend with `nix path-info --all --json`.
func (c *CLI) Stats(ctx context.Context) (StoreStats, error) {
	infos, err := c.AllPaths(ctx)
	if err != nil {
		return StoreStats{}, err
	}
	s := StoreStats{Paths: len(infos)}
	for _, pi := range infos {
		s.NarBytes += pi.NarSize
	}
	return s, nil
}

// Generations implements Backend with `nix-env --list-generations`; each generation's
// store path is where its link points.
func (c *CLI) Generations(ctx context.Context, profile string) (Profile, error) {
	if _, err := os.Lstat(profile); err != nil {
		return Profile{}, fmt.Errorf("%w: %s does not exist", ErrNotProfile, profile)
	}
	argv := CLIListGenerationsArgv(profile)
	out, err := c.run(ctx, argv[0], argv[1:]...)
	if err != nil {
		return Profile{}, err
	}
	gens, err := ParseListGenerations(out, time.Local)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{Path: filepath.Clean(profile), Generations: []Generation{}}
	for _, g := range gens {
		link := fmt.Sprintf("%s-%d-link", p.Path, g.Generation)
		if t, err := os.Readlink(link); err == nil {
			if !filepath.IsAbs(t) {
				t = filepath.Join(filepath.Dir(link), t)
			}
			g.Path = filepath.Clean(t)
		}
		g.Link = link
		p.Generations = append(p.Generations, g)
	}
	slices.SortFunc(p.Generations, func(a, b Generation) int { return b.Generation - a.Generation })
	return p, nil
}

// ParseListGenerations reads `nix-env --list-generations` output:
// "   1   2026-11-27 06:12:31   (current)".
func ParseListGenerations(b []byte, loc *time.Location) ([]Generation, error) {
	var out []Generation
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 {
			return nil, fmt.Errorf("parse nix-env --list-generations: unexpected line %q", sc.Text())
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("parse nix-env --list-generations: bad generation %q", f[0])
		}
		d, err := time.ParseInLocation("2006-01-02 15:04:05", f[1]+" "+f[2], loc)
		if err != nil {
			return nil, fmt.Errorf("parse nix-env --list-generations: %w", err)
		}
		out = append(out, Generation{Generation: n, Date: d, Current: len(f) > 3 && f[3] == "(current)"})
	}
	return out, sc.Err()
}

// Closure implements Backend with `nix-store --query --requisites`.
func (c *CLI) Closure(ctx context.Context, storePath string) ([]string, error) {
	argv := CLIQueryArgv("requisites", storePath)
	out, err := c.run(ctx, argv[0], argv[1:]...)
	if err != nil {
		return nil, err
	}
	paths := strings.Fields(string(out))
	slices.Sort(paths)
	return paths, nil
}

// References implements Backend with `nix-store --query --references`.
func (c *CLI) References(ctx context.Context, storePath string) ([]string, error) {
	argv := CLIQueryArgv("references", storePath)
	out, err := c.run(ctx, argv[0], argv[1:]...)
	if err != nil {
		return nil, err
	}
	refs := strings.Fields(string(out))
	slices.Sort(refs)
	return refs, nil
}

// AllPaths is every valid path with its references (`nix path-info --all --json`).
func (c *CLI) AllPaths(ctx context.Context) ([]PathInfo, error) {
	argv := CLIAllPathsArgv()
	out, err := c.run(ctx, argv[0], argv[1:]...)
	if err != nil {
		return nil, err
	}
	return ParsePathInfoJSON(out)
}

// Dead sums the NAR sizes of the paths in infos that no root's closure reaches, as
// Native.DeadBytes does from the database (a live path's deriver is live too).
func Dead(infos []PathInfo, roots []string) (paths int, bytes uint64) {
	byPath := make(map[string]*PathInfo, len(infos))
	for i := range infos {
		byPath[infos[i].Path] = &infos[i]
	}
	live := map[string]bool{}
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pi, ok := byPath[p]
		if !ok || live[p] {
			continue
		}
		live[p] = true
		stack = append(stack, pi.References...)
		if pi.Deriver != "" {
			stack = append(stack, pi.Deriver)
		}
	}
	for _, pi := range infos {
		if !live[pi.Path] {
			paths++
			bytes += pi.NarSize
		}
	}
	return paths, bytes
}
