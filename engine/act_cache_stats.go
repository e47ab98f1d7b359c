package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/asknix/ask-nix/engine/cache"
)

func actCacheStats() *Action {
	return &Action{
		Name: "cache-stats", Command: "cache stats", Summary: "result cache statistics",
		Examples: []string{"ask-nix cache stats"},
		Phrase:   true,
		Plan:     func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(_ context.Context, e *Engine, _ *Envelope) (Result, error) {
			return CacheStatsResult{e.cache.Stats()}, nil
		},
	}
}

// CacheStatsResult is `cache stats --json` (SPEC §3).
type CacheStatsResult struct{ cache.Stats }

// Render implements Result.
func (r CacheStatsResult) Render(w io.Writer) {
	fmt.Fprintf(w, "entries:\t%d\nhits:\t%d\nmisses:\t%d\nhit ratio:\t%.2f\npath:\t%s\nttl:\t%ds\n", r.Entries, r.Hits, r.Misses, r.HitRatio, dash(r.Path), r.TTLSeconds)
}
