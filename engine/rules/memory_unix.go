//go:build unix

package rules

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// newMemory reserves an anonymous mapping of max bytes: memory.grow then only lengthens
// a slice (no copying, no zeroing, no Go heap).
func newMemory(max uint64) experimental.LinearMemory {
	b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|mapNoReserve)
	if err != nil {
		return &sliceMemory{max: max}
	}
	return &mmapMemory{b: b}
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
