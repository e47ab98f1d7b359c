package nixstore

import (
	"context"
	"errors"
	"slices"
)

// PathInfo is one store object, with the JSON field names and omission rules of
// Nix 2.8's `nix path-info --json`.
type PathInfo struct {
	Path             string   `json:"path"`
	NarHash          string   `json:"narHash"`
	NarSize          uint64   `json:"narSize"`
	References       []string `json:"references"`
	CA               string   `json:"ca,omitempty"`
	ClosureSize      uint64   `json:"closureSize,omitempty"`
	Deriver          string   `json:"deriver,omitempty"`
	RegistrationTime int64    `json:"registrationTime,omitempty"`
	Ultimate         bool     `json:"ultimate,omitempty"`
	Signatures       []string `json:"signatures,omitempty"`
}

// Closure is the size of a store path's closure.
type Closure struct {
	Paths   int    `json:"paths"`
	NarSize uint64 `json:"narSize"`
}

// StoreStats counts what the store database holds.
type StoreStats struct {
	Paths    int    `json:"paths"`
	NarBytes uint64 `json:"narBytes"`
}

// Backend answers questions about the store. Native and CLI implement it.
type Backend interface {
	// Name is "native" or "nix-cli".
	Name() string
	// PathInfo describes each path (a store path, a path inside one, or a link into
	// the store), in the order Nix prints them: sorted by store path, without duplicates.
	// A .drv is the derivation file itself (see Installables for what a user means).
	PathInfo(ctx context.Context, paths []string, withClosureSize bool) ([]PathInfo, error)
	// DerivationOutputs lists the output paths a valid derivation records, sorted, built
	// or not.
	DerivationOutputs(ctx context.Context, drv string) ([]string, error)
	// ClosureSizes returns the closure of each valid store path given; invalid paths are
	// left out of the map. Shared parts of closures are read once.
	ClosureSizes(ctx context.Context, storePaths []string) (map[string]Closure, error)
	// Generations lists a profile's generations, newest first, without closure sizes.
	Generations(ctx context.Context, profile string) (Profile, error)
	// Stats counts the valid paths and their NAR bytes.
	Stats(ctx context.Context) (StoreStats, error)
	// Closure lists the store paths a valid store path's closure holds, sorted.
	Closure(ctx context.Context, storePath string) ([]string, error)
	// References lists the store paths a valid store path refers to, sorted.
	References(ctx context.Context, storePath string) ([]string, error)
	// Close releases the backend's resources.
	Close() error

	config() Config
}

// Errors callers test for.
var (
	// ErrNoDatabase: there is no store database to read.
	ErrNoDatabase = errors.New("no nix store database")
	// ErrUnknownSchema: the database has a schema this version of ask-nix does not know.
	ErrUnknownSchema = errors.New("unknown nix database schema")
	// ErrInvalidPath: a path is not a valid store path.
	ErrInvalidPath = errors.New("not a valid store path")
	// ErrDatabaseChanged: the store database shrank while it was mapped and read.
	ErrDatabaseChanged = errors.New("store database changed")
	// ErrNotProfile: a path is not a Nix profile.
	ErrNotProfile = errors.New("not a nix profile")
	// ErrBadDatabase: the store database is no database (empty, a FIFO): neither read
	// natively nor handed to the nix CLI.
	ErrBadDatabase = errors.New("not a store database")
	// ErrNoNix: the nix CLI is not installed.
	ErrNoNix = errors.New("the nix command-line tools are not installed")
)

// Installables reads paths as `nix path-info` (Nix 2.8) reads its arguments: each resolves
// to its store path, and a derivation (.drv) stands for its outputs (newer Nix needs
// drv^*). The result is sorted, without duplicates; an output never built is still
// listed (PathInfo then reports it not valid, as Nix prints "valid": false).
func Installables(ctx context.Context, b Backend, paths []string) ([]string, error) {
	sps, err := resolveAll(b.config(), paths)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sp := range sps {
		if !isDrv(sp) {
			out = append(out, sp)
			continue
		}
		outs, err := b.DerivationOutputs(ctx, sp)
		if err != nil {
			return nil, err
		}
		out = append(out, outs...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
