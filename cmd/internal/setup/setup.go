// Package setup owns what ask-nix's commands share before the engine starts: the
// environment (SPEC §9), the settings files, the XDG directories ask-nix may use (another
// user's are ignored) and where shared compiled plans may come from. ask-nix and its MCP
// server (ask-nix-mcp) build their engines from the same options.
package setup

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/config"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/internal/private"
	"github.com/asknix/ask-nix/nixstore"
)

// Flags are the global flags that shape the engine.
type Flags struct {
	Config              string
	PolicyDir, RulesDir []string
	NoCache, DryRun     bool
	Yes                 bool
	Profile             string
}

// ErrUsage is a flag whose value cannot be used (exit 2).
var ErrUsage = errors.New("usage")

// EngineOptions reads the environment (SPEC §9) and the settings files into engine options.
func EngineOptions(g Flags, environ []string, getenv func(string) string, debugf func(string, ...any), build string) (engine.Options, error) {
	var o engine.Options
	store := nixstore.ConfigFromEnv(getenv)
	home := getenv("HOME")
	uid := os.Getuid()
	name := getenv("USER")
	var groups []string
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		if name == "" {
			name = u.Username
		}
		if home == "" {
			home = u.HomeDir
		}
		if gids, err := u.GroupIds(); err == nil {
			for _, gid := range gids {
				if gr, err := user.LookupGroupId(gid); err == nil {
					groups = append(groups, gr.Name)
				}
			}
		}
	}
	root := getenv("ASK_NIX_ROOT")
	host := nixstore.Host{Store: store, Root: root, Home: home, User: name, UID: uid, XDGStateHome: getenv("XDG_STATE_HOME")}
	xdg := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		if home == "" {
			return ""
		}
		return filepath.Join(home, def)
	}
	// A directory another user owns or can write is never used (OpenSSH's rule): root
	// with su's or sudo -E's variables would otherwise read that user's settings, policies
	// and rules, and trust their cache and compiled code.
	trusted := func(dir string) string {
		if dir == "" {
			return ""
		}
		if err := private.Usable(dir); err != nil {
			debugf("not using %s: %v", dir, err)
			return ""
		}
		return dir
	}
	cfgHome, dataHome, stateHome := trusted(xdg("XDG_CONFIG_HOME", ".config")), trusted(xdg("XDG_DATA_HOME", ".local/share")), trusted(xdg("XDG_STATE_HOME", ".local/state"))
	// Precedence: flags > environment > user file (or --config) > system file > defaults.
	userFile := ""
	if cfgHome != "" {
		userFile = filepath.Join(cfgHome, "ask-nix", "config.toml")
	}
	if g.Config != "" {
		if _, err := os.Stat(g.Config); err != nil {
			return o, fmt.Errorf("%w: --config: %v", config.ErrConfig, err)
		}
		userFile = g.Config
	}
	set, err := config.Load(host.HostPath("/etc/ask-nix/config.toml"), userFile)
	if err != nil {
		return o, err
	}
	debugf("settings from %v", set.Files)
	ttl := time.Duration(set.CacheTTL) * time.Second
	if v := getenv("LUMINOUS_NIX_CACHE_TTL"); v != "" {
		if ttl, err = cache.ParseTTL(v); err != nil {
			return o, err
		}
	}
	enhanced := set.Enhanced
	switch strings.ToLower(getenv("LUMINOUS_NIX_ENHANCED")) {
	case "":
	case "true", "1", "yes":
		enhanced = true
	case "false", "0", "no":
		enhanced = false
	default:
		return o, fmt.Errorf("LUMINOUS_NIX_ENHANCED must be true or false, not %q", getenv("LUMINOUS_NIX_ENHANCED"))
	}
	userPolicies := []string{}
	if cfgHome != "" {
		userPolicies = append(userPolicies, filepath.Join(cfgHome, "ask-nix", "policies"))
	}
	userPolicies = append(append(userPolicies, set.PolicyDirs...), g.PolicyDir...)
	stateDir := ""
	if stateHome != "" {
		stateDir = filepath.Join(stateHome, "ask-nix")
	}
	for flag, dirs := range map[string][]string{"--rules-dir": g.RulesDir, "--policy-dir": g.PolicyDir} {
		for _, d := range dirs {
			if st, err := os.Stat(d); err != nil || !st.IsDir() {
				return o, fmt.Errorf("%w: %s %s is not a directory", ErrUsage, flag, d)
			}
		}
	}
	ruleDirs := []string{host.HostPath("/etc/ask-nix/rules")}
	if cfgHome != "" {
		ruleDirs = append(ruleDirs, filepath.Join(cfgHome, "ask-nix", "rules"))
	}
	ruleDirs = append(append(ruleDirs, set.RuleDirs...), g.RulesDir...)
	cacheHome := trusted(xdg("XDG_CACHE_HOME", ".cache"))
	var cacheDirs []string
	for _, d := range cache.Dirs(getenv) {
		if trusted(filepath.Dir(d)) != "" {
			cacheDirs = append(cacheDirs, d)
		}
	}
	o = engine.Options{
		Host:      host,
		User:      engine.User{UID: uid, Name: name, Root: uid == 0, Groups: groups},
		Enhanced:  enhanced,
		NixEnv:    environ,
		CacheTTL:  ttl,
		CacheDirs: cacheDirs,
		NoCache:   g.NoCache,
		Policy: policy.Options{
			AdminDirs: []string{host.HostPath("/etc/ask-nix/policies")},
			UserDirs:  userPolicies,
			CacheDir: func() string {
				if cacheHome != "" {
					return filepath.Join(cacheHome, "ask-nix", "policy")
				}
				return ""
			}(),
			SharedDirs: sharedPlanDirs(host, debugf),
		},
		IndexPaths:   search.Locations(dataHome, root),
		OptionsPaths: search.OptionsLocations(dataHome, root),
		IndexCacheDirs: func() []string {
			if cacheHome != "" {
				return []string{filepath.Join(cacheHome, "ask-nix")}
			}
			return nil
		}(),
		Rules: rules.Options{Dirs: ruleDirs, CompileCacheDir: func() string {
			if cacheHome != "" {
				return filepath.Join(cacheHome, "ask-nix", "wasm")
			}
			return ""
		}(), Limits: rules.Limits{
			Timeout:     time.Duration(set.RuleTimeoutMS) * time.Millisecond,
			MemoryBytes: uint64(set.RuleMemoryMiB) << 20,
			OutputBytes: uint32(set.RuleOutputKiB) << 10,
		}},
		DefaultProfile: set.Profile,
		SearchLimit:    set.SearchLimit,
		IndexWarnDays:  set.IndexWarnDays,
		MinFreeBytes:   uint64(set.MinFreeMiB) << 20,
		RetryDelays: func() []time.Duration {
			d := make([]time.Duration, set.Retries)
			for i := range d {
				d[i] = time.Duration(set.BackoffMS) * time.Millisecond << i
			}
			return d
		}(),
		Elevation: set.Elevation,
		StateDir:  stateDir,
		Config: set.Effective(map[string]any{
			"enhanced": enhanced, "cache_ttl_seconds": int(ttl / time.Second), "profile": cmp.Or(g.Profile, set.Profile),
			"dry_run": g.DryRun, "yes": g.Yes,
		}),
		Debugf: debugf,
		Build:  build,
	}
	if dataHome == "" {
		o.IndexPaths, o.OptionsPaths = o.IndexPaths[1:], o.OptionsPaths[1:]
	}
	return o, nil
}

// sharedPlanDirs are where compiled plans for every user lie, and the only places:
// /etc/ask-nix/plans (the NixOS module's) when it and every directory above it are root's
// alone, and the package's share/ask-nix/plans when the running binary really lives in
// the Nix store and that whole path is root's. A plan decides what runs: a directory
// another user could have made (a copy of ask-nix under /tmp, a file anyone can add to
// the store) is never one.
func sharedPlanDirs(host nixstore.Host, debugf func(string, ...any)) []string {
	var dirs []string
	etc := host.HostPath("/etc/ask-nix/plans")
	if err := private.RootOwned(etc); err == nil {
		dirs = append(dirs, etc)
	} else if !errors.Is(err, fs.ErrNotExist) {
		debugf("compiled plans in %s not used: %v", etc, err)
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return dirs
	}
	store := host.Store.StoreDir
	if sp, ok := host.Store.ToStorePath(exe); ok && store != "" {
		pkg := filepath.Join(sp, "share", "ask-nix", "plans")
		if err := private.RootOwned(pkg); err == nil {
			dirs = append(dirs, pkg)
		} else if !errors.Is(err, fs.ErrNotExist) {
			debugf("compiled plans in %s not used: %v", pkg, err)
		}
	}
	return dirs
}
