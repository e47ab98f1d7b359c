package main

import (
	"testing"

	"github.com/asknix/ask-nix/engine/intent"
	asknix "github.com/asknix/ask-nix/rules-wasm/sdk"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct{ text, action string }{
		{"deploy the homelab", "update"},
		{"Deploy the  homelab, please", "update"},
		{"deploy the homelab?", "update"},
		{"tidy the laptop", "cleanup"},
		{"what broke", "errors"},
		{"deploy the homelab && rm -rf /", ""},
		{"deploy", ""},
		{"what", ""},
		{"", ""},
	} {
		n := intent.Normalize(tc.text)
		got, ok := Match(asknix.Input{Text: n.Text, Normalized: n.Normalized, Tokens: n.Tokens})
		if got.Action != tc.action || ok != (tc.action != "") {
			t.Errorf("%q: got %q (ok=%v), want %q", tc.text, got.Action, ok, tc.action)
		}
	}
}

func TestTriggers(t *testing.T) {
	got := Triggers()
	want := []string{"deploy", "how", "tidy", "undo", "what"}
	if len(got) != len(want) {
		t.Fatalf("Triggers() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Triggers() = %v, want %v", got, want)
		}
	}
}
