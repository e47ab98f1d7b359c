package main

import (
	"reflect"
	"testing"

	"github.com/asknix/ask-nix/engine/intent"
	asknix "github.com/asknix/ask-nix/rules-wasm/sdk"
)

// input is the host's normalisation of text.
func input(text string) asknix.Input {
	n := intent.Normalize(text)
	return asknix.Input{Text: n.Text, Normalized: n.Normalized, Tokens: n.Tokens}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		text   string
		action string
		args   map[string]any
	}{
		{"zeige meine Generationen", "generations", map[string]any{}},
		{"Liste alle Generationen", "generations", map[string]any{}},
		{"suche firefox", "search", map[string]any{"query": "firefox"}},
		{"Suche nach einem PDF Betrachter", "search", map[string]any{"query": "pdf betrachter"}},
		{"installiere bitte firefox", "install", map[string]any{"package": "firefox"}},
		{"entferne hello", "remove", map[string]any{"package": "hello"}},
		{"zurück zur vorherigen Generation", "rollback", map[string]any{}},
		{"zurücksetzen auf Generation 12", "rollback", map[string]any{"generation": 12}},
		{"räume auf und behalte 3", "cleanup", map[string]any{"keep": 3}},
		{"wie viel Speicherplatz habe ich", "disk", map[string]any{}},
		{"aktualisiere das System", "update", map[string]any{}},
		{"welche Version von python ist installiert", "installed", map[string]any{"package": "python"}},
		{"Hilfe", "help", map[string]any{}},
		{"Unterschied der Generationen", "diff", map[string]any{}},
		{"zeige firefox", "", nil},
		{"installiere /tmp/evil", "install", map[string]any{"package": "/tmp/evil"}}, // the policy's to refuse
		{"suche firefox!", "search", map[string]any{"query": "firefox"}},
		{"show version of firefox", "", nil}, // English: the built-in recogniser's
		{"what version of python do I have", "", nil},
		{"guten Morgen", "", nil},
	} {
		got, ok := Match(input(tc.text))
		if tc.action == "" {
			if ok {
				t.Errorf("%q: proposed %+v, want no match", tc.text, got)
			}
			continue
		}
		if !ok || got.Action != tc.action || !reflect.DeepEqual(nonNil(got.Args), tc.args) {
			t.Errorf("%q: got %+v (ok=%v), want %s %v", tc.text, got, ok, tc.action, tc.args)
		}
	}
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// TestTriggersCoverMatches: every word Match reacts to is a trigger, or the host would
// never call the module for it.
func TestTriggersCoverMatches(t *testing.T) {
	for _, text := range []string{"zeige meine Generationen", "suche firefox", "installiere firefox", "entferne hello", "räume auf", "Hilfe", "aktualisiere", "Speicher", "zurück", "was ist installiert"} {
		in := input(text)
		found := false
		for _, w := range Triggers {
			if in.Has(w) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no trigger word", text)
		}
	}
}
