package search

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/asknix/ask-nix/engine/internal/atomicfile"
)

// defaultIndex is built by mkindex from ../shared/data/nixpkgs/packages.json.br (README,
// "Rebuilding the embedded index").
//
//go:embed default-index.zst
var defaultIndex []byte

// defaultOptions holds the NixOS options (../shared/data/nixpkgs/options.json.zst).
//
//go:embed default-options.zst
var defaultOptions []byte

// OptionsLocations are the options index's files, in order of precedence.
func OptionsLocations(dataHome, root string) []string {
	return []string{filepath.Join(dataHome, "ask-nix", "options"), filepath.Join(root, "/var/lib/ask-nix/options")}
}

// OpenOptions loads the first options index of paths that exists, else the embedded one.
func OpenOptions(paths []string, cacheDir string) (*Index, error) {
	return openFirst(paths, defaultOptions, "embedded-options", cacheDir)
}

// Locations of the index, in order of precedence (SPEC §5).
func Locations(dataHome, root string) []string {
	return []string{filepath.Join(dataHome, "ask-nix", "index"), filepath.Join(root, "/var/lib/ask-nix/index")}
}

// Open loads the first index of paths that exists, else the embedded default. A file that
// exists but cannot be read is an error, not a silent fall-back. cacheDir, when not empty,
// keeps the embedded index decompressed so later processes map it instead of
// decompressing it again.
func Open(paths []string, cacheDir string) (*Index, error) {
	return openFirst(paths, defaultIndex, "embedded-index", cacheDir)
}

func openFirst(paths []string, embedded []byte, name, cacheDir string) (*Index, error) {
	for _, p := range paths {
		data, err := mapFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read index %s: %w", p, err)
		}
		return Read(data, p)
	}
	return openEmbeddedData(embedded, name, cacheDir)
}

func openEmbeddedData(embedded []byte, name, cacheDir string) (*Index, error) {
	if cacheDir == "" {
		return Read(embedded, "embedded")
	}
	cached := filepath.Join(cacheDir, fmt.Sprintf("%s-%s", name, fingerprint(embedded)))
	if data, err := mapFile(cached); err == nil {
		if idx, err := Read(data, "embedded"); err == nil {
			return idx, nil
		}
	}
	raw, err := decompress(embedded)
	if err != nil {
		return nil, fmt.Errorf("%w: embedded: %v", ErrBadIndex, err)
	}
	idx, err := Read(raw, "embedded")
	if err != nil {
		return nil, err
	}
	_ = atomicfile.Write(cached, raw, 0o644) // a cache: failing to keep it only costs time
	return idx, nil
}

// fingerprint names a compressed index cheaply: its length and the CRC of its first and
// last 64 KiB. A zstd frame ends with the xxhash of its whole content, so two different
// indexes differ there; hashing all 8.6 MB instead cost ~4 ms a search.
func fingerprint(b []byte) string {
	const n = 64 << 10
	head, tail := b[:min(len(b), n)], b[max(0, len(b)-n):]
	return fmt.Sprintf("%d-%08x-%08x", len(b), crc32.ChecksumIEEE(head), crc32.ChecksumIEEE(tail))
}

// mapFile maps a file read-only (or reads it when it cannot be mapped).
func mapFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 || st.Size() > 1<<31 {
		return os.ReadFile(path)
	}
	// MAP_POPULATE: opening reads every line anyway, and mapping the cached pages in one
	// call costs less than a fault per 16 of them (search firefox: 1,254 → 912 faults).
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return os.ReadFile(path)
	}
	return data, nil
}

// OpenOptionsFor opens the options index: the first of paths that exists (an index the
// user or the system timer built), else the running system's own options.json (NixOS
// keeps it at /run/current-system/sw/share/doc/nixos/options.json when its documentation
// is enabled: exactly the options of the modules this system has), else the embedded one.
// The system's file is indexed once per version into cacheDir.
func OpenOptionsFor(paths []string, systemJSON, cacheDir string) (*Index, error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return OpenOptions(paths, cacheDir)
		}
	}
	if systemJSON != "" {
		if real, err := filepath.EvalSymlinks(systemJSON); err == nil {
			return openSystemOptions(real, cacheDir)
		}
	}
	return OpenOptions(nil, cacheDir)
}

func openSystemOptions(real, cacheDir string) (*Index, error) {
	st, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", real, err)
	}
	key := crc32.ChecksumIEEE(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%s", real, st.Size(), st.ModTime().UnixNano(), magic))
	cached := ""
	if cacheDir != "" {
		cached = filepath.Join(cacheDir, fmt.Sprintf("system-options-%08x", key))
		if data, err := mapFile(cached); err == nil {
			if idx, err := Read(data, real); err == nil {
				return idx, nil
			}
		}
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", real, err)
	}
	defer f.Close()
	opts, err := ParseOptions(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", real, err)
	}
	var buf bytes.Buffer
	meta := Meta{Source: "this system's options (" + real + ")"}
	if st.ModTime().Year() > 1980 { // store paths carry the epoch, which says nothing
		meta.Date = st.ModTime()
	}
	if err := Write(&buf, meta, opts); err != nil {
		return nil, err
	}
	if cached != "" {
		_ = atomicfile.Write(cached, buf.Bytes(), 0o644) // a cache: failing to keep it only costs time
	}
	return Read(buf.Bytes(), real)
}
