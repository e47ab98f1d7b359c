package nixstore

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestGuardTurnsAFaultIntoAnError maps a file, truncates it under the mapping (what a
// vacuum of the store database does to a reader) and reads past the new end: the read
// faults, and guard returns ErrDatabaseChanged instead of crashing the process.
func TestGuardTurnsAFaultIntoAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(p, make([]byte, 3*os.Getpagesize()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, 3*os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	read := func() (b byte, err error) {
		defer guard()(&err)
		return m[2*os.Getpagesize()], nil
	}
	if _, err := read(); !errors.Is(err, ErrDatabaseChanged) {
		t.Fatalf("read of a truncated mapping: err = %v, want ErrDatabaseChanged", err)
	}
	// Other panics are not swallowed.
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the original panic", r)
		}
	}()
	func() (err error) {
		defer guard()(&err)
		panic("boom")
	}()
}
