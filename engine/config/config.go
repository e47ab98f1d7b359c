// Package config owns ask-nix's settings files (SPEC §11, issue 8): the TOML schema, reading
// a file strictly (an unknown key or a wrong type is an error naming the file and line),
// and layering /etc/ask-nix/config.toml under the user's
// $XDG_CONFIG_HOME/ask-nix/config.toml. Environment variables and flags are applied over
// the result by the command; Effective is what the policy input's "config" shows.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// File is one settings file. Every field is a pointer: nil means "not set here", so a
// later layer overrides only what it names.
type File struct {
	Cache struct {
		// TTL of cached results in seconds (LUMINOUS_NIX_CACHE_TTL); 0 disables the cache.
		TTL *int `toml:"ttl"`
	} `toml:"cache"`
	Backend struct {
		// Enhanced reads the store natively; false uses the nix CLI (LUMINOUS_NIX_ENHANCED).
		Enhanced *bool `toml:"enhanced"`
	} `toml:"backend"`
	Defaults struct {
		// Profile used when --profile is not given: "user", "system" or a path.
		Profile *string `toml:"profile"`
		// Elevation runs privileged steps: "sudo", "doas" or "run0".
		Elevation *string `toml:"elevation"`
		// SearchLimit is the default number of search results.
		SearchLimit *int `toml:"search_limit"`
	} `toml:"defaults"`
	Index struct {
		// WarnAfterDays warns when the index that answered a search is older; 0 never warns.
		WarnAfterDays *int `toml:"warn_after_days"`
	} `toml:"index"`
	Store struct {
		// MinFreeMiB: a change on a store filesystem with less free space warns and
		// proposes a cleanup with what it would free; 0 never warns.
		MinFreeMiB *int `toml:"min_free_mib"`
	} `toml:"store"`
	Network struct {
		// Retries of a Nix command that failed for the network (default 3).
		Retries *int `toml:"retries"`
		// BackoffMS is the first wait between attempts; it doubles (default 1000).
		BackoffMS *int `toml:"backoff_ms"`
	} `toml:"network"`
	Policies struct {
		// Dirs are more user-layer policy directories (like --policy-dir).
		Dirs []string `toml:"dirs"`
	} `toml:"policies"`
	Rules struct {
		Dirs      []string `toml:"dirs"`
		TimeoutMS *int     `toml:"timeout_ms"`
		MemoryMiB *int     `toml:"memory_mib"`
		OutputKiB *int     `toml:"output_kib"`
	} `toml:"rules"`
}

// Settings are the merged, validated values with defaults filled in.
type Settings struct {
	CacheTTL      int      `json:"cache_ttl_seconds"`
	Enhanced      bool     `json:"enhanced"`
	Profile       string   `json:"profile"`
	Elevation     string   `json:"elevation"`
	SearchLimit   int      `json:"search_limit"`
	IndexWarnDays int      `json:"index_warn_after_days"`
	MinFreeMiB    int      `json:"min_free_mib"`
	Retries       int      `json:"network_retries"`
	BackoffMS     int      `json:"network_backoff_ms"`
	PolicyDirs    []string `json:"policy_dirs"`
	RuleDirs      []string `json:"rule_dirs"`
	RuleTimeoutMS int      `json:"rule_timeout_ms"`
	RuleMemoryMiB int      `json:"rule_memory_mib"`
	RuleOutputKiB int      `json:"rule_output_kib"`
	Files         []string `json:"files"` // the files that were read, lowest layer first
}

// Defaults are the settings with no file, environment or flag.
func Defaults() Settings {
	return Settings{CacheTTL: 300, Enhanced: true, Elevation: "sudo", SearchLimit: 20, IndexWarnDays: 30, MinFreeMiB: 1024, Retries: 3, BackoffMS: 1000,
		RuleTimeoutMS: 100, RuleMemoryMiB: 64, RuleOutputKiB: 64, PolicyDirs: []string{}, RuleDirs: []string{}, Files: []string{}}
}

// Effective is the policy input's "config": every setting under its JSON name, with
// overrides (what the environment and flags decided) on top.
func (s Settings) Effective(overrides map[string]any) map[string]any {
	out := map[string]any{}
	b, _ := json.Marshal(s)
	json.Unmarshal(b, &out)
	for k, v := range overrides {
		out[k] = v
	}
	return out
}

// ErrConfig marks a settings file that cannot be used (exit 1).
var ErrConfig = errors.New("settings")

