package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/internal/atomicfile"
	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/internal/private"
)

// Suggestions is the result of a request that was not understood.
type Suggestions struct {
	Understood  string   `json:"understood"`
	Suggestions []string `json:"suggestions"`
}

func (e *Engine) loadIndex() (*search.Index, error) {
	if e.index != nil {
		return e.index, nil
	}
	idx, err := search.Open(e.o.IndexPaths, e.indexCacheDir())
	if err != nil {
		return nil, err
	}
	e.index = idx
	return idx, nil
}

func (e *Engine) indexCacheDir() string {
	if len(e.o.IndexCacheDirs) > 0 {
		return e.o.IndexCacheDirs[0]
	}
	return ""
}

// checkPackage looks pkg up in the package index and, when the index does not know it,
// returns a warning with the closest names. The index may lack real attributes (aliases,
// or an old index), so this never stops a request.
func (e *Engine) checkPackage(pkg string) string {
	if pkg == "" {
		return ""
	}
	idx, err := e.loadIndex()
	if err != nil {
		e.o.Debugf("package check skipped: %v", err)
		return ""
	}
	res := idx.Search(pkg, 3)
	var names []string
	for _, r := range res {
		if r.Attr == pkg {
			return ""
		}
		names = append(names, r.Attr)
	}
	if len(names) == 0 {
		return fmt.Sprintf("the package index (%s) has no package %q", idx.Meta.Source, pkg)
	}
	return fmt.Sprintf("the package index (%s) has no package %q; did you mean %s?", idx.Meta.Source, pkg, strings.Join(names, ", "))
}

// channelSource is the package set (or options) the system's channel publishes: the
// channel named nixos, else nixpkgs, else the first, from root's and the user's
// .nix-channels; "" when there is none.
func (e *Engine) channelSource(options bool) string {
	var best string
	rank := 3
	for _, ch := range e.channels(e.o.Now()) {
		if ch.URL == "" {
			continue
		}
		r := 2
		switch ch.Name {
		case "nixos":
			r = 0
		case "nixpkgs":
			r = 1
		}
		if r < rank {
			best, rank = ch.URL, r
		}
	}
	if best == "" {
		return ""
	}
	file := "/packages.json.br"
	if options {
		file = "/options.json.br"
	}
	return strings.TrimRight(best, "/") + file
}

