//go:build !unix

package rules

import (
	"context"

	"github.com/tetratelabs/wazero/experimental"
)

func withMemory(ctx context.Context, capBytes uint64) context.Context {
	return experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		if max == 0 || max > capBytes {
			max = capBytes
		}
		return &sliceMemory{max: max}
	}))
}