// Parse reads one file's TOML strictly.
func Parse(name string, data []byte) (File, error) {
	var f File
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as some editors write
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	err := dec.Decode(&f)
	if err == nil {
		return f, nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		row, _ := e.Position()
		return f, fmt.Errorf("%w: %s:%d: unknown key %q", ErrConfig, name, row, strings.Join(e.Key(), "."))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if k := strings.Join(de.Key(), "."); k != "" {
			if want, ok := kinds[k]; ok && strings.HasPrefix(msg, "cannot decode") {
				msg = k + " must be " + want
			} else {
				msg = k + ": " + msg
			}
		}
		return f, fmt.Errorf("%w: %s:%d: %s", ErrConfig, name, row, msg)
	}
	return f, fmt.Errorf("%w: %s: %s", ErrConfig, name, firstLine(err.Error()))
}

// kinds name each key's TOML type for error messages.
var kinds = map[string]string{
	"cache.ttl": "an integer (seconds)", "backend.enhanced": "true or false",
	"defaults.profile": "a string", "defaults.elevation": "a string", "defaults.search_limit": "an integer",
	"index.warn_after_days": "an integer", "policies.dirs": "a list of strings", "rules.dirs": "a list of strings",
	"rules.timeout_ms": "an integer", "rules.memory_mib": "an integer", "rules.output_kib": "an integer",
	"store.min_free_mib": "an integer", "store": "a table",
	"network.retries": "an integer", "network.backoff_ms": "an integer", "network": "a table",
	"cache": "a table", "backend": "a table", "defaults": "a table", "index": "a table", "policies": "a table", "rules": "a table",
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// Load layers the files (lowest first) over the defaults. A missing file is skipped; one
// that cannot be read or parsed, or holds a bad value, is an error.
func Load(files ...string) (Settings, error) {
	s := Defaults()
	for _, name := range files {
		if name == "" {
			continue
		}
		data, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return s, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		f, err := Parse(name, data)
		if err != nil {
			return s, err
		}
		if err := s.apply(name, f); err != nil {
			return s, err
		}
		s.Files = append(s.Files, name)
	}
	return s, nil
}

func (s *Settings) apply(name string, f File) error {
	bad := func(key, why string) error {
		return fmt.Errorf("%w: %s: %s %s", ErrConfig, name, key, why)
	}
	setInt := func(dst *int, v *int, key string, lo, hi int) error {
		if v == nil {
			return nil
		}
		if *v < lo || *v > hi {
			return bad(key, fmt.Sprintf("must be between %d and %d, not %d", lo, hi, *v))
		}
		*dst = *v
		return nil
	}
	if err := setInt(&s.CacheTTL, f.Cache.TTL, "cache.ttl", 0, 30*24*3600); err != nil {
		return err
	}
	if f.Backend.Enhanced != nil {
		s.Enhanced = *f.Backend.Enhanced
	}
	if p := f.Defaults.Profile; p != nil {
		if *p != "user" && *p != "system" && !strings.HasPrefix(*p, "/") {
			return bad("defaults.profile", fmt.Sprintf("must be \"user\", \"system\" or an absolute path, not %q", *p))
		}
		s.Profile = *p
	}
	if e := f.Defaults.Elevation; e != nil {
		switch *e {
		case "sudo", "doas", "run0":
			s.Elevation = *e
		default:
			return bad("defaults.elevation", fmt.Sprintf("must be sudo, doas or run0, not %q", *e))
		}
	}
	if err := setInt(&s.SearchLimit, f.Defaults.SearchLimit, "defaults.search_limit", 1, 1000); err != nil {
		return err
	}
	if err := setInt(&s.IndexWarnDays, f.Index.WarnAfterDays, "index.warn_after_days", 0, 100000); err != nil {
		return err
	}
	if err := setInt(&s.Retries, f.Network.Retries, "network.retries", 0, 10); err != nil {
		return err
	}
	if err := setInt(&s.BackoffMS, f.Network.BackoffMS, "network.backoff_ms", 0, 60000); err != nil {
		return err
	}
	if err := setInt(&s.MinFreeMiB, f.Store.MinFreeMiB, "store.min_free_mib", 0, 1<<30); err != nil {
		return err
	}
	for _, d := range f.Policies.Dirs {
		if !strings.HasPrefix(d, "/") {
			return bad("policies.dirs", fmt.Sprintf("%q is not an absolute path", d))
		}
	}
	for _, d := range f.Rules.Dirs {
		if !strings.HasPrefix(d, "/") {
			return bad("rules.dirs", fmt.Sprintf("%q is not an absolute path", d))
		}
	}
	s.PolicyDirs = append(s.PolicyDirs, f.Policies.Dirs...)
	s.RuleDirs = append(s.RuleDirs, f.Rules.Dirs...)
	if err := setInt(&s.RuleTimeoutMS, f.Rules.TimeoutMS, "rules.timeout_ms", 1, 60000); err != nil {
		return err
	}
	if err := setInt(&s.RuleMemoryMiB, f.Rules.MemoryMiB, "rules.memory_mib", 1, 4096); err != nil {
		return err
	}
	return setInt(&s.RuleOutputKiB, f.Rules.OutputKiB, "rules.output_kib", 1, 16384)
}
