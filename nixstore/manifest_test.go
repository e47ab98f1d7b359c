package nixstore_test

import (
	"testing"

	"github.com/asknix/ask-nix/nixstore"
)

func TestManifestFind(t *testing.T) {
	m, err := nixstore.ParseManifest([]byte(`{"version":2,"elements":[
	 {"active":true,"attrPath":"legacyPackages.x86_64-linux.hello","originalUrl":"flake:nixpkgs","storePaths":["/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-hello-2.12"]},
	 {"active":true,"storePaths":["/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-ripgrep-14.1.0"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for pkg, want := range map[string]int{"hello": 0, "ripgrep": 1, "htop": -1, "": -1} {
		if got := m.Find(pkg); got != want {
			t.Errorf("Find(%q) = %d, want %d", pkg, got, want)
		}
	}
	for _, bad := range []string{`{}`, `{"version":9,"elements":[]}`, `[`, `{"version":"2"}`} {
		if _, err := nixstore.ParseManifest([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":2,"elements":[{"active":true,"storePaths":["/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-ripgrep-14.1.0"]}]}`))
	f.Add([]byte(`{"version":1,"elements":[{"attrPath":"a.b","storePaths":[]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := nixstore.ParseManifest(b)
		if err != nil {
			return
		}
		for _, pkg := range []string{"ripgrep", "b", "", "a.b"} {
			if i := m.Find(pkg); i < -1 || i >= len(m.Elements) {
				t.Fatalf("Find(%q) = %d of %d elements", pkg, i, len(m.Elements))
			}
		}
	})
}
