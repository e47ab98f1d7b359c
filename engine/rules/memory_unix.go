//go:build unix

package rules

import (
	"context"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// withMemory backs every linear memory by an anonymous mapping of the cap reserved up
// front: memory.grow then only lengthens a slice (no copying, no zeroing, no Go heap), so
// a module growing to the cap costs microseconds and the cap is reached, not timed out.
func withMemory(ctx context.Context, capBytes uint64) context.Context {
	return experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		if max == 0 || max > capBytes {
			max = capBytes
		}
		b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|mapNoReserve)
		if err != nil {
			return &sliceMemory{max: max}
		}
		return &mmapMemory{b: b}
	}))
}

type mmapMemory struct{ b []byte }

func (m *mmapMemory) Reallocate(size uint64) []byte {
	if m.b == nil || size > uint64(len(m.b)) {
		return nil
	}
	return m.b[:size]
}

func (m *mmapMemory) Free() {
	if m.b != nil {
		syscall.Munmap(m.b)
		m.b = nil
	}
}
