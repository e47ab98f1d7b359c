package ingest

import (
	"strconv"
	"testing"

	"github.com/asknix/ask-nix/engine/search"
)

func TestFamilyKey(t *testing.T) {
	for attr, want := range map[string]string{
		"python312": "python", "python2Full": "python", "python3Minimal": "python", "nodejs_24": "nodejs",
		"nodejs-slim_24": "nodejs-slim", "linux_6_12": "linux", "dotnet-sdk_9": "dotnet-sdk", "gimp3": "gimp",
		"gcc": "gcc", "firefox": "firefox", "mp3gain": "mp3gain", "_7zz": "_7zz", "123": "123", "ruby_3_4": "ruby",
		"go_1_24": "go", "php83": "php", "qt6Packages": "qt", "x-": "x-",
	} {
		if got := familyKey(attr); got != want {
			t.Errorf("familyKey(%q) = %q, want %q", attr, got, want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"3.12.11", "3.10.18", 1}, {"2.7.18", "3.12.1", -1}, {"3.14.0rc3", "3.12.11", -1}, {"18rc1", "17.6", -1},
		{"24.8.0", "24.8.0", 0}, {"1.0-unstable-2024-01-01", "0.9", -1}, {"", "1", -1},
	} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestRanks: the newest release of a family has nobody newer; an older major and a
// pre-release come after it; a set member and a lone package have no family.
func TestRanks(t *testing.T) {
	pkgs := []search.Package{{Attr: "python2", Version: "2.7.18"}, {Attr: "python312", Version: "3.12.11"},
		{Attr: "python314", Version: "3.14.0rc3"}, {Attr: "python2Full", Version: "2.7.18"},
		{Attr: "python312Packages.requests", Version: "2.32"}, {Attr: "firefox", Version: "143"}}
	addRanks(pkgs)
	want := map[string]search.Rank{"python312": {Versions: 4, Newer: 0}, "python2": {Versions: 4, Newer: 1},
		"python2Full": {Versions: 4, Newer: 1}, "python314": {Versions: 4, Newer: 3}, "python312Packages.requests": {}, "firefox": {}}
	for _, p := range pkgs {
		if p.Rank != want[p.Attr] {
			t.Errorf("%s: %+v, want %+v", p.Attr, p.Rank, want[p.Attr])
		}
	}
}

// TestGeneratedSeriesIsNoFamily: ten thousand attributes of one name and a number are a
// generated series, not versions (ranking them was quadratic: minutes for index update).
func TestGeneratedSeriesIsNoFamily(t *testing.T) {
	var pkgs []search.Package
	for i := range 10000 {
		pkgs = append(pkgs, search.Package{Attr: "pkg" + strconv.Itoa(i), Version: strconv.Itoa(i)})
	}
	addRanks(pkgs)
	for _, p := range pkgs {
		if p.Rank != (search.Rank{}) {
			t.Fatalf("%s: %+v, want no family", p.Attr, p.Rank)
		}
	}
}
