package search

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedIndexSearch(t *testing.T) {
	idx, err := Open(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if idx.Meta.Packages < 100000 || idx.Meta.Path != "embedded" {
		t.Fatalf("embedded index meta %+v", idx.Meta)
	}
	for _, tc := range []struct{ q, want string }{
		{"firefox", "firefox"},
		{"firefx", "firefox"},
		{"ripgrep", "ripgrep"},
		{"python312Packages.requests", "python312Packages.requests"},
	} {
		res := idx.Search(tc.q, 10)
		found := false
		for _, r := range res[:min(3, len(res))] {
			found = found || r.Attr == tc.want
		}
		if !found {
			t.Errorf("%q: %s not in the top 3 of %v", tc.q, tc.want, res)
		}
	}
	if res := idx.Search("zzzzqqqqxxxx", 10); len(res) != 0 {
		t.Errorf("nonsense query found %v", res)
	}
}

// TestPackageSetQuery: a query naming a package set lists its members (search.nixos.org's
// users type "mpvScripts", "python3Packages"); a version-less name finds the newest set.
func TestPackageSetQuery(t *testing.T) {
	idx, err := Open(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ q, first, prefix string }{
		{"mpvScripts", "mpvScripts.", "mpvScripts."},
		{"yaziPlugins", "yaziPlugins.", "yaziPlugins."},
		{"kdePackages", "kdePackages.", "kdePackages."},
		{"python313Packages", "python313Packages.", "python313Packages."},
		{"python3Packages", "python313Packages.", "python31"},
		{"perlPackages", "perl540Packages.", "perl5"},
	} {
		res := idx.Search(tc.q, 10)
		if len(res) != 10 {
			t.Errorf("%q: %d results, want 10", tc.q, len(res))
			continue
		}
		if !strings.HasPrefix(res[0].Attr, tc.first) {
			t.Errorf("%q: first result %s, want one in %s", tc.q, res[0].Attr, tc.first)
		}
		for _, r := range res {
			if !strings.HasPrefix(r.Attr, tc.prefix) {
				t.Errorf("%q: %s is not a member of the set", tc.q, r.Attr)
			}
		}
	}
	// A name that is also a set's keeps its own package first.
	if res := idx.Search("nodePackages", 3); len(res) == 0 || !strings.HasPrefix(res[0].Attr, "nodePackages") {
		t.Errorf("nodePackages: %v", res)
	}
}

func TestRoundTrip(t *testing.T) {
	pkgs := []Package{{Attr: "a", Pname: "a", Version: "1", Description: "x\ty"},
		{Attr: "b.c", Pname: "c", Version: "2", Description: "ünïcode", Maintainers: 3, Family: 2, Category: "tools/misc",
			Homepage: "https://example.org/c", MainProgram: "cc", LongDescription: "Long\tdescription.", Rank: Rank{Versions: 2, Newer: 1}}}
	for i := range 600 { // details in more than one block
		pkgs = append(pkgs, Package{Attr: fmt.Sprintf("z%03d", i), Pname: "z", Homepage: fmt.Sprintf("https://z/%d", i)})
	}
	for _, compressed := range []bool{false, true} {
		var buf bytes.Buffer
		write := Write
		if compressed {
			write = WriteCompressed
		}
		if err := write(&buf, Meta{Source: "test"}, pkgs); err != nil {
			t.Fatal(err)
		}
		got, err := Read(buf.Bytes(), "mem")
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() != len(pkgs) || got.At(0).Description != "x y" || got.At(1) != (Package{Attr: "b.c", Pname: "c", Version: "2",
			Description: "ünïcode", Maintainers: 3, Family: 2, Category: "tools/misc", Terms: " b c tool misc ünïcode ",
			Homepage: "https://example.org/c", MainProgram: "cc", LongDescription: "Long description.", Rank: Rank{Versions: 2, Newer: 1}}) {
			t.Errorf("compressed=%v: %+v %+v", compressed, got.At(0), got.At(1))
		}
		for _, i := range []int{599, 2, 300} { // blocks in any order
			if h := got.At(i).Homepage; h != pkgs[i].Homepage {
				t.Errorf("package %d: homepage %q, want %q", i, h, pkgs[i].Homepage)
			}
		}
	}
	var good bytes.Buffer
	Write(&good, Meta{Source: "test"}, pkgs)
	g := good.String()
	for _, bad := range []string{"not zstd", "#ask-nix-index v3\tx\t\t2\na\tb\n", "#ask-nix-index v3\tx\t\t1\n",
		g[:len(g)-3], // a truncated trailer
		g + "x",      // data after it
		strings.Replace(g, trailerMagic, "ask-nix-accel-9\n", 1), // another trailer version
		strings.Replace(g, "v6", "v5", 1),                        // an older version's header
	} {
		if _, err := Read([]byte(bad), "x"); !errors.Is(err, ErrBadIndex) {
			t.Errorf("%.80q: %v", bad, err)
		}
	}
	// An index of an older ask-nix says what to do.
	if _, err := Read([]byte(strings.Replace(g, "v6", "v5", 1)), "x"); !errors.Is(err, ErrOldIndex) {
		t.Errorf("a v5 index: %v, want ErrOldIndex", err)
	}
}

func TestEmbeddedCacheFile(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("cache dir holds %d files, want the decompressed index", len(files))
	}
	b, err := Open(nil, dir) // now mapped from the cache file
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != b.Len() || a.At(1000) != b.At(1000) {
		t.Errorf("the cached index differs")
	}
	// A corrupt cache file is replaced, not trusted.
	os.WriteFile(filepath.Join(dir, files[0].Name()), []byte("garbage"), 0o644)
	if c, err := Open(nil, dir); err != nil || c.Len() != a.Len() {
		t.Fatalf("after corruption: %v", err)
	}
}

func BenchmarkSearch(b *testing.B) {
	idx, err := Open(nil, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"firefox", "video editor", "postgrsql", "python312Packages.requests", "pdf viewer", "graf"}
	for i := 0; b.Loop(); i++ {
		idx.Search(queries[i%len(queries)], 20)
	}
}

func BenchmarkOpenEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Open(nil, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenCached(b *testing.B) {
	dir := b.TempDir()
	Open(nil, dir)
	for b.Loop() {
		if _, err := Open(nil, dir); err != nil {
			b.Fatal(err)
		}
	}
}
