package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/search"
)

// Resolving a sentence's package: the recogniser takes words from the request ("element
// desktop", "firefx", "away"); which package they name only the package index and the
// profile know. A name typed exactly as an attribute or a pname of the index is kept as
// typed; words that together are a name become it ("element desktop" → element-desktop);
// an obvious typo becomes the package it means; a remove looks at what the profile holds
// first. Words that name no package are not used as one: the request fails, offering the
// closest names. Subcommands (`ask-nix install X`) are taken as typed: their argument is
// the person's exact choice.

// resolveIntent resolves a recognised intent's package (install, remove, installed)
// against idx and, for remove, installed (the target profile's package names).
func resolveIntent(in *intent.Intent, idx *search.Index, installed []string) error {
	switch in.Action {
	case "install", "remove", "installed":
	default:
		return nil
	}
	word, ok := in.Args["package"].(string)
	if !ok || word == "" {
		return nil
	}
	phrase := in.Phrase["package"]
	if phrase == "" {
		phrase = word
	}
	if in.Action != "remove" {
		installed = nil
	}
	got, err := resolvePackage(idx, installed, phrase)
	if err != nil {
		if in.Action == "installed" {
			return nil // a question about a name: the answer says whether it is there
		}
		return err
	}
	in.Args["package"] = got
	return nil
}

// resolvePackage is the package phrase names: the longest run of its first words that is
// one (installed, then in the index), else an obvious typo of its first word.
func resolvePackage(idx *search.Index, installed []string, phrase string) (string, error) {
	words := strings.Fields(phrase)
	if len(words) == 0 {
		return "", fmt.Errorf("%w: no package named", ErrInvalidArgument)
	}
	// What the profile holds first (a remove): exactly, then a typo of the first word.
	for k := len(words); k >= 1; k-- {
		for _, f := range nameForms(words[:k]) {
			if n, ok := installedAs(installed, f); ok {
				return n, nil
			}
		}
	}
	first := words[0]
	if n, ok := typoOf(installed, first, 3); ok { // few names: mvp → mpv is safe here
		return n, nil
	}
	for k := len(words); k >= 1; k-- {
		for _, f := range nameForms(words[:k]) {
			if a, ok := inIndex(idx, f); ok {
				return a, nil
			}
		}
	}
	if idx != nil {
		var near []string
		for _, r := range idx.Search(first, 5) {
			if !strings.Contains(r.Attr, ".") { // a set member is named in full, not guessed
				near = append(near, r.Attr)
			}
		}
		if a, ok := typoOf(near, first, 5); ok { // four letters have too many neighbours: away → sway

			return a, nil
		}
	}
	return "", notAPackage(idx, installed, phrase)
}

// nameForms are the names words may be written as: element-desktop, elementdesktop.
func nameForms(words []string) []string {
	if len(words) == 1 {
		return words
	}
	return []string{strings.Join(words, "-"), strings.Join(words, "")}
}

// installedAs is the installed name f is (case aside).
func installedAs(installed []string, f string) (string, bool) {
	for _, n := range installed {
		if strings.EqualFold(n, f) {
			return n, true
		}
	}
	return "", false
}

// inIndex reports whether f names a package of idx: an attribute (as the index spells
// it) or a top-level package's pname (kept as typed: python3, nodejs). A set member's
// last part is not enough ("skype" is also emacsPackages.skype): the refusal names it
// among the closest.
func inIndex(idx *search.Index, f string) (string, bool) {
	if idx == nil {
		return "", false
	}
	if p, ok := idx.Lookup(f); ok {
		return p.Attr, true
	}
	for _, r := range idx.Search(f, 10) {
		if strings.EqualFold(r.Attr, f) {
			return r.Attr, true
		}
		if strings.EqualFold(r.Pname, f) && !strings.Contains(r.Attr, ".") {
			return f, true // a top-level package's pname: python3, nodejs
		}
	}
	return "", false
}

// typoOf is the one candidate whose name (an attribute's last part) is within a typo of
// w: one edit (w of at least shortest letters), two from eight letters on, and no other
// candidate as close.
func typoOf(cands []string, w string, shortest int) (string, bool) {
	w = strings.ToLower(w)
	if len(w) < shortest {
		return "", false
	}
	limit := 1
	if len(w) >= 8 {
		limit = 2
	}
	best, bestD, tie := "", limit+1, false
	for _, c := range cands {
		name := strings.ToLower(c[strings.LastIndexByte(c, '.')+1:])
		d := osaDistance(name, w)
		switch {
		case d < bestD:
			best, bestD, tie = c, d, false
		case d == bestD && name != strings.ToLower(best[strings.LastIndexByte(best, '.')+1:]):
			tie = true
		}
	}
	if best == "" || tie {
		return "", false
	}
	return best, true
}

// NotAPackageError: a sentence's words name no package (resolve.go).
type NotAPackageError struct {
	Phrase  string
	Closest []string
}

func (e *NotAPackageError) Error() string {
	if len(e.Closest) == 0 {
		return fmt.Sprintf("%v: %q is not a package the index knows", ErrInvalidArgument, e.Phrase)
	}
	return fmt.Sprintf("%v: %q is not a package the index knows (closest: %s)", ErrInvalidArgument, e.Phrase, strings.Join(e.Closest, ", "))
}

func (e *NotAPackageError) Unwrap() error { return ErrInvalidArgument }

// Hint says what to do when the index is what lacks the package.
func (e *NotAPackageError) Hint() string {
	return "if it is newer than the package index, run 'ask-nix index update', or name it exactly: ask-nix install NAME"
}

// notAPackage says that phrase names no package, with the closest names.
func notAPackage(idx *search.Index, installed []string, phrase string) error {
	var near []string
	for _, n := range installed {
		if len(lookAlike([]string{n}, phrase)) > 0 && len(near) < 3 {
			near = append(near, n)
		}
	}
	if idx != nil {
		for _, r := range idx.Search(phrase, 3) {
			if !slices.Contains(near, r.Attr) {
				near = append(near, r.Attr)
			}
		}
	}
	return &NotAPackageError{Phrase: phrase, Closest: near[:min(3, len(near))]}
}

// plainName reports whether s is words a package name may be made of: letters, digits
// and . _ + - ' and spaces, starting with a letter or digit ("" too).
func plainName(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case i > 0 && strings.ContainsRune(" ._+-'", r):
		default:
			return false
		}
	}
	return true
}

// osaDistance is the optimal string alignment distance of a and b.
func osaDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// resolve is Handle's step between recognising a sentence and planning it. A package
// that is no plain name (shell syntax, an option, a path) is left to the policy, which
// denies it as it was typed.
func (e *Engine) resolve(ctx context.Context, in *intent.Intent) error {
	p, ok := in.Args["package"].(string)
	if !ok || !slices.Contains([]string{"install", "remove"}, in.Action) || !plainName(p) || !plainName(in.Phrase["package"]) {
		return nil
	}
	idx, err := e.loadIndex()
	if err != nil {
		idx = nil // no index: names are taken as typed, as before
	}
	var installed []string
	if in.Action == "remove" {
		installed, _ = e.installedNames(ctx, e.profileFor(Args(in.Args)))
	}
	if idx == nil && in.Action != "remove" {
		return nil
	}
	return resolveIntent(in, idx, installed)
}
