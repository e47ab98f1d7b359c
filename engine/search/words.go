package search

import (
	"strings"

	"github.com/kljensen/snowball/english"
)

// Words: what a query and a package's text are compared as.
//
// Both sides go through one stemmer (Snowball's English, kljensen/snowball): "editing",
// "edits" and "edit" are one term, "editors" and "editor" another. A query then loses its
// stop words ("record my screen" → record, screen) and, beside other words, the generic
// nouns every program is ("app", "tool"): "backup tool" asks for a backup program, whose
// description rarely says "tool". Each remaining word may be met by a few near words
// (alternates below): "edit" by "editor", "photo" by "image".

// norm is the term a word is indexed and searched as: its Snowball stem in lower case;
// a word that is not plain ASCII letters (python3, gtk+, a non-English word) is only
// lowered, less a plural "s".
func norm(w string) string {
	w = strings.ToLower(w)
	if asciiLetters(w) {
		return english.Stem(w, true)
	}
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		w = w[:len(w)-1]
	}
	return w
}

func asciiLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return w != ""
}

// generic are the stems of nouns every package is: beside other words they ask for
// nothing ("backup tool", "note taking app").
var generic = map[string]bool{"app": true, "applic": true, "tool": true, "program": true,
	"softwar": true, "util": true, "packag": true, "someth": true, "thing": true}

// alternates are near words that meet a query term as well as the term itself: a need
// and the agent noun that fills it (edit/editor, view/viewer), and a few words of the same
// kind (photo/image/picture). They are stems of plain English words, never package names
// (RATIONALE, "Need-words").
var alternates = map[string][]string{
	"edit": {"editor", "manipul"}, "editor": {"edit", "manipul"},
	"view": {"viewer"}, "viewer": {"view", "display"},
	"play": {"player"}, "player": {"play"},
	"read": {"reader", "viewer"}, "reader": {"read", "viewer"},
	"record": {"recorder", "captur"}, "recorder": {"record", "captur"}, "captur": {"record"},
	"brows": {"browser"}, "browser": {"brows"},
	"photo": {"imag", "pictur", "photograph"}, "pictur": {"imag", "photo"}, "imag": {"photo", "pictur"},
	"photograph": {"photo", "imag"},
	"movi":       {"video", "film"}, "film": {"video", "movi"}, "video": {"media", "movi"},
	"music": {"audio", "song"}, "song": {"music", "audio"}, "sound": {"audio"}, "audio": {"sound", "media"},
	"chat": {"messag", "messeng"}, "messeng": {"chat", "messag"},
	"ebook": {"book", "epub"}, "book": {"ebook"},
	"torrent": {"bittorr"}, "bittorr": {"torrent"},
	"email": {"mail"}, "mail": {"email"},
	"vm":         {"virtual"},
	"screenshot": {"screen"},
}

// queryWords are a query's terms (stems, less stop words and, for packages, generic nouns
// while other words remain) and the words they came from, in lower case. An option's name
// may well say "package" (services.mysql.package).
func queryWords(q string, options bool) (terms, raw []string) {
	var allT, allR []string
	for _, w := range splitWords(q) {
		lw, n := strings.ToLower(w), norm(w)
		allT, allR = append(allT, n), append(allR, lw)
		if english.IsStopWord(lw) || generic[n] && !options {
			continue
		}
		terms, raw = append(terms, n), append(raw, lw)
	}
	if len(terms) == 0 {
		return allT, allR
	}
	return terms, raw
}

// phraseIn reports whether text holds the query's words one after another, each word of
// text starting with the query's term (or one of its alternates): "video editor" in "Free
// and open source video editor", "edit photo" in "edits photos". Stems are prefixes of
// their words, but for a final y (librari): those are compared without it. It allocates
// nothing: it runs for every package that has all of a query's words.
func phraseIn(text string, words []string, alts [][]string) bool {
	if len(words) < 2 {
		return false
	}
	var buf [96][2]int
	spans := buf[:0]
	for i := 0; i < len(text); {
		for i < len(text) && !wordByte(text[i]) {
			i++
		}
		j := i
		for j < len(text) && wordByte(text[j]) {
			j++
			if j < len(text) && text[j] >= 'A' && text[j] <= 'Z' && (text[j-1] >= 'a' && text[j-1] <= 'z' || text[j-1] >= '0' && text[j-1] <= '9') {
				break // camelCase: a word of its own, as splitWords has it
			}
		}
		if j > i {
			spans = append(spans, [2]int{i, j})
		}
		i = j
	}
	for i := 0; i+len(words) <= len(spans); i++ {
		ok := true
		for j, w := range words {
			sp := spans[i+j]
			if !startsWithTerm(text[sp[0]:sp[1]], w, alts[j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// wordByte: letters, digits, + and #, and every byte of a multi-byte character.
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '#' || c >= 0x80
}

func startsWithTerm(word, term string, alts []string) bool {
	if hasPrefixFold(word, strings.TrimSuffix(term, "i")) {
		return true
	}
	for _, a := range alts {
		if hasPrefixFold(word, strings.TrimSuffix(a, "i")) {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix(strings.ToLower(s), prefix) for a lower-case prefix,
// without lowering s.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
