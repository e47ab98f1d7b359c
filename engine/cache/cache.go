// Package cache owns ask-nix's result cache (SPEC §8): an otter in-process cache persisted
// between runs in a private directory, written atomically (temporary file and rename).
// Each entry carries a stamp of what it was computed from (profile links, the store
// database and its -wal file, the index); an entry whose stamp no longer matches is a miss,
// so an answer is never stale after `nix-env -i` or a rollback.
package cache

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/asknix/ask-nix/engine/internal/atomicfile"
	"github.com/asknix/ask-nix/internal/private"
)

// PurePrefix starts the keys of entries that are pure functions of their key, such as a
// store path's closure size: they do not expire with the TTL (pureTTL bounds them), and
// their stamp is empty.
const PurePrefix = "pure\x00"

const pureTTL = 90 * 24 * time.Hour

// DefaultTTL is LUMINOUS_NIX_CACHE_TTL's default.
const DefaultTTL = 300 * time.Second

const (
	dataFile  = "results.gob"
	statsFile = "stats.json"
	maxSize   = 2000
)

// Entry is one cached result.
type Entry struct {
	Stamp string
	Value []byte
}

// Stats is what `cache stats` prints (SPEC §3).
type Stats struct {
	Entries    int     `json:"entries"`
	Hits       uint64  `json:"hits"`
	Misses     uint64  `json:"misses"`
	HitRatio   float64 `json:"hitRatio"`
	Path       string  `json:"path"`
	TTLSeconds int64   `json:"ttlSeconds"`
}

type counters struct {
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

// Cache is the persisted result cache. A nil *Cache, or one without a directory, is a
// cache that never hits: ask-nix works without it.
type Cache struct {
	c       *otter.Cache[string, Entry]
	dir     string
	ttl     time.Duration
	dirty   bool
	hits    uint64
	misses  uint64
	cleared bool
}

// Dirs returns the directories tried in order: $XDG_RUNTIME_DIR/ask-nix, then
// $XDG_CACHE_HOME/ask-nix (default ~/.cache/ask-nix).
func Dirs(getenv func(string) string) []string {
	var out []string
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		out = append(out, filepath.Join(d, "ask-nix"))
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		out = append(out, filepath.Join(d, "ask-nix"))
	} else if h := getenv("HOME"); h != "" {
		out = append(out, filepath.Join(h, ".cache", "ask-nix"))
	}
	return out
}

// ParseTTL reads LUMINOUS_NIX_CACHE_TTL: whole seconds, 0 disables caching.
func ParseTTL(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultTTL, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > 365*24*3600 {
		return 0, fmt.Errorf("LUMINOUS_NIX_CACHE_TTL must be a whole number of seconds from 0 to 31536000, not %q", s)
	}
	return time.Duration(n) * time.Second, nil
}

// Open loads the cache from the first usable directory. It never fails: problems are
// reported through debugf and the cache then works in memory only, or not at all. A
// corrupt cache file is discarded.
func Open(dirs []string, ttl time.Duration, debugf func(string, ...any)) *Cache {
	if debugf == nil {
		debugf = func(string, ...any) {}
	}
	c := &Cache{ttl: ttl}
	if ttl <= 0 {
		debugf("cache disabled (TTL 0)")
		return c
	}
	c.c = otter.Must(&otter.Options[string, Entry]{
		MaximumSize: maxSize,
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, Entry]) time.Duration {
			if strings.HasPrefix(e.Key, PurePrefix) {
				return pureTTL
			}
			return ttl
		}),
	})
	for _, d := range dirs {
		// Another user's directory (root with su's or sudo -E's XDG variables) is never
		// read or written: its cache could steer root's requests.
		if err := private.MkdirAll(d); err != nil {
			debugf("cache directory %s unusable: %v", d, err)
			continue
		}
		if err := syscall.Access(d, 2 /* W_OK */); err != nil {
			debugf("cache directory %s not writable: %v", d, err)
			continue
		}
		c.dir = d
		break
	}
	if c.dir == "" {
		debugf("no writable cache directory: working without a persisted cache")
		return c
	}
	p := filepath.Join(c.dir, dataFile)
	f, err := private.Open(p)
	if err == nil {
		err = otter.LoadCacheFrom(c.c, bufio.NewReader(f))
		f.Close()
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		debugf("discarding unreadable cache file %s: %v", p, err)
		c.c.InvalidateAll()
		os.Remove(p)
	}
	return c
}

// Dir is the directory the cache persists to, or "".
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

