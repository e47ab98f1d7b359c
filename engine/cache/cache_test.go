package cache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPersistAndStamp(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "db")
	os.WriteFile(src, []byte("a"), 0o644)
	c := Open([]string{filepath.Join(dir, "c")}, time.Minute, nil)
	if _, ok := c.Get("k", Stamp(src)); ok {
		t.Fatal("hit in an empty cache")
	}
	c.Put("k", Stamp(src), []byte(`{"x":1}`))
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c2 := Open([]string{filepath.Join(dir, "c")}, time.Minute, nil)
	v, ok := c2.Get("k", Stamp(src))
	if !ok || string(v) != `{"x":1}` {
		t.Fatalf("second process: %q %v", v, ok)
	}
	s := c2.Stats()
	if s.Hits != 1 || s.Misses != 1 || s.Entries != 1 {
		t.Errorf("stats %+v", s)
	}
	os.WriteFile(src, []byte("bb"), 0o644)
	if _, ok := c2.Get("k", Stamp(src)); ok {
		t.Fatal("hit after its source changed")
	}
}

func TestCorruptFileDiscarded(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, dataFile), []byte("garbage\x00\x01"), 0o600)
	var msgs []string
	c := Open([]string{dir}, time.Minute, func(f string, a ...any) { msgs = append(msgs, f) })
	if _, err := os.Stat(filepath.Join(dir, dataFile)); err == nil {
		t.Error("corrupt file kept")
	}
	if len(msgs) == 0 {
		t.Error("no debug message for the corrupt file")
	}
	c.Put("k", "s", []byte("v"))
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
}

func TestUnwritableDirWorksWithoutCache(t *testing.T) {
	c := Open([]string{"/proc/ask-nix-cannot-exist"}, time.Minute, nil)
	c.Put("k", "s", []byte("v"))
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if c.Dir() != "" {
		t.Errorf("dir %q", c.Dir())
	}
}

func TestParseTTL(t *testing.T) {
	for in, ok := range map[string]bool{"": true, "0": true, "300": true, "abc": false, "-1": false, "1e9": false, "99999999999": false} {
		if _, err := ParseTTL(in); (err == nil) != ok {
			t.Errorf("ParseTTL(%q): %v", in, err)
		}
	}
}
