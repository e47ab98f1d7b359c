package search

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Result is one search hit (SPEC §5). Homepage, MainProgram and LongDescription are
// there when the index has them.
type Result struct {
	Attr            string  `json:"attr"`
	Pname           string  `json:"pname"`
	Version         string  `json:"version"`
	Description     string  `json:"description"`
	Homepage        string  `json:"homepage,omitempty"`
	MainProgram     string  `json:"mainProgram,omitempty"`
	LongDescription string  `json:"longDescription,omitempty"`
	Score           float64 `json:"score"`
}

// splitWords splits text into words on anything that is not a letter, a digit or "+",
// and splits camelCase (haskellPackages → haskell packages). The words are substrings of
// s.
func splitWords(s string) []string {
	var out []string
	start := -1
	prevLower := false
	for i, r := range s {
		word := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '#') ||
			r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if !word {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			prevLower = false
			continue
		}
		upper := r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsUpper(r)
		if upper && prevLower && start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		if start < 0 {
			start = i
		}
		prevLower = r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= utf8.RuneSelf && (unicode.IsLower(r) || unicode.IsDigit(r))
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// termsOf computes a package's Terms: each normalised word once (matching is by presence).
// stems remembers the words already stemmed (a third of the build's time otherwise).
func termsOf(p *Package, stems map[string]string) string {
	return " " + strings.Join(packageWords(p, stems), " ") + " "
}

// packageWords are the words of termsOf, in order.
func packageWords(p *Package, stems map[string]string) []string {
	var buf [48]string // most packages have fewer words: the result is copied out at its size
	out := buf[:0]
	for _, f := range [...]string{p.Attr, p.Pname, p.Category, p.Description} {
		for _, w := range splitWords(f) {
			n, ok := stems[w]
			if !ok {
				n = norm(w)
				stems[w] = n // w points into the package's text, which the build keeps anyway
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	// A camelCase or dashed part of the attribute as one word too: "autosnapshot" finds
	// services.zfs.autoSnapshot.enable, "trustedusers" nix.settings.trusted-users (dashed
	// only below the top level: element-desktop is two words).
	dotted := strings.IndexByte(p.Attr, '.') >= 0
	for rest := p.Attr; rest != ""; {
		c := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			c, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		joinable := false
		for i := 0; i < len(c); i++ {
			if c[i] >= 'A' && c[i] <= 'Z' || dotted && c[i] == '-' {
				joinable = true
				break
			}
		}
		if !joinable {
			continue
		}
		joined := strings.ToLower(c)
		if dotted {
			joined = strings.ReplaceAll(joined, "-", "")
		}
		if !asciiLetters(joined) {
			continue
		}
		n, ok := stems[joined]
		if !ok {
			n = norm(joined)
			stems[joined] = n
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return append([]string(nil), out...)
}

// Search ranks the index for query and returns at most limit results, best first.
//
// A package scores for how its name matches (the whole attribute, the name, a prefix, a
// typo of either), for how much of the query its words cover (name parts, description,
// category; a phrase counts more), and a little for how widely it is used (maintainers,
// the size of its attribute family). Packages inside package sets rank below top-level
// ones unless the query names the set.
func (idx *Index) Search(query string, limit int) []Result {
	hits := idx.search(query, limit, false)
	out := make([]Result, 0, len(hits))
	for _, h := range hits { // fields, not At: At rebuilds the Terms, which a result does not show
		home, prog, long := idx.details.of(h.i)
		out = append(out, Result{Attr: idx.field(h.i, fAttr), Pname: idx.field(h.i, fPname), Version: idx.field(h.i, fVersion),
			Description: idx.field(h.i, fDescription), Homepage: home, MainProgram: prog, LongDescription: long, Score: h.score})
	}
	return out
}

// Lookup is the package whose attribute is attr, exactly.
func (idx *Index) Lookup(attr string) (Package, bool) {
	i := sort.Search(idx.Len(), func(i int) bool { return idx.field(i, fAttr) >= attr })
	if i >= idx.Len() || idx.field(i, fAttr) != attr {
		return Package{}, false
	}
	p := idx.fields(i)
	p.Homepage, p.MainProgram, p.LongDescription = idx.details.of(i)
	return p, true
}

type hit struct {
	i     int
	score float64
}

// search ranks the index; options (an options index) changes a few signals: an option's
// name is a dotted path whose module is Pname, and a module's enable option comes first.
func (idx *Index) search(query string, limit int, options bool) []hit {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" || limit <= 0 {
		return nil
	}
	words, raw := queryWords(q, options)
	if len(words) == 0 {
		words, raw = []string{q}, []string{q}
	}
	// Adjacent query words may be written as one ("web server" → webserver).
	var joined []string
	for i := 0; i+1 < len(raw); i++ {
		joined = append(joined, norm(raw[i]+raw[i+1]))
	}
	alts := make([][]string, len(words))
	for i, w := range words {
		alts[i] = alternates[w]
	}
	described := false
	if len(raw) == 1 && strings.ContainsAny(q, " \t") && !options {
		q, described = raw[0], true // "backup tool", "a browser": the one word that asks for something
	}
	qc := queryConsts{q: q, words: words, joined: joined, alts: alts, options: options,
		single: !strings.ContainsAny(q, " \t"), k: 1 + len(q)/6, described: described}
	if options && !qc.single {
		for _, f := range strings.Fields(q) {
			if strings.Contains(strings.Trim(f, "."), ".") {
				qc.path = strings.Trim(f, ".")
				break
			}
		}
	}
	if !qc.single && len(raw) > 1 {
		// Words that together are a name: "android studio" → android-studio, "vault
		// warden" → vaultwarden.
		qc.dashed, qc.solid, qc.raw = strings.Join(raw, "-"), strings.Join(raw, ""), raw
	}
	if !options && qc.single && !strings.Contains(q, ".") {
		// The query may name a package set (mpvScripts, python3Packages): its members are
		// found by the set's camelCase parts, which are words of their attributes.
		if parts := splitWords(strings.TrimSpace(query)); len(parts) > 1 {
			for _, p := range parts {
				qc.setParts = append(qc.setParts, norm(p))
			}
			qc.setQ = withoutDigits(q)
		}
	}
	var scratch distBuf
	var hits []hit
	consider := func(i int) {
		if i >= idx.Len() {
			return // a corrupt posting
		}
		if s := idx.score(i, &qc, &scratch); s > 0 {
			hits = append(hits, hit{i, s})
		}
	}
	var set, byName []uint64
	ok := false
	if !idx.linear {
		set, byName, ok = idx.candidates(&qc, &scratch)
	}
	switch {
	case ok && !qc.single:
		idx.pruned(&qc, set, byName, limit, consider, &hits)
	case ok:
		forEach(set, consider)
	default:
		for i := range idx.Len() {
			consider(i)
		}
	}
	hits = topK(hits, limit, idx)
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		aa, ab := idx.field(a.i, fAttr), idx.field(b.i, fAttr)
		if len(aa) != len(ab) {
			return len(aa) - len(ab)
		}
		return strings.Compare(aa, ab)
	})
	hits = hits[:min(limit, len(hits))]
	for i := range hits {
		hits[i].score = math.Round(hits[i].score*100) / 100
	}
	return hits
}

// pruned scores the candidates of a query with a space, skipping those that cannot reach
// the results. Such a query relates to no name (names have no spaces; byName holds the
// exceptions), so a package scores by its words' coverage and its popularity alone.
// Packages covering every word are scored first; one covering less than half the words
// scores nothing; for the others score is at most 20·coverage + popularity (+52 for an
// option's name words and enable), and a package is skipped when that bound is below the limit-th score
// already found — it could neither enter the results nor change their order.
func (idx *Index) pruned(qc *queryConsts, set, byName []uint64, limit int, consider func(int), hits *[]hit) {
	n := float64(len(qc.words))
	type partial struct {
		i    int
		frac float64
	}
	var rest []partial
	forEach(set, func(i int) {
		if i >= idx.Len() {
			return
		}
		if byName[i/64]&(1<<(i%64)) != 0 {
			consider(i)
			return
		}
		switch frac := qc.tw.coverage(i) / n; {
		case frac == 1:
			consider(i)
		case frac >= 0.5 && len(qc.words) > 1:
			rest = append(rest, partial{i, frac})
			// Less than half the words: score gives nothing (it adds popularity only to
			// a package that scored).
		}
	})
	threshold := math.Inf(-1)
	if len(*hits) >= limit {
		scores := make([]float64, len(*hits))
		for j, h := range *hits {
			scores[j] = h.score
		}
		slices.Sort(scores)
		threshold = scores[len(scores)-limit]
	}
	// The most popularity can add (99 maintainers, a family of 999): most packages are
	// skipped before their line is read.
	maxPop := 2.5*math.Log2(100) + 1.5*math.Log2(1000)
	extra := 0.0
	if qc.options {
		extra = 25 + 12 + 15 // optionScore's name words, enable and path
	}
	for _, p := range rest {
		if 20*p.frac+maxPop+extra < threshold {
			continue
		}
		h := idx.head(p.i)
		bound := 20*p.frac + 2.5*math.Log2(1+float64(atoi(h[fMaintainers]))) + 1.5*math.Log2(1+float64(atoi(h[fFamily])))
		bound += extra
		if max(bound, 0.01) < threshold {
			continue
		}
		consider(p.i)
	}
}

// better reports whether a ranks before b: higher score, then shorter attribute, then
// the attribute's order.
func (idx *Index) better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	aa, ab := idx.field(a.i, fAttr), idx.field(b.i, fAttr)
	if len(aa) != len(ab) {
		return len(aa) < len(ab)
	}
	return aa < ab
}

// topK keeps the k best hits (in no particular order), so that only they are sorted.
func topK(hits []hit, k int, idx *Index) []hit {
	if len(hits) <= 4*k {
		return hits
	}
	top := make([]hit, 0, k)
	worst := -1 // index in top of the worst kept hit
	for _, h := range hits {
		if len(top) < k {
			top = append(top, h)
			if worst < 0 || idx.better(top[worst], h) {
				worst = len(top) - 1
			}
			continue
		}
		if !idx.better(h, top[worst]) {
			continue
		}
		top[worst] = h
		worst = 0
		for j := 1; j < len(top); j++ {
			if idx.better(top[worst], top[j]) {
				worst = j
			}
		}
	}
	return top
}

// queryConsts are what score needs of the query, computed once per search.
type queryConsts struct {
	q             string
	words, joined []string
	alts          [][]string // per word: its alternates (words.go)
	// dashed and solid are a query of several words written as one name (empty for one
	// word).
	dashed, solid string
	raw           []string // the query's words as typed, in lower case (several words only)
	// described: q is the one word left of a description ("screenshot tool"), not a name.
	described bool
	sets      map[string]int // setSize's memory
	path      string         // an option path among other words (services.nginx http2)
	options   bool
	single    bool
	k         int
	tw        *termWords // the query's words as term numbers (indexes with a trailer)
	// setParts are the camelCase parts of a one-word query that may name a package set,
	// setQ that query without digits (python3Packages names python313Packages).
	setParts []string
	setQ     string
}

// withoutDigits drops ASCII digits: the version in a package set's name.
func withoutDigits(s string) string { return digits(s, false) }

// digits keeps only the ASCII digits of s (keep) or everything else (!keep).
func digits(s string, keep bool) string {
	return strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') == keep {
			return r
		}
		return -1
	}, s)
}

