package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/asknix/ask-nix/nixstore"
)

func actVerify() *Action {
	return &Action{
		Name: "verify", Summary: "recompute NAR hashes natively and compare with the store database",
		Examples: []string{"ask-nix verify /run/current-system"},
		Args:     []Arg{{Name: "paths", Kind: Strings, Help: "store paths or links into the store (all when none)"}},
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{Backend: "native"}, nil },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			return e.verify(ctx, env.args.Strings("paths"))
		},
	}
}

// VerifyResult is `verify --json` (SPEC §3).
type VerifyResult []nixstore.Verified

// Render implements Result.
func (r VerifyResult) Render(w io.Writer) {
	bad := 0
	for _, v := range r {
		if !v.OK {
			bad++
			why := "hash mismatch: expected " + v.Expected + ", got " + v.Actual
			if v.Error != "" {
				why = v.Error
			}
			fmt.Fprintf(w, "CORRUPT\t%s\t%s\n", v.Path, why)
		}
	}
	fmt.Fprintf(w, "%s checked, %d corrupted\n", plural(len(r), "store path"), bad)
}

// ErrCorrupt is a store path whose contents no longer match its registered hash (exit 1).
var ErrCorrupt = errors.New("corrupted store paths")

// CorruptError names the corrupted paths and how to repair them.
type CorruptError struct{ Paths []string }

func (e *CorruptError) Error() string {
	if len(e.Paths) == 1 {
		return "1 store path is corrupted: " + e.Paths[0]
	}
	return fmt.Sprintf("%d store paths are corrupted: %s", len(e.Paths), strings.Join(e.Paths, ", "))
}
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Hint is the repair command (SPEC §2: verify proposes nix-store --repair-path).
func (e *CorruptError) Hint() string {
	return "repair with: " + strings.Join(append([]string{"sudo", "nix-store", "--repair-path"}, e.Paths...), " ")
}

// verify recomputes NAR hashes natively (always the native reader: the nix CLI has no
// equivalent that reports the actual hash) for paths, or for the whole store.
func (e *Engine) verify(ctx context.Context, paths []string) (Result, error) {
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	n, ok := b.(*nixstore.Native)
	if !ok {
		if n, err = nixstore.OpenNative(ctx, e.o.Host.Store); err != nil {
			return nil, fmt.Errorf("verify reads the store database natively: %w", err)
		}
		defer n.Close()
	}
	if len(paths) == 0 {
		if paths, err = n.AllPaths(ctx); err != nil {
			return nil, err
		}
	}
	var progress func(done, total int)
	if e.o.ProgressItems != nil {
		progress = func(done, total int) { e.o.ProgressItems(int64(done), int64(total)) }
	}
	res, err := n.Verify(ctx, paths, progress)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, v := range res {
		if !v.OK {
			bad = append(bad, v.Path)
		}
	}
	if len(bad) > 0 {
		return VerifyResult(res), &CorruptError{Paths: bad}
	}
	return VerifyResult(res), nil
}
