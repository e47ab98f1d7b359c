package intent

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// words are the request's words, in their original case (package attribute names are
// case-sensitive) and lower-cased for matching.
type words struct {
	orig  []string
	lower []string
}

// keywords are the words typos are corrected towards; only words that are not already
// known are corrected, and never into a package argument.
var keywords = []string{
	"install", "uninstall", "remove", "search", "rollback", "generations", "generation", "cleanup", "update",
	"upgrade", "garbage", "configuration", "installed", "version", "delete", "previous", "packages", "package",
	"statistics", "errors", "system", "kernel", "channels",
}

// typos maps short misspellings a distance rule cannot catch safely.
var typos = map[string]string{"haz": "have", "halp": "help", "hepl": "help", "fnd": "find", "serach": "search", "seach": "search", "instal": "install", "intall": "install",
	"isntall": "install", "uninstal": "uninstall", "remvoe": "remove", "rmeove": "remove", "gens": "generations",
	"rolback": "rollback", "rollbak": "rollback", "cleanp": "cleanup", "updte": "update", "upate": "update", "udpate": "update",
	"rmove": "remove", "unistall": "uninstall", "pkgs": "packages", "pkg": "package"}

// correct returns the keyword a misspelt word stands for, or the word itself.
func correct(l string) string {
	if t, ok := typos[l]; ok {
		return t
	}
	if len(l) < 6 || slices.Contains(keywords, l) {
		return l
	}
	for _, k := range keywords {
		if osa(l, k) == 1 {
			return k
		}
	}
	return l
}

// osa is the optimal string alignment distance (Levenshtein with transpositions).
func osa(a, b string) int {
	if d := len(a) - len(b); d > 2 || d < -2 {
		return 3
	}
	m := make([][]int, len(a)+1)
	for i := range m {
		m[i] = make([]int, len(b)+1)
		m[i][0] = i
	}
	for j := range m[0] {
		m[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			m[i][j] = min(m[i-1][j]+1, m[i][j-1]+1, m[i-1][j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				m[i][j] = min(m[i][j], m[i-2][j-2]+1)
			}
		}
	}
	return m[len(a)][len(b)]
}

func splitWords(text string) words {
	var w words
	for _, f := range strings.Fields(text) {
		f = strings.Trim(f, "\"'“”‘’`,!?")
		if strings.Trim(f, ".") != "" {
			f = strings.TrimRight(f, ".:")
		}
		if f == "" {
			continue
		}
		l := strings.ToLower(f)
		if base, ok := strings.CutSuffix(l, "'s"); ok && len(base) > 2 && base != "let" && base != "what" && base != "it" && base != "that" && base != "where" {
			// "system's generations": the possessive. "'s" is two ASCII bytes in f too.
			if strings.HasSuffix(f, "'s") || strings.HasSuffix(f, "'S") {
				l, f = base, f[:len(f)-2]
			}
		}
		w.orig = append(w.orig, f)
		w.lower = append(w.lower, correct(l))
	}
	return w
}

func (w words) from(i int) words { return words{orig: w.orig[i:], lower: w.lower[i:]} }

func (w words) has(any ...string) bool {
	for _, l := range w.lower {
		for _, a := range any {
			if l == a {
				return true
			}
		}
	}
	return false
}

func (w words) index(any ...string) int {
	for i, l := range w.lower {
		for _, a := range any {
			if l == a {
				return i
			}
		}
	}
	return -1
}

func (w words) phrase(p string) bool {
	return strings.Contains(" "+strings.Join(w.lower, " ")+" ", " "+p+" ")
}

// fillers opening a request that carry no meaning of their own.
var leadingFillers = []string{
	"hey", "hi", "hello", "please", "pls", "plz", "kindly", "ask-nix", "nix", "ok", "okay", "so", "um", "just",
	"can you", "could you", "would you", "will you", "can u", "could u",
	"i want to", "i wanna", "i'd like to", "i would like to", "i need to", "i need you to", "help me to",
	"let's", "lets", "let me", "go ahead and", "try to", "i want you to", "for me",
}

func stripFillers(w words) words {
	for changed := true; changed && len(w.lower) > 0; {
		changed = false
		for _, f := range leadingFillers {
			fw := strings.Fields(f)
			if len(fw) <= len(w.lower) && strings.Join(w.lower[:len(fw)], " ") == f {
				w = w.from(len(fw))
				changed = true
				break
			}
		}
	}
	return w
}

// noise words dropped around arguments.
var argNoise = map[string]bool{
	"the": true, "a": true, "an": true, "some": true, "me": true, "my": true, "for": true, "package": true,
	"packages": true, "program": true, "programs": true, "app": true, "apps": true, "application": true,
	"please": true, "pls": true, "called": true, "named": true, "tool": true, "tools": true, "software": true,
	"about": true, "of": true, "to": true, "on": true, "in": true, "nixpkgs": true, "any": true, "available": true,
	"are": true, "is": true, "there": true, "that": true, "which": true, "what": true, "with": true, "now": true,
	"thanks": true, "thank": true, "you": true, "up": true, "it": true, "system": true, "from": true,
	"latest": true, "newest": true, "new": true, "current": true, "version": true, "recent": true, "stable": true,
	"everything": true, "all": true,
}

var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
	"a": 1, "an": 1, "last": 1, "previous": 1,
}

// badNumber reports whether s is written as a number but is no count ask-nix takes: a
// negative one, one too large for an int, hex. The recogniser passes it on as text, so
// that the request is a usage error (SPEC §10) instead of meaning something else.
func badNumber(s string) bool {
	s = strings.TrimPrefix(s, "#")
	if _, ok := parseNumber(s); ok {
		return false
	}
	return badNumberRe().MatchString(s)
}

var badNumberRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-+]?[0-9]+$|^[-+]?0x[0-9a-f]+$`) })

func parseNumber(s string) (int, bool) {
	s = strings.TrimPrefix(s, "#")
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return n, true
	}
	n, ok := numberWords[s]
	return n, ok && s != "a" && s != "an" && s != "last" && s != "previous"
}

// Recognize is the built-in recogniser: it proposes an intent for text. Requests it does
// not understand get action "unknown" and confidence 0.
func Recognize(text string) Intent {
	w := stripFillers(splitWords(text))
	in := Intent{Action: "unknown", Args: map[string]any{}, Rule: "builtin"}
	if len(w.lower) == 0 {
		if strings.Trim(text, " \t?") == "" && strings.Contains(text, "?") {
			in.Action, in.Confidence = "help", 0.9 // a lone "?"
		}
		return in
	}
	for _, r := range rules {
		if act, args, conf, ok := r(w); ok {
			in.Action, in.Confidence = act, conf
			if args != nil {
				in.Args = args
			}
			addProfile(w, in.Args, act)
			if p, ok := in.Args["package"].(string); ok {
				if ph := phraseFrom(w, p); ph != p {
					in.Phrase = map[string]string{"package": ph}
				}
			}
			return in
		}
	}
	if act, args, conf, ok := ruleClassifier(w); ok {
		in.Action, in.Args, in.Confidence, in.Rule = act, args, conf, "classifier"
		addProfile(w, in.Args, act)
		if p, ok := in.Args["package"].(string); ok {
			if ph := phraseFrom(w, p); ph != p {
				in.Phrase = map[string]string{"package": ph}
			}
		}
	}
	return in
}

// phraseFrom is the package word p with up to two words after it that are not noise, a
// particle or a preposition: "element desktop" in "add element desktop", "htop thing" in
// "grab me that htop thing". Which of them name the package, only the package index knows.
func phraseFrom(w words, p string) string {
	for i, o := range w.orig {
		if o != p {
			continue
		}
		out := []string{o}
		for j := i + 1; j < len(w.orig) && len(out) < 3; j++ {
			l := w.lower[j]
			if argNoise[l] || particles[l] || phraseStop[l] || isPronoun(l) {
				break
			}
			out = append(out, w.orig[j])
		}
		return strings.Join(out, " ")
	}
	return p
}

// phraseStop ends a package's words: "install vlc and mpv", "put htop onto this box".
var phraseStop = map[string]bool{"and": true, "or": true, "onto": true, "into": true, "at": true, "by": true,
	"as": true, "via": true, "using": true, "but": true, "then": true, "so": true, "if": true, "because": true,
	"instead": true, "too": true, "also": true, "again": true, "here": true, "rn": true, "quick": true, "quickly": true,
	"do": true, "does": true, "did": true, "i": true, "have": true, "has": true, "had": true, "was": true, "be": true,
	"installed": true, "anymore": true, "now": true, "please": true}

type rule func(w words) (action string, args map[string]any, confidence float64, ok bool)

// rules are tried in order; earlier ones are more specific.
var rules = []rule{
	ruleSmallTalk, ruleQuestionAboutCommand, ruleHelp, ruleHowToEnable, ruleCache, ruleErrors, ruleRollback, ruleDiff, ruleCleanup, ruleGenerations,
	ruleDisk, ruleInfo, ruleConfig, ruleInstalled, ruleUpdate, ruleRemove, ruleInstall, ruleSearch, ruleWanted,
}

// ruleHowToEnable: "how do I enable ssh", "how can i turn on bluetooth", "how to set up
// docker on nixos" ask which NixOS option does it: a search of options (for "enable …",
// whose .enable options come first). Flakes are the config rule's.
func ruleHowToEnable(w words) (string, map[string]any, float64, bool) {
	l := w.lower
	if len(l) < 3 || l[0] != "how" && l[0] != "where" || w.has("flake", "flakes", "ask-nix", "package", "packages") {
		return "", nil, 0, false
	}
	v, enable := -1, false
	for i, x := range l {
		switch {
		case x == "enable" || x == "activate":
			v, enable = i+1, true
		case (x == "turn" || x == "switch") && i+1 < len(l) && l[i+1] == "on":
			v, enable = i+2, true
		case x == "configure" || x == "setup" || x == "set" && i+1 < len(l) && l[i+1] == "up":
			v = i + 1
			if x == "set" {
				v++
			}
		}
		if v >= 0 {
			break
		}
	}
	if v < 0 {
		return "", nil, 0, false
	}
	var subject []string
	for j := v; j < len(l); j++ {
		x := l[j]
		if (x == "on" || x == "in" || x == "with" || x == "for") && j+1 < len(l) && (l[j+1] == "nixos" || l[j+1] == "my" || l[j+1] == "the") {
			break // "on nixos", "in my configuration"
		}
		switch x {
		case "the", "a", "an", "my", "on", "up", "nixos", "service", "please", "?":
			continue
		}
		subject = append(subject, w.orig[j])
	}
	if len(subject) == 0 {
		return "", nil, 0, false
	}
	q := strings.Join(subject, " ")
	if enable {
		q = "enable " + q
	}
	return "search", map[string]any{"query": q, "options": true}, 0.85, true
}

// ruleSmallTalk: "thanks a lot", "ok cool" ask for nothing.
func ruleSmallTalk(w words) (string, map[string]any, float64, bool) {
	for _, l := range w.lower {
		if !smallTalk[l] {
			return "", nil, 0, false
		}
	}
	return "unknown", nil, 0, true
}

var smallTalk = map[string]bool{"thanks": true, "thank": true, "you": true, "a": true, "lot": true, "much": true,
	"so": true, "very": true, "cheers": true, "ok": true, "okay": true, "cool": true, "great": true, "nice": true,
	"bye": true, "goodbye": true, "hi": true, "hello": true, "hey": true, "thx": true, "ty": true, "awesome": true}

// ruleQuestionAboutCommand: "what does rm do", "what is chmod" ask about a word; they
// are not requests to act (and never a mutation).
func ruleQuestionAboutCommand(w words) (string, map[string]any, float64, bool) {
	l := w.lower
	if len(l) >= 3 && len(l) <= 5 && (l[0] == "what" || l[0] == "how") && (l[1] == "does" || l[1] == "is" || l[1] == "do") &&
		l[2] != "this" && l[2] != "it" && l[2] != "ask-nix" && l[2] != "you" && l[2] != "i" && l[2] != "installed" {
		last := l[len(l)-1]
		if last == "do" || last == "mean" || last == "work" || last == "does" || (l[1] == "is" && len(l) == 3) {
			return "unknown", nil, 0, true
		}
	}
	return "", nil, 0, false
}

func ruleHelp(w words) (string, map[string]any, float64, bool) {
	if len(w.lower) <= 2 && w.has("help", "usage", "?", "commands", "examples") && !w.has("disk", "space", "store", "storage") {
		return "help", nil, 0.95, true
	}
	if w.has("examples", "example") && len(w.lower) <= 4 && !w.has(searchVerbs...) {
		return "help", nil, 0.9, true
	}
	if w.phrase("what can you do") || w.phrase("what can i do") || w.phrase("how do i use") || w.phrase("how does this work") ||
		w.phrase("show help") || w.phrase("what can i ask") || w.phrase("what can this") || w.phrase("what commands") ||
		w.phrase("some examples") || w.phrase("show examples") {
		return "help", nil, 0.9, true
	}
	if w.has("ask-nix") && w.has("how", "what", "work", "use", "does") && len(w.lower) <= 6 && !w.has("cache", "errors", "error", "log") {
		return "help", nil, 0.85, true
	}
	if w.has("help") && !w.has(append(append([]string{}, installVerbs...), append(removeVerbs, searchVerbs...)...)...) && len(w.lower) <= 4 {
		return "help", nil, 0.85, true
	}
	return "", nil, 0, false
}

func ruleCache(w words) (string, map[string]any, float64, bool) {
	if !w.has("cache", "cached") {
		return "", nil, 0, false
	}
	if w.has("clear", "flush", "empty", "reset", "wipe", "purge", "drop", "invalidate", "delete", "remove", "erase") {
		return "cache-clear", nil, 0.9, true
	}
	return "cache-stats", nil, 0.85, true
}

func ruleErrors(w words) (string, map[string]any, float64, bool) {
	if w.has("errors", "error", "failures", "failed") && (w.has("recent", "last", "show", "list", "my", "any", "were") || len(w.lower) <= 2) &&
		!w.has("install", "remove", "search", "find") {
		return "errors", nil, 0.85, true
	}
	if w.phrase("what went wrong") || (w.has("fail", "failed", "failures", "errors") && w.has("why", "what", "show", "list", "any", "recent", "last", "today")) {
		return "errors", nil, 0.85, true
	}
	return "", nil, 0, false
}

var genNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:gen|generation|#)?([0-9]+)$`) })