// releaseVersion matches a NixOS version built from a channel release:
// 24.05.7376.b134951a4c9f (stable) or 25.11pre891234.0123456789ab (unstable). A flake
// build's version carries a date instead of the release's commit count
// (25.05.20250514.abc1234), which names no release.
var releaseVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9]{2}\.[0-9]{2})(pre)?(\.|)([0-9]{1,7})\.([0-9a-f]{7,40})$`)
})

// ReleaseURL is where releases.nixos.org keeps the package set of the NixOS release a
// system version was built from, or "" when the version names no release.
func ReleaseURL(version string, options bool) string {
	m := releaseVersion().FindStringSubmatch(strings.TrimSpace(version))
	if m == nil || m[2] == "" && m[3] != "." || m[2] != "" && m[3] != "" {
		return ""
	}
	dir := m[1]
	if m[2] != "" {
		dir = "unstable"
	}
	file := "packages.json.br"
	if options {
		file = "options.json.br"
	}
	return fmt.Sprintf("https://releases.nixos.org/nixos/%s/nixos-%s/%s", dir, strings.TrimSpace(version), file)
}

// releaseSource is the release matching the running system's nixpkgs (SPEC §5), from its
// nixos-version; why says why there is none.
func (e *Engine) releaseSource(options bool) (url, why string) {
	if !e.o.Host.IsNixOS() {
		return "", "this is not NixOS (no release to match)"
	}
	b, err := os.ReadFile(filepath.Join(e.o.Host.HostPath("/run/current-system"), "nixos-version"))
	if err != nil {
		return "", "the running system has no nixos-version"
	}
	v := strings.TrimSpace(string(b))
	if u := ReleaseURL(v, options); u != "" {
		return u, ""
	}
	return "", fmt.Sprintf("this system's version %s names no release (a flake build dates its nixpkgs instead)", v)
}

// IndexAgeWarning returns a warning when the index that answered is older than
// Options.IndexWarnDays: at most once a day per user (a stamp in the state directory), so
// that it does not repeat on every search out of the box.
func (e *Engine) IndexAgeWarning() string {
	if e.index == nil || e.index.Meta.Date.IsZero() || e.o.IndexWarnDays <= 0 {
		return ""
	}
	age := e.o.Now().Sub(e.index.Meta.Date)
	days := int(age.Hours() / 24)
	if days <= e.o.IndexWarnDays {
		return ""
	}
	if e.o.StateDir != "" {
		stamp := filepath.Join(e.o.StateDir, "index-warned")
		today := e.o.Now().Format("2006-01-02")
		if b, err := private.ReadFile(stamp, 64); err == nil && strings.TrimSpace(string(b)) == today {
			return ""
		}
		if private.MkdirAll(e.o.StateDir) == nil {
			_ = atomicfile.Write(stamp, []byte(today+"\n"), 0o600)
		}
	}
	return fmt.Sprintf("the package index (%s) is %d days old; run 'ask-nix index update' to refresh it (said once a day)", e.index.Meta.Source, days)
}

// suggestions answers a request that was not understood with the closest commands.
func suggestions(text string, in intent.Intent) Suggestions {
	s := Suggestions{Understood: "nothing I can act on", Suggestions: []string{}}
	if in.Action != "unknown" && in.Action != "" {
		s.Understood = fmt.Sprintf("maybe %q, but not sure enough to act", in.Action)
	}
	words := intent.Normalize(text).Tokens
	seen := map[string]bool{}
	for _, h := range Help().Actions {
		for _, w := range words {
			if stopWords[w] {
				continue // "what is the weather" is not about the disk
			}
			if len(w) >= 3 && (strings.Contains(h.Action, w) || strings.Contains(strings.ToLower(h.Summary), " "+w)) && !seen[h.Action] {
				seen[h.Action] = true
				s.Suggestions = append(s.Suggestions, h.Examples[0])
			}
		}
	}
	if in.Action != "unknown" && !seen[in.Action] {
		for _, h := range Help().Actions {
			if h.Action == in.Action {
				s.Suggestions = append([]string{h.Examples[0]}, s.Suggestions...)
			}
		}
	}
	if len(s.Suggestions) == 0 && len(words) > 0 && len(words) <= 3 && looksLikeNames(words) {
		// "firefox", "mpvScripts": a name alone is most likely something to look up.
		s.Suggestions = append(s.Suggestions, "ask-nix search "+strings.Join(strings.Fields(text), " "))
	}
	if len(s.Suggestions) > 5 {
		s.Suggestions = s.Suggestions[:5]
	}
	s.Suggestions = append(s.Suggestions, "ask-nix help")
	return s
}

// stopWords say nothing about which command a request wanted.
var stopWords = map[string]bool{"the": true, "what": true, "what's": true, "how": true, "who": true, "why": true,
	"when": true, "where": true, "which": true, "are": true, "and": true, "for": true, "you": true, "your": true,
	"can": true, "does": true, "this": true, "that": true, "with": true, "about": true, "please": true, "tell": true,
	"show": true, "give": true, "some": true, "any": true, "have": true, "has": true, "was": true, "were": true}

// looksLikeNames reports whether every word could be (part of) a package name.
func looksLikeNames(words []string) bool {
	for _, w := range words {
		if stopWords[w] || w == "a" || w == "an" || w == "is" || w == "me" || w == "my" {
			return false // a sentence, not names
		}
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '+') {
				return false
			}
		}
	}
	return true
}
