package nixstore

import (
	"path/filepath"
	"strings"
)

// Config says where the store and its state live.
type Config struct {
	StoreDir string // NIX_STORE_DIR, default /nix/store
	StateDir string // NIX_STATE_DIR, default /nix/var/nix
}

// ConfigFromEnv reads NIX_STORE_DIR and NIX_STATE_DIR through getenv.
func ConfigFromEnv(getenv func(string) string) Config {
	c := Config{StoreDir: "/nix/store", StateDir: "/nix/var/nix"}
	if v := getenv("NIX_STORE_DIR"); v != "" {
		c.StoreDir = filepath.Clean(v)
	}
	if v := getenv("NIX_STATE_DIR"); v != "" {
		c.StateDir = filepath.Clean(v)
	}
	return c
}

// DBPath is the store database.
func (c Config) DBPath() string { return filepath.Join(c.StateDir, "db", "db.sqlite") }

// SchemaPath is the file holding the database schema version.
func (c Config) SchemaPath() string { return filepath.Join(c.StateDir, "db", "schema") }

// InStore reports whether p lies inside the store directory.
func (c Config) InStore(p string) bool {
	return strings.HasPrefix(p, c.StoreDir+"/") && len(p) > len(c.StoreDir)+1
}

// ToStorePath cuts p (which must lie in the store) down to its store path:
// /nix/store/abc-foo/bin/x becomes /nix/store/abc-foo.
func (c Config) ToStorePath(p string) (string, bool) {
	if !c.InStore(p) {
		return "", false
	}
	rest := p[len(c.StoreDir)+1:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" || rest == "." || rest == ".." {
		return "", false
	}
	return c.StoreDir + "/" + rest, true
}
