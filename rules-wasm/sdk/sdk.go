// Package asknix is the Go SDK for ask-nix rule modules (SPEC §7): a rule is one Go
// function from the normalised request to a proposed intent. Register it in init and
// build the package as a WASI reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o myrule.wasm ./myrule
//
// The SDK exports asknix_alloc and asknix_match and does the JSON; the types and helpers
// here also build natively, so a rule's function is tested with plain `go test`.
package asknix

import (
	"slices"
	"strings"
)

// Input is what the host sends (SPEC §7).
type Input struct {
	Text       string   `json:"text"`
	Normalized string   `json:"normalized"`
	Tokens     []string `json:"tokens"`
}

// Intent is a proposal: one of SPEC §2's actions, its arguments (SPEC §3's names:
// query, package, profile, generation, steps, from, to, keep, older_than) and a
// confidence between 0 and 1.
type Intent struct {
	Action     string         `json:"action"`
	Args       map[string]any `json:"args"`
	Confidence float64        `json:"confidence"`
}

// Rule answers one request; ok=false means "no match".
type Rule func(in Input) (proposal Intent, ok bool)

// Has reports whether any of words is one of the request's tokens.
func (in Input) Has(words ...string) bool {
	for _, w := range words {
		if slices.Contains(in.Tokens, w) {
			return true
		}
	}
	return false
}

// Index is the position of the first token that is one of words, or -1.
func (in Input) Index(words ...string) int {
	for i, t := range in.Tokens {
		if slices.Contains(words, t) {
			return i
		}
	}
	return -1
}

// After returns the tokens after the first of words, or nil.
func (in Input) After(words ...string) []string {
	if i := in.Index(words...); i >= 0 {
		return in.Tokens[i+1:]
	}
	return nil
}

// HasPrefix reports whether the normalised text starts with prefix as whole words.
func (in Input) HasPrefix(prefix string) bool {
	return in.Normalized == prefix || strings.HasPrefix(in.Normalized, prefix+" ")
}
