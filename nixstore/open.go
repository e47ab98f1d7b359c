package nixstore

import (
	"context"
	"errors"
	"fmt"
)

// OpenOptions chooses and reports the backend.
type OpenOptions struct {
	// Enhanced false (LUMINOUS_NIX_ENHANCED=false) sends every read to the nix CLI.
	Enhanced bool
	// Env is the environment of nix commands the CLI backend runs.
	Env []string
	// Debugf receives one line saying why the native reader was not used.
	Debugf func(format string, args ...any)
}

// Open returns the native reader, or the nix CLI backend when reads are not enhanced or
// the database cannot be read natively. With neither, the native reader's error is returned.
func Open(ctx context.Context, cfg Config, o OpenOptions) (Backend, error) {
	debugf := o.Debugf
	if debugf == nil {
		debugf = func(string, ...any) {}
	}
	if !o.Enhanced {
		debugf("LUMINOUS_NIX_ENHANCED=false: reads go to the nix CLI")
		return NewCLI(cfg, o.Env)
	}
	n, err := OpenNative(ctx, cfg)
	if err == nil {
		if n.Mode() != "ro" {
			debugf("store database opened as %s (it cannot be opened read-only by this user and has no pending WAL pages)", n.Mode())
		}
		return n, nil
	}
	if errors.Is(err, ErrBadDatabase) {
		return nil, err
	}
	cli, cliErr := NewCLI(cfg, o.Env)
	if cliErr != nil {
		if errors.Is(cliErr, ErrNoNix) {
			return nil, fmt.Errorf("%w; no nix CLI to fall back to", err)
		}
		return nil, err
	}
	debugf("native store reader unavailable (%v): reads go to the nix CLI", err)
	return cli, nil
}