// generationArg finds "generation 12", "gen 12", "#12", "to 12": an int, or the word as
// typed when it is a malformed number ("generation -3").
func generationArg(w words) (any, bool) {
	for i, l := range w.lower {
		if l == "generation" || l == "gen" || l == "to" || l == "number" {
			if i+1 < len(w.lower) {
				if n, err := strconv.Atoi(strings.TrimPrefix(w.lower[i+1], "#")); err == nil && n >= 0 {
					return n, true
				}
				if badNumber(w.lower[i+1]) {
					return w.lower[i+1], true
				}
			}
		}
		if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "gen") {
			if m := genNumber().FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				return n, true
			}
		}
	}
	return 0, false
}

func ruleRollback(w words) (string, map[string]any, float64, bool) {
	rb := w.has("rollback", "roll-back", "revert", "undo") || w.phrase("roll back") || w.phrase("go back") ||
		w.phrase("roll it back") || w.phrase("roll that back") || w.phrase("roll the system back") ||
		w.phrase("switch back") || w.phrase("take me back") || w.phrase("bring me back") || w.phrase("bring it back") || w.phrase("switch to generation") || w.phrase("switch to the previous") || w.phrase("switch to previous") || w.phrase("restore generation") || w.phrase("restore the previous")
	if _, numbered := generationArg(w); !rb && w.has("switch") && numbered {
		rb = true // "switch to gen 3"
	}
	if _, numbered := generationArg(w); !rb && numbered && w.has("active", "activate", "reactivate", "current", "boot") && !w.has("is", "which", "what", "list", "show") {
		rb = true // "make generation 8 active again"
	}
	if !rb {
		return "", nil, 0, false
	}
	args := map[string]any{}
	if n, ok := generationArg(w); ok {
		args["generation"] = n
		return "rollback", args, 0.95, true
	}
	for i, l := range w.lower {
		if l == "generations" || l == "generation" || l == "steps" || l == "step" || l == "versions" || l == "version" {
			if i > 0 {
				if n, ok := parseNumber(w.lower[i-1]); ok && n > 0 {
					args["steps"] = n
				}
			}
		}
	}
	return "rollback", args, 0.93, true
}

