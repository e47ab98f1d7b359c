// Package private owns the rule ask-nix keeps for its own files, OpenSSH's: a directory it
// reads or writes its cache, compiled code, state and logs in must be owned by the
// effective user and not writable by group or others, and every directory above it must be
// owned by root or the effective user and not writable by others (a sticky one such as
// /tmp excepted). Every file is opened without following a link (O_NOFOLLOW) and checked
// after opening (fstat): a regular file, owned by the effective user, not writable by group
// or others. What fails the rule is not used: callers work without it and say why under
// --debug.
package private

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNotPrivate marks a directory or file that fails the rule.
var ErrNotPrivate = errors.New("not private")

// Dir checks that path is a directory the rule allows.
func Dir(path string) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	st, err := os.Lstat(real)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrNotPrivate, path)
	}
	if err := own(path, st, true); err != nil {
		return err
	}
	return ancestors(real)
}

// ancestors checks every directory above real: root's or ours, not writable by others
// unless sticky.
func ancestors(real string) error {
	euid := uint32(os.Geteuid())
	for p := filepath.Dir(real); ; p = filepath.Dir(p) {
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		sys := st.Sys().(*syscall.Stat_t)
		if sys.Uid != 0 && sys.Uid != euid {
			return fmt.Errorf("%w: %s (above it) belongs to uid %d", ErrNotPrivate, p, sys.Uid)
		}
		if st.Mode().Perm()&0o022 != 0 && st.Mode()&fs.ModeSticky == 0 {
			return fmt.Errorf("%w: %s (above it) is writable by others", ErrNotPrivate, p)
		}
		if p == "/" || p == "." {
			return nil
		}
	}
}

// own checks that st belongs to the effective user and is not writable by group or others.
func own(path string, st fs.FileInfo, dir bool) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%w: %s: no owner", ErrNotPrivate, path)
	}
	if euid := uint32(os.Geteuid()); sys.Uid != euid {
		return fmt.Errorf("%w: %s belongs to uid %d, not %d", ErrNotPrivate, path, sys.Uid, euid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s is writable by group or others", ErrNotPrivate, path)
	}
	if !dir && !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrNotPrivate, path)
	}
	return nil
}

// MkdirAll creates path (0700 for what it creates) and checks it.
func MkdirAll(path string) error {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return err
	}
	return Dir(path)
}

// Open opens path for reading, without following a link, and checks the file.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	if err := check(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads path as Open opens it, at most max bytes (0: no limit).
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if max > 0 {
		r = io.LimitReader(f, max+1)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		return nil, err
	}
	if max > 0 && int64(b.Len()) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return b.Bytes(), nil
}

// Append opens path for appending (creating it 0600), without following a link, and
// checks the file.
func Append(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|noFollow|nonBlock, 0o600)
	if err != nil {
		return nil, err
	}
	if err := check(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func check(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return own(path, st, false)
}

// Under reports whether path lies in dir.
func Under(path, dir string) bool {
	return dir != "" && (path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/"))
}

// RootOwned checks that dir and every directory above it belong to root and are not
// writable by group or others (a sticky one above excepted): nobody but root could have
// put anything there.
func RootOwned(dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	for p := real; ; p = filepath.Dir(p) {
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		sys := st.Sys().(*syscall.Stat_t)
		// A sticky directory (/tmp) above is fine: what lies in it that is root's, only
		// root can rename or remove.
		writable := st.Mode().Perm()&0o022 != 0 && (p == real || st.Mode()&fs.ModeSticky == 0)
		if sys.Uid != 0 || writable {
			return fmt.Errorf("%w: %s is not root's alone", ErrNotPrivate, p)
		}
		if p == "/" || p == "." {
			return nil
		}
	}
}

// Usable checks a directory ask-nix would use: when it exists, Dir's rule; when it does
// not yet, the rule for the directories above it (it would be created 0700).
func Usable(path string) error {
	if path == "" {
		return fmt.Errorf("%w: no directory", ErrNotPrivate)
	}
	if _, err := os.Lstat(path); err == nil {
		return Dir(path)
	}
	p := filepath.Clean(path)
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		if _, err := os.Lstat(parent); err == nil {
			real, err := filepath.EvalSymlinks(parent)
			if err != nil {
				return err
			}
			return ancestors(filepath.Join(real, "x"))
		}
		p = parent
	}
}

// NonBlock is O_NONBLOCK where it exists: opening a FIFO for reading with it returns at
// once, so a file that should be regular cannot hang the caller before it checks.
const NonBlock = nonBlock
