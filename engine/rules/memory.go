package rules

import (
	"context"

	"github.com/tetratelabs/wazero/experimental"
)

// withMemory backs every linear memory by newMemory of the cap, reserved up front (an
// anonymous mapping on Unix), so a module growing to the cap costs microseconds and the
// cap is reached, not timed out.
func withMemory(ctx context.Context, capBytes uint64) context.Context {
	return experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		if max == 0 || max > capBytes {
			max = capBytes
		}
		return newMemory(max)
	}))
}

// sliceMemory is the fallback linear memory: a Go slice grown by copying.
type sliceMemory struct {
	b   []byte
	max uint64
}

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if size > uint64(cap(m.b)) {
		nb := make([]byte, size, min(max(size, 2*uint64(cap(m.b))), m.max))
		copy(nb, m.b)
		m.b = nb
	}
	m.b = m.b[:size]
	return m.b
}

func (m *sliceMemory) Free() { m.b = nil }
