package nixstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ProfileManifest is a `nix profile` profile's manifest.json (versions 1 and 2; Nix 2.8
// writes 2). A profile without one is a nix-env profile (manifest.nix).
type ProfileManifest struct {
	Version  int               `json:"version"`
	Elements []ManifestElement `json:"elements"`
}

// ManifestElement is one installed element.
type ManifestElement struct {
	Active      bool     `json:"active"`
	AttrPath    string   `json:"attrPath,omitempty"`
	OriginalURL string   `json:"originalUrl,omitempty"`
	URL         string   `json:"url,omitempty"`
	StorePaths  []string `json:"storePaths"`
}

// ReadManifest reads profile's manifest.json; ok is false for a nix-env profile (or a
// profile that does not exist yet).
func ReadManifest(profile string) (m ProfileManifest, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(profile, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("read %s/manifest.json: %w", profile, err)
	}
	if m, err = ParseManifest(b); err != nil {
		return m, false, fmt.Errorf("%s/manifest.json: %w", profile, err)
	}
	return m, true, nil
}

// ParseManifest reads a manifest.json's bytes.
func ParseManifest(b []byte) (ProfileManifest, error) {
	var m ProfileManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return m, err
	}
	if m.Version < 1 || m.Version > 3 {
		return m, fmt.Errorf("unknown version %d", m.Version)
	}
	return m, nil
}

// Find returns the index of the element that provides pkg: its attribute path ends in
// ".pkg", or its first store path's name is pkg; -1 when none does.
func (m ProfileManifest) Find(pkg string) int {
	if pkg == "" {
		return -1
	}
	for i, e := range m.Elements {
		if e.AttrPath == pkg || strings.HasSuffix(e.AttrPath, "."+pkg) {
			return i
		}
	}
	for i, e := range m.Elements {
		if len(e.StorePaths) > 0 {
			if name, _ := ParseName(e.StorePaths[0]); name == pkg {
				return i
			}
		}
	}
	return -1
}