// Get returns the value stored under key if its stamp matches.
func (c *Cache) Get(key, stamp string) ([]byte, bool) {
	if c == nil || c.c == nil {
		return nil, false
	}
	e, ok := c.c.GetIfPresent(key)
	if ok && e.Stamp == stamp {
		c.hits++
		c.dirty = true
		return e.Value, true
	}
	if ok {
		c.c.Invalidate(key)
	}
	c.misses++
	c.dirty = true
	return nil, false
}

// Pure returns the value of an entry that is a pure function of its key (PurePrefix),
// without counting it: the request that reads many such entries counts itself once
// (Record).
func (c *Cache) Pure(key string) ([]byte, bool) {
	if c == nil || c.c == nil {
		return nil, false
	}
	e, ok := c.c.GetIfPresent(key)
	return e.Value, ok
}

// Record counts one hit or miss of a request answered from pure entries.
func (c *Cache) Record(hit bool) {
	if c == nil || c.c == nil {
		return
	}
	if hit {
		c.hits++
	} else {
		c.misses++
	}
	c.dirty = true
}

// Put stores value under key with stamp.
func (c *Cache) Put(key, stamp string, value []byte) {
	if c == nil || c.c == nil {
		return
	}
	c.c.Set(key, Entry{Stamp: stamp, Value: value})
	c.dirty = true
}

// Clear drops every entry and the counters, in memory and on disk.
func (c *Cache) Clear() error {
	if c == nil {
		return nil
	}
	if c.c != nil {
		c.c.InvalidateAll()
	}
	c.hits, c.misses, c.cleared, c.dirty = 0, 0, true, false
	if c.dir == "" {
		return nil
	}
	for _, f := range []string{dataFile, statsFile} {
		if err := os.Remove(filepath.Join(c.dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clear cache: %w", err)
		}
	}
	return nil
}

func (c *Cache) loadCounters() counters {
	var k counters
	if c.dir == "" {
		return k
	}
	b, err := private.ReadFile(filepath.Join(c.dir, statsFile), 1<<16)
	if err == nil && json.Unmarshal(b, &k) != nil {
		k = counters{}
	}
	return k
}

// Stats reports the cache's size and its hit counters over all runs.
func (c *Cache) Stats() Stats {
	s := Stats{}
	if c == nil {
		return s
	}
	s.TTLSeconds = int64(c.ttl / time.Second)
	if c.dir != "" {
		s.Path = c.dir
	}
	if c.c != nil {
		c.c.CleanUp()
		s.Entries = c.c.EstimatedSize()
	}
	k := c.loadCounters()
	s.Hits, s.Misses = k.Hits+c.hits, k.Misses+c.misses
	if s.Hits+s.Misses > 0 {
		s.HitRatio = float64(s.Hits) / float64(s.Hits+s.Misses)
	}
	return s
}

// Save persists the cache and the counters, atomically. Nothing is written when nothing
// changed.
func (c *Cache) Save() error {
	if c == nil || c.c == nil || c.dir == "" || !c.dirty {
		return nil
	}
	var buf bytes.Buffer
	if err := otter.SaveCacheTo(c.c, &buf); err != nil {
		return fmt.Errorf("save cache: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(c.dir, dataFile), buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save cache: %w", err)
	}
	k := c.loadCounters()
	k.Hits += c.hits
	k.Misses += c.misses
	b, _ := json.Marshal(k)
	if err := atomicfile.Write(filepath.Join(c.dir, statsFile), b, 0o600); err != nil {
		return fmt.Errorf("save cache counters: %w", err)
	}
	c.hits, c.misses, c.dirty = 0, 0, false
	return nil
}

// Stamp fingerprints files an answer was computed from: each one's modification time,
// size, mode and, for a link, its target. A missing file stamps as missing, and so does an
// empty SQLite -wal file (a reader may create one; it holds nothing until a write).
func Stamp(paths ...string) string {
	var b strings.Builder
	for _, p := range paths {
		b.WriteString(p)
		b.WriteByte('=')
		st, err := os.Lstat(p)
		if err != nil || (st.Size() == 0 && strings.HasSuffix(p, "-wal")) {
			b.WriteString("-;")
			continue
		}
		fmt.Fprintf(&b, "%d/%d/%o", st.ModTime().UnixNano(), st.Size(), st.Mode())
		if st.Mode()&fs.ModeSymlink != 0 {
			t, _ := os.Readlink(p)
			b.WriteString("->" + t)
		}
		b.WriteByte(';')
	}
	return b.String()
}