// namesSet reports whether the query names the package set set: exactly (60) or but for
// its version digits (56 and a little for the version, python3Packages for
// python313Packages); 0 if not.
func (qc *queryConsts) namesSet(set string) float64 {
	switch {
	case set == "":
		return 0
	case set == qc.q:
		return 60
	case qc.setQ != "" && len(set) >= len(qc.setQ) && withoutDigits(set) == qc.setQ:
		// The newest version first among equals (python313Packages before 312).
		v, _ := strconv.Atoi(digits(set, true))
		return 56 + float64(min(v, 9999))/10000
	}
	return 0
}

func (idx *Index) score(pi int, qc *queryConsts, buf *distBuf) float64 {
	q, words, options, single, k := qc.q, qc.words, qc.options, qc.single, qc.k
	h := idx.head(pi)
	attr := lowered(h[fAttr], &buf.lower)
	name, set := attr, ""
	if i := strings.LastIndexByte(attr, '.'); i >= 0 {
		set, name = attr[:i], attr[i+1:]
	}
	pname := strings.ToLower(h[fPname])
	// Typos keep the first or the second letter (dcoker, ngnix, firefx): names that share
	// neither are not compared, which spares most of the edit-distance work.
	typoName := single && len(q) >= 4 && len(name) >= 2 && (name[0] == q[0] || name[1] == q[1])
	typoPname := single && len(q) >= 4 && len(pname) >= 2 && (pname[0] == q[0] || pname[1] == q[1])
	var s float64
	switch {
	case attr == q:
		s = 100
	case name == q || pname == q:
		s = 92
	case strings.HasPrefix(name, q) || strings.HasPrefix(pname, q):
		s = 70 - float64(min(len(name)-len(q), 20))/2
	case typoName && buf.distance(name, q, k) >= 0:
		s = 62 - 8*float64(buf.distance(name, q, k))
		if neighbourKey(name, q) {
			s++ // one key hit beside the right one: openssg → openssh, not openssl
		}
	case typoPname && buf.distance(pname, q, k) >= 0:
		s = 60 - 8*float64(buf.distance(pname, q, k))
	case typoName && len(q) >= 5 && len(name) > len(q) && buf.distance(name[:len(q)], q, k) >= 0:
		s = 50 - 8*float64(buf.distance(name[:len(q)], q, k))
	case strings.Contains(name, q):
		s = 40 - float64(min(len(name)-len(q), 20))/2
	case qc.dashed != "" && (name == qc.dashed || name == qc.solid || pname == qc.dashed || pname == qc.solid):
		// A top-level package only: emacsPackages.web-server is not what "web server"
		// asks for.
		if set == "" {
			s = 80
		}
	case qc.dashed != "" && (strings.HasPrefix(name, qc.dashed) || strings.HasPrefix(name, qc.solid)):
		if set == "" {
			s = 60 - float64(min(len(name)-len(qc.dashed), 20))/2
		}
	}
	nameScore := s
	setScore := 0.0
	if !options {
		setScore = qc.namesSet(set)
	}
	namedSet := setScore > 0
	if s < setScore {
		s = setScore // a member of the set the query names
	}
	covered := idx.coverage(pi, qc)
	if len(words) > 1 || s == 0 {
		frac := covered / float64(len(words))
		switch {
		case frac == 1:
			s += 30 + 5*float64(len(words))
			if s == 30+5*float64(len(words)) && set == "" && slices.Contains(qc.raw, name) {
				s += 15 // "docker container": a word of the query is the package's name
			}
			if len(words) > 1 && !strings.Contains(q, ".") && phraseIn(idx.field(pi, fDescription), words, qc.alts) {
				s += 12 // the phrase itself
				if options {
					s -= 6 // an option's name says more than its description
				}
			}
		case len(words) > 1 && frac >= 0.5:
			s += 20 * frac
		}
	} else if covered > 0 {
		s += 2
	}
	if s == 0 {
		return 0
	}
	// Widely used software first among equals.
	s += 2.5*math.Log2(1+float64(atoi(h[fMaintainers]))) + 1.5*math.Log2(1+float64(atoi(h[fFamily])))
	if options {
		return optionScore(s, attr, name, qc)
	}
	r := parseRank(h[fRank])
	if r.Versions > 1 {
		// A versioned family: its newest release first, older majors after it (less so
		// when the query's words, not the name, found it).
		if nameScore > 0 {
			s += 4 - 3*float64(min(r.Newer, 4))
		} else {
			s += 2 - 1.5*float64(min(r.Newer, 4))
		}
	}
	if nameScore == 0 && (strings.HasPrefix(name, "lib") || strings.HasPrefix(h[fCategory], "development/libraries")) {
		s -= 6 // a library, found by the words of a need: people ask for programs
	}
	if set != "" && !strings.Contains(q, ".") && !namedSet {
		// A member of a package set ranks below top-level packages. A library ecosystem
		// (a set of a thousand or more, development/…, lib…) far below; a set of
		// applications (kdePackages, gnomeExtensions) only a little when the query's
		// words, not a name, found it: "video editors" → kdePackages.kdenlive.
		library := idx.setSize(h[fAttr][:max(strings.LastIndexByte(h[fAttr], '.'), 0)], qc) >= 1000 || strings.HasPrefix(h[fCategory], "development") || strings.HasPrefix(name, "lib") || addOns(set) ||
			strings.HasPrefix(set, "rpackages") || strings.HasPrefix(set, "haskellpackages")
		switch {
		case strings.Contains(set, "test"):
			s -= 60 // tests of a package are never what a search asks for
		case library && qc.described && nameScore > 0:
			s -= 45 // "screenshot tool" asks for a program, not rPackages.screenshot
		case library:
			s -= 25
		case nameScore > 0:
			s -= 15
		default:
			s -= 3
		}
	}
	if strings.HasSuffix(name, "-unwrapped") {
		s -= 5
	}
	return max(s, 0.01)
}

