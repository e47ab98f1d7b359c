package engine

import (
	"testing"
	"time"
)

func TestParseFlakeLock(t *testing.T) {
	lock := `{"nodes":{"nixpkgs":{"locked":{"lastModified":1777578337,"owner":"NixOS","repo":"nixpkgs","rev":"15f4ee454b1dce334612fa6843b3e05cf546efab","type":"github"},
	    "original":{"owner":"NixOS","ref":"nixos-unstable","repo":"nixpkgs","type":"github"}},
	  "hm":{"locked":{"lastModified":1777000000,"url":"https://example.org/hm.tar.gz","type":"tarball"}},
	  "root":{"inputs":{"nixpkgs":"nixpkgs","hm":"hm","follows":["nixpkgs"]}}},"root":"root","version":7}`
	now := time.Unix(1777578337+3*86400, 0)
	ins, err := ParseFlakeLock([]byte(lock), "flake.lock", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[1].Name != "nixpkgs" || ins[1].Ref != "github:NixOS/nixpkgs/nixos-unstable" || ins[1].AgeDays != 3 || ins[0].Ref != "https://example.org/hm.tar.gz" {
		t.Errorf("inputs %+v", ins)
	}
	if _, err := ParseFlakeLock([]byte(`{"nodes":{}}`), "x", now); err == nil {
		t.Error("a lock without a root node parsed")
	}
}

func FuzzParseFlakeLock(f *testing.F) {
	f.Add(`{"nodes":{"a":{"locked":{"lastModified":1,"type":"github","owner":"o","repo":"r"}},"root":{"inputs":{"a":"a"}}},"root":"root"}`)
	f.Fuzz(func(t *testing.T, s string) {
		ParseFlakeLock([]byte(s), "fuzz", time.Unix(0, 0))
	})
}
