package search

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// defaultIndex is built by mkindex from ../shared/data/nixpkgs/packages.json.br (README,
// "Rebuilding the embedded index").
//
//go:embed default-index.zst
var defaultIndex []byte

// Locations of the index, in order of precedence (SPEC §5).
func Locations(dataHome, root string) []string {
	return []string{filepath.Join(dataHome, "ask-nix", "index"), filepath.Join(root, "/var/lib/ask-nix/index")}
}

// Open loads the first index of paths that exists, else the embedded default. A file that
// exists but cannot be read is an error, not a silent fall-back.
func Open(paths []string) (*Index, error) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read index %s: %w", p, err)
		}
		return Read(b, p)
	}
	return Read(defaultIndex, "embedded")
}
