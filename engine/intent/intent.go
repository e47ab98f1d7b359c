// Package intent owns turning text into an intent: normalisation (SPEC §7: lower case,
// Unicode NFC, collapsed whitespace, tokens), the built-in recogniser, and the list of
// actions and their argument names (SPEC §3). It is pure Go: no I/O, no network, no model.
package intent

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Actions of SPEC §2/§3, in the order help lists them.
var actionList = []string{
	"search", "install", "remove", "installed", "generations", "diff", "rollback",
	"cleanup", "update", "disk", "info", "config", "cache-stats", "cache-clear", "errors", "help",
}

// Actions returns the actions a rule may propose (not "unknown").
func Actions() []string { return append([]string(nil), actionList...) }

// IsAction reports whether a is one of SPEC's actions (including the subcommand-only
// ones such as path-info) or "unknown".
func IsAction(a string) bool {
	for _, x := range actionList {
		if x == a {
			return true
		}
	}
	switch a {
	case "unknown", "path-info", "verify", "index-update", "policy-test", "policy-eval", "rules-list", "rules-test", "explain":
		return true
	}
	return false
}

// Mutating reports whether an action changes the system.
func Mutating(action string) bool {
	switch action {
	case "install", "remove", "rollback", "cleanup", "update":
		return true
	}
	return false
}

// Intent is what a request asks for (SPEC §3 "intent").
type Intent struct {
	Action     string         `json:"action"`
	Args       map[string]any `json:"args"`
	Rule       string         `json:"rule"`
	Confidence float64        `json:"confidence"`
	// Phrase is, for an argument taken from the request's words, those words and the few
	// after them that may belong to it ("element desktop" for package "element"): the
	// engine resolves the argument against what exists (the package index, the profile).
	Phrase map[string]string `json:"-"`
}

// Input is the normalised request, as rule modules receive it (SPEC §7).
type Input struct {
	Text       string   `json:"text"`
	Normalized string   `json:"normalized"`
	Tokens     []string `json:"tokens"`
}

// Normalize lower-cases text, applies Unicode NFC, collapses whitespace and splits it
// into tokens on whitespace and punctuation.
func Normalize(text string) Input {
	n := norm.NFC.String(strings.ToLower(text))
	n = strings.Join(strings.Fields(n), " ")
	tokens := strings.FieldsFunc(n, func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '_' && r != '-' && r != '\'') || unicode.IsSymbol(r)
	})
	if tokens == nil {
		tokens = []string{}
	}
	return Input{Text: text, Normalized: n, Tokens: tokens}
}

// Threshold is the confidence below which a proposal is not acted on.
const Threshold = 0.5