// setSize is how many attributes package set set (as the index spells it) holds: its
// members are neighbours in the index's order. A query remembers the sets it met.
func (idx *Index) setSize(set string, qc *queryConsts) int {
	if n, ok := qc.sets[set]; ok {
		return n
	}
	prefix := set + "."
	lo := sort.Search(idx.Len(), func(i int) bool { return idx.field(i, fAttr) >= prefix })
	hi := lo + sort.Search(idx.Len()-lo, func(i int) bool { return !strings.HasPrefix(idx.field(lo+i, fAttr), prefix) })
	if qc.sets == nil {
		qc.sets = map[string]int{}
	}
	qc.sets[set] = hi - lo
	return hi - lo
}

// qwerty's rows, for neighbourKey.
var qwerty = [3]string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// neighbourKey reports whether a and b differ in exactly one letter, and those letters'
// keys are beside each other on a QWERTY keyboard.
func neighbourKey(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	diff := -1
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			if diff >= 0 {
				return false
			}
			diff = i
		}
	}
	if diff < 0 {
		return false
	}
	for _, row := range qwerty {
		i, j := strings.IndexByte(row, a[diff]), strings.IndexByte(row, b[diff])
		if i >= 0 && j >= 0 && (i-j == 1 || j-i == 1) {
			return true
		}
	}
	return false
}

