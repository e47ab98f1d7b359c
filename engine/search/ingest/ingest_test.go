package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/search"
)

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
		if len(pkgs) != 1 || pkgs[0].Attr != "hello" || pkgs[0].Pname != "hello" || pkgs[0].Version != "2.12" || pkgs[0].Description != "A program" {
			t.Errorf("%s: %+v", name, pkgs)
		}
	}
	for _, bad := range []string{``, `[]`, `{"packages":{}}`, `{"packages":{"x":5}}`, `{"a":`} {
		if _, err := Parse(strings.NewReader(bad)); !errors.Is(err, search.ErrBadInput) {
			t.Errorf("%q: got %v, want search.ErrBadInput", bad, err)
		}
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