func ruleDiff(w words) (string, map[string]any, float64, bool) {
	if !(w.has("diff", "difference", "differences", "compare", "changed", "changes", "different", "change") || w.phrase("what's new")) {
		return "", nil, 0, false
	}
	if !(w.has("generation", "generations", "gen", "diff", "compare", "system", "update", "rebuild", "last", "between") || w.phrase("what changed")) {
		return "", nil, 0, false
	}
	if w.has("channel", "channels", "cache") || (w.has("would", "will") && w.has("update", "upgrade")) {
		return "", nil, 0, false
	}
	args := map[string]any{}
	var nums []int
	for _, l := range w.lower {
		if n, err := strconv.Atoi(strings.TrimPrefix(l, "#")); err == nil {
			nums = append(nums, n)
		}
	}
	switch {
	case len(nums) >= 2 && (w.phrase("relative to") || w.phrase("compared to") || w.phrase("compared with")):
		args["from"], args["to"] = nums[1], nums[0] // "30 relative to 29": from 29 to 30
	case len(nums) >= 2 && w.has("between", "against", "vs", "versus"):
		args["from"], args["to"] = min(nums[0], nums[1]), max(nums[0], nums[1]) // the older first
	case len(nums) >= 2:
		args["from"], args["to"] = nums[0], nums[1]
	case len(nums) == 1:
		args["from"] = nums[0]
	}
	return "diff", args, 0.88, true
}

var durationRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+)(d|h|w|m|days?|hours?|weeks?|months?)?$`) })

// olderThan finds "older than 30 days", "2 weeks", "30d" and returns SPEC's "14d"/"12h".
func olderThan(w words) (string, bool) {
	for i := range w.lower {
		if m := durationRe().FindStringSubmatch(w.lower[i]); m != nil && len(m[1]) > 7 || badNumber(w.lower[i]) {
			// Beyond any duration ask-nix takes, or malformed: passed on as typed, so that the
			// plan refuses it (a wrapped product must never mean "no filter").
			return w.lower[i] + "d", true
		}
		n, ok := parseNumber(w.lower[i])
		if !ok && (w.lower[i] == "a" || w.lower[i] == "an" || w.lower[i] == "one") {
			n, ok = 1, true
		}
		unit := ""
		if ok && i+1 < len(w.lower) {
			unit = w.lower[i+1]
		} else if m := durationRe().FindStringSubmatch(w.lower[i]); m != nil && m[2] != "" {
			n, _ = strconv.Atoi(m[1])
			unit, ok = m[2], true
		}
		if !ok {
			continue
		}
		hours := 0
		switch strings.TrimSuffix(unit, "s") {
		case "d", "day":
			hours = n * 24
		case "h", "hour":
			hours = n
		case "w", "week":
			hours = n * 24 * 7
		case "m", "month":
			hours = n * 24 * 30
		default:
			continue
		}
		if hours%24 == 0 {
			return fmt.Sprintf("%dd", hours/24), true
		}
		return fmt.Sprintf("%dh", hours), true
	}
	return "", false
}

func ruleCleanup(w words) (string, map[string]any, float64, bool) {
	askingHow := w.has("how", "much", "could", "can", "would", "is", "am", "what", "what's")
	clean := w.has("cleanup", "clean", "gc", "garbage", "prune", "declutter", "nix-collect-garbage", "collect-garbage") ||
		(w.has("purge") && purgesStore(w)) ||
		(w.has("clear", "reclaim", "recover") && w.has("space", "room", "disk") && !askingHow) ||
		(w.phrase("free up") && !w.has("how", "much", "could", "can", "would")) ||
		(w.lower[0] == "free" && w.has("space", "room") && !askingHow) ||
		(w.has("make") && w.has("room", "space")) || (w.has("reclaim") && !askingHow)
	deleting := w.has("delete", "remove", "drop", "wipe", "get", "clear", "erase", "purge")
	oldGens := deleting && (w.has("generations") || (w.has("older", "ago") && w.has("everything", "all", "stuff")) ||
		(w.has("old", "unused", "stale", "obsolete", "outdated") && w.has(oldThings...)))
	keeping := (w.has("keep") || w.has("trim", "cut", "prune") && w.has("down", "to")) && w.has("generations", "gens", "last", "newest") && !w.has("installed")
	allBut := w.phrase("all but")
	if !clean && !oldGens && !keeping && !allBut {
		return "", nil, 0, false
	}
	args := map[string]any{}
	if i := w.index("keep", "--keep", "keeping", "last", "newest", "latest", "but"); i >= 0 {
		for j := i + 1; j < len(w.lower) && j <= i+4; j++ {
			if n, ok := parseNumber(w.lower[j]); ok {
				args["keep"] = n
				break
			}
			if badNumber(w.lower[j]) {
				args["keep"] = w.lower[j]
				break
			}
		}
	}
	if w.has("older", "than", "ago", "before") {
		if d, ok := olderThan(w); ok {
			args["older_than"] = d
		}
	}
	return "cleanup", args, 0.9, true
}

// oldThings are what "delete old …" means as a whole: the store's leftovers, not a package.
var oldThings = []string{"stuff", "things", "junk", "files", "builds", "versions", "version", "generations", "paths", "packages",
	"store", "garbage", "everything", "data", "profiles", "derivations"}

// purgesStore: "purge" alone or with the store's leftovers cleans up; "purge chromium"
// removes a package.
func purgesStore(w words) bool {
	i := w.index("purge")
	p, ok := packageArg(w, i)
	return !ok || slices.Contains(oldThings, strings.ToLower(p)) || slices.Contains([]string{"old", "unused", "all", "stale"}, strings.ToLower(p))
}

func ruleGenerations(w words) (string, map[string]any, float64, bool) {
	if w.has("generations", "generation", "gens") {
		return "generations", nil, 0.95, true
	}
	if w.phrase("boot entries") || w.phrase("system history") || w.phrase("profile history") {
		return "generations", nil, 0.8, true
	}
	return "", nil, 0, false
}

func ruleDisk(w words) (string, map[string]any, float64, bool) {
	if w.lower[0] == "df" || w.lower[0] == "du" {
		return "disk", nil, 0.85, true // the sysadmin's word for it
	}
	if w.has("disk", "storage") && !w.has("install", "search") {
		return "disk", nil, 0.9, true
	}
	question := w.has("how", "what", "what's", "whats", "much", "is", "show", "check", "left", "do", "does", "am", "full")
	if w.has("space", "room") && question {
		return "disk", nil, 0.9, true
	}
	if w.phrase("free up") && w.has("how", "much", "could", "can", "would") {
		return "disk", nil, 0.85, true
	}
	if w.has("drive", "full") && w.has("how", "is", "my") {
		return "disk", nil, 0.85, true
	}
	if w.has("reclaim", "reclaimable", "recover", "free") && w.has("how", "much", "could", "can", "would", "what") {
		return "disk", nil, 0.85, true // "how much could i reclaim": a question, not a cleanup
	}
	if (w.has("store") || w.has("/nix/store", "/nix/store/", "/nix", "/nix/")) && w.has("size", "big", "large", "much") {
		return "disk", nil, 0.9, true
	}
	return "", nil, 0, false
}

// packageArg returns the first word after index i that is not noise, in its original case.
func packageArg(w words, i int) (string, bool) {
	for j := i + 1; j < len(w.orig); j++ {
		if argNoise[w.lower[j]] || particles[w.lower[j]] {
			continue
		}
		return w.orig[j], true
	}
	return "", false
}

func ruleInstalled(w words) (string, map[string]any, float64, bool) {
	args := map[string]any{}
	if len(w.lower) == 2 && w.lower[0] == "got" && !argNoise[w.lower[1]] && !softwareKinds[w.lower[1]] {
		return "installed", map[string]any{"package": w.orig[1]}, 0.8, true // "got firefox?"
	}
	if i := w.index("if", "whether"); i > 0 && w.has("check", "see", "verify", "tell") && w.has("there", "installed", "present") {
		if p, ok := packageArg(w, i); ok {
			return "installed", map[string]any{"package": p}, 0.85, true // "check if htop is there"
		}
	}
	if i := w.index("like", "want", "wanna", "need"); i >= 0 && w.has("installed") && !w.has("have", "is", "are", "which", "what") {
		// "i'd like vlc installed", "i want htop installed": asking for it, not about it.
		if p, ok := packageArg(w, i); ok && strings.ToLower(p) != "installed" {
			return "install", map[string]any{"package": p}, 0.85, true
		}
	}
	if w.has("installed") && !w.has("install") {
		switch {
		case w.lower[0] == "is" && len(w.lower) >= 3:
			args["package"] = w.orig[1]
		case w.index("of") >= 0:
			if p, ok := packageArg(w, w.index("of")); ok && p != "installed" {
				args["package"] = p
			}
		case w.index("if") >= 0:
			if p, ok := packageArg(w, w.index("if")); ok && p != "installed" {
				args["package"] = p
			}
		case w.phrase("i have"):
			if p, ok := packageArg(w, w.index("have")); ok && p != "installed" {
				args["package"] = p
			}
		}
		return "installed", args, 0.9, true
	}
	if i := w.index("version"); i >= 0 && (w.has("have", "running", "got", "installed", "using") || w.phrase("which version")) && !w.has("nixos", "kernel") &&
		!(w.index("of") < 0 && !w.has("installed") && (w.phrase("am i running") || w.phrase("am i on") || w.phrase("am i using"))) {
		if j := w.index("of"); j > i {
			if p, ok := packageArg(w, j); ok {
				args["package"] = p
			}
		}
		return "installed", args, 0.88, true
	}
	if w.phrase("do i have") {
		if p, ok := packageArg(w, w.index("have")); ok {
			args["package"] = p
		} else if (w.lower[0] == "which" || w.lower[0] == "what") && len(w.lower) > 1 && w.lower[1] != "do" && !argNoise[w.lower[1]] {
			args["package"] = w.orig[1] // "which python do i have"
		}
		return "installed", args, 0.85, true
	}
	if (w.has("list", "show", "what", "which") && w.has("packages", "programs", "software")) && w.has("my", "i", "have", "system") {
		return "installed", args, 0.85, true
	}
	return "", nil, 0, false
}

func ruleUpdate(w words) (string, map[string]any, float64, bool) {
	if w.has("latest", "newest") && w.has("everything", "all") && w.has("get", "grab", "fetch", "bring", "pull") && !w.has("search", "find", "show", "list") {
		return "update", nil, 0.85, true // "get the latest versions of everything"
	}
	if w.phrase("up to date") || w.phrase("up-to-date") {
		return "update", nil, 0.85, true
	}
	if w.has("update", "upgrade", "updates", "upgrades", "refresh") && !w.has("index", "cache") {
		if w.lower[0] == "update" || w.lower[0] == "upgrade" || w.has("system", "everything", "nixos", "channels", "channel", "flake", "packages", "all", "any", "available") {
			return "update", nil, 0.88, true
		}
		return "update", nil, 0.7, true
	}
	return "", nil, 0, false
}

func ruleInfo(w words) (string, map[string]any, float64, bool) {
	if w.has("option", "options") {
		return "", nil, 0, false // "which nixos option enables ssh" searches options
	}
	if w.has("nixos-version") {
		return "info", nil, 0.9, true
	}
	if w.has("info", "information", "uname", "kernel", "about") && (len(w.lower) <= 4 || w.has("system", "nixos", "kernel", "machine")) &&
		!w.has("yourself", "you", "ask-nix") {
		return "info", nil, 0.88, true
	}
	if (w.has("nixos") && w.has("version", "release", "running") || w.phrase("what version am i") || w.phrase("which version am i")) && !w.has("update", "upgrade") {
		return "info", nil, 0.9, true
	}
	if w.has("nixpkgs") && w.has("revision", "commit", "version") {
		return "info", nil, 0.88, true
	}
	if w.has("kernel") && !w.has("install", "search", "module", "modules") {
		return "info", nil, 0.88, true
	}
	if w.has("nixos") && (w.has("unstable", "stable", "release", "channel") || w.phrase("am i on") || w.phrase("am i using")) && !w.has("update", "upgrade", "install", "search") {
		return "info", nil, 0.85, true
	}
	if w.phrase("what system") || w.phrase("which nixos") || w.phrase("system status") {
		return "info", nil, 0.85, true
	}
	return "", nil, 0, false
}

func ruleConfig(w words) (string, map[string]any, float64, bool) {
	if w.has("config", "configuration", "configuration.nix", "flake.nix", "flake.lock", "settings", "configured", "flake", "flakes", "inputs", "channels") && !w.has("install", "search", "option", "options", "update", "upgrade", "cache") {
		return "config", nil, 0.85, true
	}
	if w.phrase("nix files") {
		return "config", nil, 0.8, true
	}
	return "", nil, 0, false
}

var removeVerbs = []string{"remove", "uninstall", "delete", "erase", "rm", "uninstal", "remvoe", "purge", "yeet", "nuke", "axe", "scrap", "zap", "lose"}

// slangRemove are verbs that remove something when a particle goes with them ("chuck vlc
// off", "clear away mpv", "throw out gimp"); alone they say nothing.
var slangRemove = map[string]bool{"rip": true, "clear": true, "chuck": true, "throw": true, "toss": true, "ditch": true, "kick": true, "strip": true, "yank": true, "bin": true}

// particles of phrasal verbs: never a package name.
var particles = map[string]bool{"away": true, "off": true, "out": true}

func ruleRemove(w words) (string, map[string]any, float64, bool) {
	i := w.index(removeVerbs...)
	if w.phrase("get rid of") {
		i = w.index("of")
	}
	if w.phrase("take off") || (w.has("drop") && (w.has("from") || w.lower[0] == "drop")) {
		i = w.index("off", "drop")
	}
	if i < 0 && w.lower[0] == "take" && w.has("off", "away") {
		i = 0 // "take tmux off my system"
	}
	if i < 0 && slangRemove[w.lower[0]] && len(w.lower) > 1 && (particles[w.lower[1]] || w.has("off", "away", "out")) {
		// "clear away mpv", "chuck vlc off", "throw out gimp": a verb and its particle.
		i = 0
	}
	if i >= 0 && i+1 < len(w.lower) && particles[w.lower[i+1]] {
		i++ // the particle is no package: "clear away mpv" removes mpv
	}
	if i < 0 && (w.phrase("no longer need") || w.phrase("no longer want") || w.phrase("no longer use")) {
		if p, ok := packageArg(w, w.index("need", "want", "use")); ok {
			return "remove", map[string]any{"package": p}, 0.8, true
		}
	}
	if i < 0 && (w.phrase("don't want") || w.phrase("dont want") || w.phrase("do not want") || w.phrase("don't need") || w.phrase("dont need") || w.phrase("do not need")) &&
		(w.has("anymore", "longer") || w.phrase("any more")) {
		if p, ok := packageArg(w, w.index("want", "need")); ok {
			return "remove", map[string]any{"package": p}, 0.8, true
		}
	}
	if i < 0 {
		return "", nil, 0, false
	}
	if i+1 < len(w.lower) && isPronoun(w.lower[i+1]) {
		if q, ok := contentWord(w); ok {
			return "remove", map[string]any{"package": q}, 0.8, true
		}
		return "remove", nil, 0.4, true
	}
	if p, ok := packageArg(w, i); ok {
		return "remove", map[string]any{"package": p}, 0.93, true
	}
	return "remove", nil, 0.4, true
}

func isPronoun(s string) bool {
	switch strings.ToLower(s) {
	case "it", "this", "that", "them", "those", "these":
		return true
	}
	return false
}

// contentWord is the first word that is not a verb, filler or noise: what a pronoun
// ("remove it") refers to.
func contentWord(w words) (string, bool) {
	skip := map[string]bool{"i": true, "don't": true, "dont": true, "do": true, "not": true, "want": true, "need": true,
		"anymore": true, "any": true, "more": true, "longer": true, "no": true, "remove": true, "uninstall": true, "delete": true,
		"so": true, "please": true, "and": true, "then": true, "use": true, "using": true, "used": true}
	for j, l := range w.lower {
		if skip[l] || argNoise[l] || isPronoun(l) {
			continue
		}
		return w.orig[j], true
	}
	return "", false
}

var installVerbs = []string{"install", "instal", "intall", "isntall", "add", "get", "setup", "put", "grab"}

func ruleInstall(w words) (string, map[string]any, float64, bool) {
	if w.phrase("set up") {
		if p, ok := packageArg(w, w.index("up")); ok {
			return "install", map[string]any{"package": p}, 0.85, true
		}
	}
	if len(w.lower) == 2 && w.lower[0] == "have" {
		// "i'd like to have firefox" once the filler is gone.
		return "install", map[string]any{"package": w.orig[1]}, 0.75, true
	}
	if len(w.lower) == 3 && (w.phrase("i need") || w.phrase("i want") || w.phrase("give me") || w.phrase("gimme") || w.phrase("grab me")) && !softwareKinds[w.lower[2]] {
		return "install", map[string]any{"package": w.orig[2]}, 0.75, true
	}
	if (w.phrase("can i have") || w.phrase("could i have") || w.phrase("may i have") || w.phrase("try out") || w.phrase("want have") ||
		w.phrase("want to have") || w.phrase("wanna have")) && !w.has("installed", "space", "generations") {
		if p, ok := packageArg(w, w.index("have", "out")); ok && !softwareKinds[strings.ToLower(p)] {
			return "install", map[string]any{"package": p}, 0.8, true
		}
	}
	if len(w.lower) == 2 && (w.lower[0] == "gimme" || w.lower[0] == "grab" || w.lower[0] == "fetch") && !softwareKinds[w.lower[1]] && !argNoise[w.lower[1]] {
		return "install", map[string]any{"package": w.orig[1]}, 0.75, true // "gimme ripgrep"
	}
	i := w.index(installVerbs...)
	if i < 0 || (w.lower[i] == "get" && i > 1 && !(w.lower[0] == "can" || w.lower[0] == "could" || w.lower[0] == "may")) {
		return "", nil, 0, false
	}
	if p, ok := packageArg(w, i); ok {
		conf := 0.95
		if w.lower[i] != "install" {
			conf = 0.85
		}
		return "install", map[string]any{"package": p}, conf, true
	}
	return "install", nil, 0.4, true
}

// searchNoise are words around a search query that are not part of it.
var searchNoise = map[string]bool{"for": true, "something": true, "stuff": true, "things": true, "do": true, "i": true, "have": true, "can": true, "use": true,
	"good": true, "related": true, "like": true, "there": true, "you": true, "me": true, "looking": true, "provide": true,
	"provides": true, "any": true, "a": true, "an": true, "some": true, "in": true, "nixpkgs": true, "i'm": true, "im": true,
	"to": true, "are": true, "is": true, "which": true, "what": true, "please": true, "pls": true, "hey": true, "packages": true,
	"package": true, "available": true, "show": true, "find": true, "search": true, "look": true, "up": true, "tool": true,
	"browse": true, "searching": true, "lookup": true, "locate": true, "exist": true, "exists": true, "software": true,
	"whats": true, "what's": true, "recommendations": true, "recommendation": true, "suggestions": true, "ideas": true,
	"best": true, "gimme": true, "replacement": true, "substitute": true, "alternative": true, "alternatives": true,
	"offer": true, "offers": true, "include": true, "includes": true, "contain": true, "contains": true, "has": true}

// keepInQuery are noise words elsewhere that name what is searched for.
var keepInQuery = map[string]bool{"tools": true, "app": true, "apps": true, "application": true, "applications": true}

var searchVerbs = []string{"search", "find", "look", "lookup", "seach", "serach", "fnd", "searching", "browse", "locate", "hunt"}

func ruleSearch(w words) (string, map[string]any, float64, bool) {
	i := w.index(searchVerbs...)
	conf := 0.92
	if i < 0 && (w.has("looking", "provide", "provides", "exist", "exists") || w.lower[0] == "any" || w.phrase("are there any") || (w.phrase("show me") && !w.has("my", "i"))) {
		i = w.index("looking", "provide", "provides", "any", "me")
		if w.has("exist", "exists") && i < 0 {
			i = 0
		}
		conf = 0.8
	}
	if i < 0 {
		if w.phrase("is there") || w.phrase("are there") || w.has("available", "recommend", "suggest", "alternatives", "alternative") {
			i = 0
			conf = 0.8
		} else {
			return "", nil, 0, false
		}
	}
	var q []string
	for j := i + 1; j < len(w.orig); j++ {
		l := w.lower[j]
		if (argNoise[l] && !keepInQuery[l]) || searchNoise[l] {
			continue
		}
		q = append(q, w.orig[j])
	}
	if i == 0 && w.index(searchVerbs...) < 0 {
		q = q[:0]
		for j, l := range w.lower {
			if (argNoise[l] && !keepInQuery[l]) || searchNoise[l] || l == "recommend" || l == "suggest" || l == "alternative" || l == "alternatives" {
				continue
			}
			q = append(q, w.orig[j])
		}
	}
	if len(q) > 1 && (w.phrase("in the name") || w.phrase("in their name") || w.phrase("in its name")) && strings.EqualFold(q[len(q)-1], "name") {
		q = q[:len(q)-1] // "packages with mail in the name"
	}
	if len(q) > 1 {
		// "the dig command", "the convert binary": the program's name is the query.
		if l := strings.ToLower(q[len(q)-1]); l == "command" || l == "binary" || l == "executable" {
			q = q[:len(q)-1]
		}
	}
	if len(q) == 0 {
		return "search", nil, 0.45, true
	}
	return "search", optionsSearch(w, q), conf, true
}

// addProfile records "system"/"user" profile words for actions that take a profile.
func addProfile(w words, args map[string]any, action string) {
	switch action {
	case "generations", "diff", "rollback", "cleanup", "installed":
	case "install", "remove":
		// Only the words that name a profile: "remove firefox from my profile".
		if w.phrase("my profile") || w.phrase("user profile") || w.phrase("my user profile") {
			args["profile"] = "user"
		}
		return
	default:
		return
	}
	for _, o := range w.orig {
		// "generations of /nix/var/nix/profiles/per-user/alice/profile": a profile path as
		// --profile takes it (the policy decides whether it may be read).
		if strings.HasPrefix(o, "/") || strings.HasPrefix(o, "./") || strings.HasPrefix(o, "../") {
			args["profile"] = o
			return
		}
	}
	if w.has("system", "nixos") {
		args["profile"] = "system"
	} else if w.phrase("my profile") || w.phrase("user profile") || w.has("home") {
		args["profile"] = "user"
	}
}

// softwareKinds are nouns that name a kind of program: a request made of a description
// ("a pdf reader", "video editing software") asks what exists, so it is a search.
var softwareKinds = map[string]bool{
	"reader": true, "readers": true, "player": true, "players": true, "editor": true, "editors": true, "viewer": true,
	"viewers": true, "client": true, "clients": true, "browser": true, "browsers": true, "manager": true,
	"managers": true, "compiler": true, "compilers": true, "interpreter": true, "emulator": true, "emulators": true,
	"server": true, "servers": true, "tool": true, "tools": true, "app": true, "apps": true, "application": true,
	"applications": true, "program": true, "programs": true, "software": true, "game": true, "games": true,
	"library": true, "libraries": true, "utility": true, "utilities": true, "ide": true, "suite": true,
	"converter": true, "recorder": true, "downloader": true, "launcher": true, "font": true, "fonts": true,
	"theme": true, "themes": true, "driver": true, "drivers": true, "plugin": true, "plugins": true,
	"extension": true, "extensions": true, "terminal": true, "terminals": true, "shell": true, "shells": true,
	"framework": true, "database": true, "databases": true, "synthesizer": true, "debugger": true, "linter": true,
	"formatter": true, "monitor": true, "backup": true, "vpn": true, "firewall": true, "screenshot": true,
	"screenshots": true, "alternative": true, "alternatives": true,
}

// genericKinds say only "a program"; they are the query only when nothing else is.
var genericKinds = map[string]bool{"software": true, "program": true, "programs": true, "application": true,
	"applications": true, "app": true, "apps": true, "tool": true, "tools": true, "package": true, "packages": true,
	"utility": true, "utilities": true}

// wantNoise are the words of a description that are not what is wanted.
var wantNoise = map[string]bool{"i": true, "need": true, "want": true, "wanna": true, "like": true, "i'd": true,
	"something": true, "anything": true, "good": true, "best": true, "decent": true, "nice": true, "got": true,
	"use": true, "can": true, "could": true, "should": true, "would": true, "what's": true, "whats": true,
	"options": true, "option": true, "command": true, "commands": true, "binary": true, "executable": true,
	"has": true, "have": true, "contains": true, "gives": true, "ships": true, "after": true, "i'm": true, "im": true,
	"recommendations": true, "recommendation": true, "ideas": true, "suggestions": true, "else": true, "similar": true,
	"do": true, "does": true, "where": true, "get": true, "which": true, "people": true, "top": true, "popular": true,
	"favorite": true, "favourite": true, "most": true,
}

// ruleWanted: a description of software rather than a command — "i need a pdf reader",
// "something to edit photos", "which package has the convert command", "browser". It
// only ever proposes a search, which changes nothing.
func ruleWanted(w words) (string, map[string]any, float64, bool) {
	described := false
	for _, l := range w.lower {
		if softwareKinds[l] {
			described = true
		}
	}
	lead := w.phrase("something to") || w.phrase("something for") || w.phrase("something that") ||
		w.phrase("anything for") || w.phrase("anything to") || w.phrase("what can i use") || w.phrase("what should i use") ||
		w.phrase("use for") || w.phrase("use to") || w.phrase("people use") || w.phrase("got any") || w.phrase("out there") ||
		w.phrase("options for") || w.phrase("packages for") || w.phrase("programs for") || w.has("option", "options") ||
		(w.has("package", "packages") && w.has("has", "contains", "ships", "gives")) || w.phrase("do you have") ||
		w.phrase("packages matching") || w.phrase("packages named") || w.phrase("packages called") ||
		w.phrase("package named") || w.phrase("package called") || (w.has("nixpkgs") && (w.lower[0] == "is" || w.lower[0] == "are")) ||
		// "best git gui", "top music players" ("good" alone is also "good morning").
		(len(w.lower) > 1 && (w.lower[0] == "best" || w.lower[0] == "top" || w.lower[0] == "popular"))
	if !described && !lead {
		return "", nil, 0, false
	}
	if i := w.index("like"); i > 0 && (softwareKinds[w.lower[i-1]] || w.lower[i-1] == "something" || w.lower[i-1] == "anything") {
		// "apps like photoshop": what it is like is the query.
		if p, ok := packageArg(w, w.index("like")); ok {
			return "search", map[string]any{"query": p}, 0.8, true
		}
	}
	var q, specific []string
	for j, l := range w.lower {
		if wantNoise[l] || ((argNoise[l] || searchNoise[l]) && !keepInQuery[l] && !softwareKinds[l]) {
			continue
		}
		q = append(q, w.orig[j])
		if !genericKinds[l] {
			specific = append(specific, w.orig[j])
		}
	}
	if len(specific) > 0 {
		q = specific // "a program for taking screenshots": the program is not the query
	}
	if len(q) == 0 {
		return "", nil, 0, false
	}
	return "search", optionsSearch(w, q), 0.8, true
}

// optionsSearch is the search's arguments: "search options for ssh", "which nixos option
// enables the firewall" search NixOS options (as `search --options`), without those words.
func optionsSearch(w words, q []string) map[string]any {
	if !w.has("option", "options") {
		return map[string]any{"query": strings.Join(q, " ")}
	}
	var kept []string
	for _, o := range q {
		switch strings.ToLower(o) {
		case "option", "options", "nixos", "setting", "settings", "module", "modules", "enables", "controls", "configures", "sets",
			"list", "all":
			continue
		}
		kept = append(kept, o)
	}
	if len(kept) == 0 {
		kept = q
	}
	return map[string]any{"query": strings.Join(kept, " "), "options": true}
}