// addOns reports whether set is a set of add-ons to another program (gimpPlugins,
// vscode-extensions, mpvScripts): they are found through their program.
func addOns(set string) bool {
	for _, w := range []string{"plugins", "extensions", "scripts", "addons"} {
		if strings.Contains(set, w) {
			return true
		}
	}
	return false
}

// optionScore finishes an option's score s: words of the query found in the option's
// name count more than words of its description ("ssh" inside "openssh" too), "enable"
// asks for an .enable option, a path prefix of the query ranks its direct options first,
// and deep options come after shallow ones.
func optionScore(s float64, attr, name string, qc *queryConsts) float64 {
	depth := strings.Count(attr, ".")
	if qc.path != "" && strings.HasPrefix(attr, qc.path+".") {
		s += 15 // "services.nginx.virtualHosts http2": options under that path
	}
	if strings.HasPrefix(attr, qc.q+".") {
		// The query is the option's path prefix (services.nginx): its own options first.
		s += 20 - 2*float64(depth-strings.Count(qc.q, ".")-1)
	}
	hits, enable := 0.0, false
	for _, w := range qc.words {
		enable = enable || w == "enabl"
		hits += nameHit(attr, w)
	}
	if n := len(qc.words); n > 0 && !strings.Contains(qc.q, ".") {
		s += 25 * hits / float64(n)
	}
	if name == "enable" {
		// A module's switch (services.openssh.enable) more than a feature's
		// (boot.initrd.network.ssh.enable); more again when the query says "enable".
		bonus := 6.0
		if enable {
			bonus = 12
		}
		if depth > 2 {
			bonus /= 2
		}
		s += bonus
	}
	return max(s-0.3*float64(depth), 0.01)
}

