package nixstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/nix-community/go-nix/pkg/nar"
	"github.com/nix-community/go-nix/pkg/nixhash"
)

// Verified is one store path checked against the database (SPEC §3 "verify").
type Verified struct {
	Path     string `json:"path"`
	OK       bool   `json:"ok"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// Error says why the path could not be hashed (missing, unreadable); OK is then false.
	Error string `json:"error,omitempty"`
}

// AllPaths lists every valid path of the store, sorted.
func (n *Native) AllPaths(ctx context.Context) (_ []string, err error) {
	defer guard()(&err)
	out, err := n.paths(ctx, `SELECT path FROM ValidPaths ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("list store paths: %w", err)
	}
	return out, nil
}

// Verify recomputes the NAR hash of each store path natively (go-nix's NAR serialiser,
// SHA-256), compares it with the hash the database registered, and reports every path,
// sorted — what `nix-store --verify --check-contents` checks, without the daemon. Paths are
// hashed in parallel; progress, when not nil, is called after each one.
func (n *Native) Verify(ctx context.Context, paths []string, progress func(done, total int)) ([]Verified, error) {
	infos, err := n.PathInfo(ctx, paths, false)
	if err != nil {
		return nil, err
	}
	out := make([]Verified, len(infos))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range max(1, min(runtime.NumCPU(), 8)) {
		wg.Go(func() {
			for i := range jobs {
				out[i] = verifyOne(infos[i])
				if progress != nil {
					mu.Lock()
					done++
					progress(done, len(infos))
					mu.Unlock()
				}
			}
		})
	}
	for i := range infos {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func verifyOne(pi PathInfo) Verified {
	v := Verified{Path: pi.Path, Expected: pi.NarHash}
	want, err := nixhash.ParseAny(pi.NarHash, nil)
	if err != nil {
		v.Error = fmt.Sprintf("registered hash %q: %v", pi.NarHash, err)
		return v
	}
	h := sha256.New()
	if err := nar.DumpPath(h, pi.Path); err != nil {
		v.Error = err.Error()
		return v
	}
	sum := h.Sum(nil)
	v.Actual = nixhash.MustNewHash(nixhash.SHA256, sum).Format(nixhash.SRI, true)
	v.OK = want.Algo() == nixhash.SHA256 && bytes.Equal(want.Digest(), sum)
	return v
}
