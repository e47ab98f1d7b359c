package ingest

import (
	"errors"
	"reflect"
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

// TestParseOptionsMatchesSearch: the goccy decoder of index update --options gives what
// search's encoding/json one gives (it indexes the running system's options.json).
func TestParseOptionsMatchesSearch(t *testing.T) {
	in := `{"services.nginx.enable":{"description":{"_type":"mdDoc","text":"Whether to  enable nginx."},"type":"boolean","default":{"_type":"literalExpression","text":"false"},"loc":["services","nginx","enable"]},
"services.nginx.package":{"description":"The package.","type":"package","default":null,"loc":["services","nginx","package"]},
"boot.loader.grub.enable":{"description":"GRUB.","type":"boolean","default":true}}`
	a, err1 := ParseOptions(strings.NewReader(in))
	b, err2 := search.ParseOptions(strings.NewReader(in))
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) || len(a) != 3 || a[2].Family != 2 {
		t.Fatalf("goccy: %+v %v\nencoding/json: %+v %v", a, err1, b, err2)
	}
	for _, bad := range []string{``, `{}`, `[1]`, `{"x":{"type":1}}`} {
		if _, err := ParseOptions(strings.NewReader(bad)); !errors.Is(err, search.ErrBadInput) {
			t.Errorf("%q: %v, want ErrBadInput", bad, err)
		}
	}
}
