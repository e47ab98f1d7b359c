package search

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestEmbeddedIndexSearch(t *testing.T) {
	idx, err := Open(nil)
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

func TestParseShapes(t *testing.T) {
	for name, in := range map[string]string{
		"channel":    `{"version":2,"packages":{"hello":{"name":"hello-2.12","pname":"hello","version":"2.12","system":"x86_64-linux","outputs":["out"],"meta":{"description":"A program"}}}}`,
		"nix-env":    `{"nixpkgs.hello":{"name":"hello-2.12","pname":"hello","version":"2.12","outputs":{"out":null},"meta":{"description":"A program"}}}`,
		"nix search": `{"legacyPackages.x86_64-linux.hello":{"pname":"hello","version":"2.12","description":"A program"}}`,
	} {
		pkgs, err := Parse(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(pkgs) != 1 || pkgs[0] != (Package{Attr: "hello", Pname: "hello", Version: "2.12", Description: "A program"}) {
			t.Errorf("%s: %+v", name, pkgs)
		}
	}
	for _, bad := range []string{``, `[]`, `{"packages":{}}`, `{"packages":{"x":5}}`, `{"a":`} {
		if _, err := Parse(strings.NewReader(bad)); !errors.Is(err, ErrBadInput) {
			t.Errorf("%q: got %v, want ErrBadInput", bad, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	idx := &Index{Meta: Meta{Source: "test", Packages: 2}, Packages: []Package{{"a", "a", "1", "x\ty"}, {"b.c", "c", "2", "ünïcode"}}}
	var buf bytes.Buffer
	if err := Write(&buf, idx); err != nil {
		t.Fatal(err)
	}
	got, err := Read(buf.Bytes(), "mem")
	if err != nil {
		t.Fatal(err)
	}
	if got.Packages[0].Description != "x y" || got.Packages[1].Description != "ünïcode" {
		t.Errorf("%+v", got.Packages)
	}
	if _, err := Read([]byte("not zstd"), "x"); !errors.Is(err, ErrBadIndex) {
		t.Errorf("garbage index: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"version":2,"packages":{"hello":{"pname":"hello","version":"1","meta":{"description":"d"}}}}`)
	f.Add(`{"x":{"pname":"p","description":"d"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		pkgs, err := Parse(strings.NewReader(s))
		if err == nil && len(pkgs) == 0 {
			t.Fatal("no error and no packages")
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	idx, err := Open(nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		idx.Search("video editor", 20)
	}
}

func BenchmarkOpenEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Open(nil); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = os.Getenv
