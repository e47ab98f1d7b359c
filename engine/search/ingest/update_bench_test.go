package ingest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/asknix/ask-nix/internal/shareddata"
)

// BenchmarkUpdateShared builds an index from the shared nixpkgs package set (129,815
// packages), as `ask-nix index update --from` does.
func BenchmarkUpdateShared(b *testing.B) {
	src := shareddata.Path(b, "nixpkgs/packages.json.br")
	to := filepath.Join(b.TempDir(), "index")
	for b.Loop() {
		if _, err := Update(context.Background(), UpdateOptions{From: src, To: to}); err != nil {
			b.Skip(err)
		}
	}
}
