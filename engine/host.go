package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asknix/ask-nix/nixstore"
)

// InfoResult is `info --json` (SPEC §3).
type InfoResult struct {
	NixOS             bool   `json:"nixos"`
	NixOSVersion      string `json:"nixosVersion"`
	KernelVersion     string `json:"kernelVersion"`
	CurrentGeneration *int   `json:"currentGeneration"`
	NixpkgsRevision   string `json:"nixpkgsRevision"`
	Profile           string `json:"profile"`
}

func (e *Engine) infoDeps() []string {
	h := e.o.Host
	return []string{h.HostPath("/run/current-system"), h.HostPath("/etc/NIXOS"), h.SystemProfile(), filepath.Dir(h.SystemProfile()), h.UserProfile(), h.HostPath("/etc/nixos/flake.lock")}
}

var revSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.([0-9a-f]{7,40})$`) })

func (e *Engine) info(_ context.Context) (*InfoResult, error) {
	h := e.o.Host
	r := &InfoResult{NixOS: h.IsNixOS()}
	if r.NixOS {
		cur := h.HostPath("/run/current-system")
		if b, err := os.ReadFile(filepath.Join(cur, "nixos-version")); err == nil {
			r.NixOSVersion = strings.TrimSpace(string(b))
		}
		if es, err := os.ReadDir(filepath.Join(cur, "kernel-modules", "lib", "modules")); err == nil && len(es) > 0 {
			r.KernelVersion = es[0].Name()
		}
		if r.NixOSVersion == "" {
			if b, err := os.ReadFile(h.HostPath("/etc/os-release")); err == nil {
				for _, l := range strings.Split(string(b), "\n") {
					if v, ok := strings.CutPrefix(l, "VERSION_ID="); ok {
						r.NixOSVersion = strings.Trim(v, `"`)
					}
				}
			}
		}
		if m := revSuffix().FindStringSubmatch(r.NixOSVersion); m != nil {
			r.NixpkgsRevision = m[1]
		}
	}
	if r.KernelVersion == "" {
		var u syscall.Utsname
		if syscall.Uname(&u) == nil {
			r.KernelVersion = utsString(u.Release[:])
		}
	}
	r.Profile = h.ProfilePath("")
	if p, err := nixstore.ReadProfile(r.Profile); err == nil {
		if g, ok := p.CurrentGeneration(); ok {
			n := g.Generation
			r.CurrentGeneration = &n
		}
	}
	if r.NixpkgsRevision == "" {
		if lock, err := readFlakeLock(h.HostPath("/etc/nixos/flake.lock"), e.o.Now()); err == nil {
			for _, in := range lock {
				if in.Name == "nixpkgs" {
					r.NixpkgsRevision = in.Rev
				}
			}
		}
	}
	return r, nil
}

func utsString(b []int8) string {
	var out []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

// ConfigResult is `config --json`: where the system configuration lives and how old its
// inputs are.
type ConfigResult struct {
	NixOS    bool         `json:"nixos"`
	Path     string       `json:"path"`
	Kind     string       `json:"kind"` // "flake", "channels" or "none"
	Files    []string     `json:"files"`
	Inputs   []FlakeInput `json:"inputs,omitempty"`
	Channels []Channel    `json:"channels,omitempty"`
}

// FlakeInput is one locked input of flake.lock.
type FlakeInput struct {
	Name         string    `json:"name"`
	Type         string    `json:"type"`
	Ref          string    `json:"ref"`
	Rev          string    `json:"rev,omitempty"`
	LastModified time.Time `json:"lastModified"`
	AgeDays      int       `json:"ageDays"`
}

// Channel is one Nix channel.
type Channel struct {
	Name    string    `json:"name"`
	URL     string    `json:"url,omitempty"`
	Updated time.Time `json:"updated,omitzero"`
	AgeDays *int      `json:"ageDays,omitempty"`
}

func (e *Engine) config() (*ConfigResult, error) {
	h := e.o.Host
	dir := h.HostPath("/etc/nixos")
	r := &ConfigResult{NixOS: h.IsNixOS(), Path: "/etc/nixos", Kind: "none", Files: []string{}}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "result") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".nix") || d.Name() == "flake.lock") {
			rel, _ := filepath.Rel(dir, p)
			r.Files = append(r.Files, filepath.Join("/etc/nixos", rel))
		}
		return nil
	})
	now := e.o.Now()
	if fileExists(filepath.Join(dir, "flake.nix")) {
		r.Kind = "flake"
		ins, err := readFlakeLock(filepath.Join(dir, "flake.lock"), now)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		r.Inputs = ins
	} else {
		r.Channels = e.channels(now)
		if fileExists(filepath.Join(dir, "configuration.nix")) || len(r.Channels) > 0 {
			r.Kind = "channels"
		}
	}
	return r, nil
}

