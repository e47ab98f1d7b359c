package private

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFilesAreOpenedOnlyWhenPrivate(t *testing.T) {
	dir := t.TempDir()
	if err := MkdirAll(filepath.Join(dir, "state")); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	target := filepath.Join(dir, "elsewhere")
	os.WriteFile(target, []byte("x"), 0o600)
	os.Symlink(target, filepath.Join(state, "errors.jsonl"))
	if _, err := Append(filepath.Join(state, "errors.jsonl")); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("append through a planted link: %v, want ELOOP", err)
	}
	if _, err := Open(filepath.Join(state, "errors.jsonl")); err == nil {
		t.Error("read through a planted link")
	}
	if err := syscall.Mkfifo(filepath.Join(state, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(state, "fifo")); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("a FIFO: %v, want ErrNotPrivate (and no hang)", err)
	}
	shared := filepath.Join(state, "shared")
	os.WriteFile(shared, []byte("x"), 0o666)
	os.Chmod(shared, 0o666)
	if _, err := Open(shared); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("a file others may write: %v, want ErrNotPrivate", err)
	}
	open := filepath.Join(dir, "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if err := Dir(open); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("a directory others may write: %v, want ErrNotPrivate", err)
	}
	if err := Usable(filepath.Join(open, "cache", "ask-nix")); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("a directory to be made under one others may write: %v, want ErrNotPrivate", err)
	}
	if err := Usable(filepath.Join(dir, "new", "ask-nix")); err != nil {
		t.Errorf("a directory to be made in a private one: %v", err)
	}
	f, err := Append(filepath.Join(state, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}