// nameHit is how well the term w meets an option's name: 1 when a part of it (dotted,
// camelCase or dashed) starts with w, 0.75 when one holds it (ssh in openssh).
func nameHit(attr, w string) float64 {
	best := 0.0
	stem := strings.TrimSuffix(w, "i")
	for _, part := range splitWords(attr) {
		part = strings.ToLower(part)
		switch {
		case strings.HasPrefix(part, stem):
			return 1
		case len(w) >= 3 && strings.Contains(part, w):
			best = 0.75
		}
	}
	return best
}

// coverage is how much of the query the package's words cover: a query word that is one
// of its words (or, with a neighbour, a word written as one: "web server" → webserver)
// counts 1, one that is only part of a word counts 0.5 from four letters on.
func (idx *Index) coverage(pi int, qc *queryConsts) float64 {
	if qc.tw != nil {
		return qc.tw.coverage(pi)
	}
	hay := idx.terms(pi)
	words, joined := qc.words, qc.joined
	covered := 0.0
	for i, w := range words {
		if !strings.Contains(hay, w) && !containsAny(hay, qc.alts[i]) {
			continue // nor a whole word, nor part of a joined pair, nor an alternate
		}
		switch {
		case strings.Contains(hay, " "+w+" ") || containsAny(hay, qc.alts[i]):
			covered++
		case i < len(joined) && strings.Contains(hay, " "+joined[i]+" "):
			covered++
		case i > 0 && strings.Contains(hay, " "+joined[i-1]+" "):
			covered++
		case len(w) >= 4 && strings.Contains(hay, w):
			covered += 0.5
		}
	}
	return covered
}

// containsAny reports whether hay (" word word … ") has one of words as a word.
func containsAny(hay string, words []string) bool {
	for _, w := range words {
		if strings.Contains(hay, " "+w+" ") {
			return true
		}
	}
	return false
}

// distBuf holds the rows of distance, reused across the packages of one query.
type distBuf struct {
	r0, r1, r2 []int
	lower      []byte // lowerAttr's scratch
}

// distance is the optimal string alignment distance of a and b (edits and
// transpositions) when it is at most k, else -1.
func (d *distBuf) distance(a, b string, k int) int {
	if n := len(a) - len(b); n > k || -n > k {
		return -1
	}
	if cap(d.r0) < len(b)+1 {
		d.r0, d.r1, d.r2 = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev2, prev, cur := d.r0[:len(b)+1], d.r1[:len(b)+1], d.r2[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > k {
			return -1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > k {
		return -1
	}
	return prev[len(b)]
}