// channels lists root's channels (the system's) and the user's ~/.nix-channels.
func (e *Engine) channels(now time.Time) []Channel {
	var out []Channel
	seen := map[string]bool{}
	prof := filepath.Join(e.o.Host.Store.StateDir, "profiles", "per-user", "root", "channels")
	if p, err := nixstore.ReadProfile(prof); err == nil {
		if g, ok := p.CurrentGeneration(); ok {
			es, _ := os.ReadDir(g.Path)
			for _, en := range es {
				if en.Name() == "manifest.nix" || en.Name() == "binary-caches" {
					continue
				}
				age := int(now.Sub(g.Date).Hours() / 24)
				out = append(out, Channel{Name: en.Name(), Updated: g.Date, AgeDays: &age})
				seen[en.Name()] = true
			}
		}
	}
	for _, f := range []string{e.o.Host.HostPath("/root/.nix-channels"), filepath.Join(e.o.Host.Home, ".nix-channels")} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) != 2 {
				continue
			}
			found := false
			for i := range out {
				if out[i].Name == fs[1] {
					out[i].URL = fs[0]
					found = true
				}
			}
			if !found && !seen[fs[1]] {
				out = append(out, Channel{Name: fs[1], URL: fs[0]})
				seen[fs[1]] = true
			}
		}
	}
	return out
}

type lockFile struct {
	Nodes map[string]struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
		Locked *struct {
			Type         string `json:"type"`
			Owner        string `json:"owner"`
			Repo         string `json:"repo"`
			URL          string `json:"url"`
			Path         string `json:"path"`
			Rev          string `json:"rev"`
			LastModified int64  `json:"lastModified"`
		} `json:"locked"`
		Original *struct {
			Ref string `json:"ref"`
		} `json:"original"`
	} `json:"nodes"`
	Root string `json:"root"`
}

// readFlakeLock lists the root inputs of a flake.lock with their ages.
func readFlakeLock(path string, now time.Time) ([]FlakeInput, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFlakeLock(b, path, now)
}

// ParseFlakeLock reads the root inputs of flake.lock data; path names it in errors.
func ParseFlakeLock(b []byte, path string, now time.Time) ([]FlakeInput, error) {
	var lf lockFile
	if err := json.Unmarshal(b, &lf); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	root, ok := lf.Nodes[lf.Root]
	if !ok {
		return nil, fmt.Errorf("read %s: no root node", path)
	}
	var out []FlakeInput
	for name, raw := range root.Inputs {
		var node string
		if json.Unmarshal(raw, &node) != nil {
			continue // "follows" paths
		}
		n, ok := lf.Nodes[node]
		if !ok || n.Locked == nil {
			continue
		}
		l := n.Locked
		ref := l.URL
		switch {
		case l.Owner != "":
			ref = l.Type + ":" + l.Owner + "/" + l.Repo
			if n.Original != nil && n.Original.Ref != "" {
				ref += "/" + n.Original.Ref // the branch it follows, as the flake names it
			}
		case l.Path != "":
			ref = "path:" + l.Path
		}
		lm := time.Unix(l.LastModified, 0).UTC()
		out = append(out, FlakeInput{Name: name, Type: l.Type, Ref: ref, Rev: l.Rev, LastModified: lm, AgeDays: int(now.Sub(lm).Hours() / 24)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
