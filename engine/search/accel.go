package search

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unsafe"
)

// The acceleration trailer (index v5) lets a query score only the packages that can score
// at all, instead of every package. It is written after the package lines and holds two
// dictionaries, each a sorted list of distinct strings with the packages that have them:
//
//   - terms: every word of every package's Terms. A package scores through its words only
//     if its Terms contain a query word as a substring, and a substring of Terms is a
//     substring of one of its words.
//   - names: every package's name (the attribute's last part) and pname, in lower case.
//     A package scores through its name only if the query (or, for an attribute path,
//     its last part) is a substring of one of them, or one of them is a typo of the
//     query (or begins with one).
//
// A package's own words are not kept: coverage comes from the terms' postings, and At
// recomputes Terms from the package's fields.
//
// Candidates are the union of what both dictionaries give; Search then scores exactly as
// it would have scored every package, so results are identical (TestAccelMatchesLinear).
// An index without a trailer (v4) is searched linearly.

const trailerMagic = "ask-nix-accel-4\n"

// Each dictionary's blob is cut into blocks of whole entries (about blockBytes each), and
// each block has a bit set of the byte triples (trigrams) its entries hold: a substring
// search scans only the blocks that hold every trigram of the needle.
const (
	blockBytes = 4096
	blockBits  = 4096
)

func trigram(a, b, c byte) uint32 {
	h := uint32(a)*0x9e3779b1 ^ uint32(b)*0x85ebca77 ^ uint32(c)*0xc2b2ae3d
	return (h ^ h>>15) % blockBits
}

// dict is one dictionary of the trailer, read in place from the index's bytes.
type dict struct {
	blob     []byte // "\n" + each entry + "\n", entries sorted
	starts   []byte // u32 per entry: where it starts in blob
	postOffs []byte // u32 per entry + 1: where its postings start in posts
	posts    []byte // per entry: uvarint deltas of increasing package numbers
	bySecond []byte // u32 per entry: entry numbers sorted by the entry without its first byte (names only)
	n        int
	rank     [256]int // how often each byte occurs in blob: containing anchors on the rarest
	blocks   []byte   // u32 per block + 1: where it starts in blob
	grams    []byte   // blockBits/8 bytes per block: the trigrams it holds
}

func (d *dict) nblocks() int { return len(d.blocks)/4 - 1 }

func u32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }

func (d *dict) entry(i int) []byte {
	s := int(u32(d.starts, i))
	e := bytes.IndexByte(d.blob[s:], '\n')
	return d.blob[s : s+e]
}

// entryAt is the entry that holds blob position p.
func (d *dict) entryAt(p int) int {
	return sort.Search(d.n, func(i int) bool { return int(u32(d.starts, i)) > p }) - 1
}

// addPostings sets the bits of entry i's packages.
func (d *dict) addPostings(i int, set []uint64) {
	b := d.posts[u32(d.postOffs, i):u32(d.postOffs, i+1)]
	pkg := uint64(0)
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return
		}
		b = b[n:]
		pkg += v
		if pkg/64 < uint64(len(set)) {
			set[pkg/64] |= 1 << (pkg % 64)
		}
	}
}

// indexRare is bytes.Index(hay, needle), anchored on the needle's rarest byte by rank.
func indexRare(hay, needle []byte, rank *[256]int) int {
	if len(needle) < 2 {
		return bytes.Index(hay, needle)
	}
	at := 0
	for i := 1; i < len(needle); i++ {
		if rank[needle[i]] < rank[needle[at]] {
			at = i
		}
	}
	c := needle[at]
	for p := at; p < len(hay); {
		j := bytes.IndexByte(hay[p:], c)
		if j < 0 {
			return -1
		}
		start := p + j - at
		if start+len(needle) <= len(hay) && bytes.Equal(hay[start:start+len(needle)], needle) {
			return start
		}
		p += j + 1
	}
	return -1
}

// containing calls f for each entry that contains s, in order.
func (d *dict) containing(s string, f func(i int)) {
	if s == "" {
		return
	}
	if len(s) < 3 || d.nblocks() <= 0 {
		d.containingIn(s, 1, len(d.blob), f)
		return
	}
	var need []uint32
	for i := 0; i+2 < len(s); i++ {
		need = append(need, trigram(s[i], s[i+1], s[i+2]))
	}
	const w = blockBits / 8
	for b := range d.nblocks() {
		g := d.grams[b*w : (b+1)*w]
		ok := true
		for _, h := range need {
			if g[h/8]&(1<<(h%8)) == 0 {
				ok = false
				break
			}
		}
		if ok {
			d.containingIn(s, int(u32(d.blocks, b)), int(u32(d.blocks, b+1)), f)
		}
	}
}

// containingIn is containing over the blob's bytes [from, to), which hold whole entries.
func (d *dict) containingIn(s string, from, to int, f func(i int)) {
	sb := []byte(s)
	for p := from; p < to; {
		j := indexRare(d.blob[p:to], sb, &d.rank)
		if j < 0 {
			return
		}
		i := d.entryAt(p + j)
		f(i)
		next := int(u32(d.starts, i)) + len(d.entry(i)) + 1 // the entry after it
		p = max(next, p+j+1)
	}
}

// firstByteRange is the entries whose first byte is c (the blob is sorted).
func (d *dict) firstByteRange(c byte) (lo, hi int) {
	lo = sort.Search(d.n, func(i int) bool { e := d.entry(i); return len(e) > 0 && e[0] >= c })
	hi = sort.Search(d.n, func(i int) bool { e := d.entry(i); return len(e) > 0 && e[0] > c })
	return lo, hi
}

// secondByteRange is the positions in bySecond whose entries' second byte is c.
func (d *dict) secondByteRange(c byte) (lo, hi int) {
	second := func(k int) int {
		e := d.entry(int(u32(d.bySecond, k)))
		if len(e) < 2 {
			return -1
		}
		return int(e[1])
	}
	lo = sort.Search(d.n, func(k int) bool { return second(k) >= int(c) })
	hi = sort.Search(d.n, func(k int) bool { return second(k) > int(c) })
	return lo, hi
}

// accel is the trailer of an opened index.
type accel struct {
	terms, names dict
}

// termWords are the query's words as package sets, for coverage without a package's
// Terms: per word, the packages with a word containing it, with it as a word, and with it
// joined to the next query word as a word ("web server" → webserver).
type termWords struct {
	containing, exact, joined [][]uint64 // per query word: bit sets over packages
	wordLen                   []int
}

// exactEntry is the number of the entry equal to s, or -1.
func (d *dict) exactEntry(s string) int {
	i := sort.Search(d.n, func(i int) bool { return string(d.entry(i)) >= s })
	if i < d.n && string(d.entry(i)) == s {
		return i
	}
	return -1
}

func bit(set []uint64, i int) bool { return set != nil && set[i/64]&(1<<(i%64)) != 0 }

// coverage is Index.coverage for package pi, from the query's package sets.
func (tw *termWords) coverage(pi int) float64 {
	covered := 0.0
	for i := range tw.containing {
		if !bit(tw.containing[i], pi) {
			continue // nor a whole word, nor part of a joined pair
		}
		switch {
		case bit(tw.exact[i], pi):
			covered++
		case i < len(tw.joined) && bit(tw.joined[i], pi):
			covered++
		case i > 0 && bit(tw.joined[i-1], pi):
			covered++
		case tw.wordLen[i] >= 4:
			covered += 0.5
		}
	}
	return covered
}

// candidates returns the packages that may score for the query, as a bit set, or false
// when the trailer cannot answer (no trailer; characters the dictionaries never hold).
// It also fills qc.tw, so that score reads coverage from term numbers.
func (idx *Index) candidates(qc *queryConsts, buf *distBuf) (set, byName []uint64, ok bool) {
	a := idx.accel
	q := qc.q
	if a == nil || strings.ContainsAny(q, "\t\n") {
		return nil, nil, false
	}
	for _, w := range qc.words {
		if strings.ContainsAny(w, " \t\n") {
			return nil, nil, false
		}
	}
	set = make([]uint64, (idx.Len()+63)/64)
	byName = make([]uint64, len(set))
	// The names side (substring and typo scans) runs beside the words side: two cores
	// halve a query's wall time.
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.nameCandidates(qc, byName)
	}()
	tw := &termWords{}
	words := len(set)
	exactSet := func(term string) []uint64 {
		id := a.terms.exactEntry(term)
		if id < 0 {
			return nil
		}
		b := make([]uint64, words)
		a.terms.addPostings(id, b)
		return b
	}
	for i, w := range qc.words {
		c := make([]uint64, words)
		a.terms.containing(w, func(i int) { a.terms.addPostings(i, c) })
		exact := exactSet(w)
		for _, alt := range qc.alts[i] {
			if id := a.terms.exactEntry(alt); id >= 0 {
				if exact == nil {
					exact = make([]uint64, words)
				}
				a.terms.addPostings(id, exact)
				a.terms.addPostings(id, c)
			}
		}
		for k := range set {
			set[k] |= c[k]
		}
		tw.containing = append(tw.containing, c)
		tw.exact = append(tw.exact, exact)
		tw.wordLen = append(tw.wordLen, len(w))
		if i < len(qc.joined) {
			tw.joined = append(tw.joined, exactSet(qc.joined[i]))
		}
	}
	qc.tw = tw
	if len(qc.setParts) > 1 {
		// Members of the package set the query may name carry all its parts as words.
		var all []uint64
		for _, w := range qc.setParts {
			c := make([]uint64, words)
			a.terms.containing(w, func(i int) { a.terms.addPostings(i, c) })
			if all == nil {
				all = c
				continue
			}
			for k := range all {
				all[k] &= c[k]
			}
		}
		for k := range set {
			set[k] |= all[k]
		}
	}
	<-done
	for i := range set {
		set[i] |= byName[i]
	}
	return set, byName, true
}

// nameCandidates sets the packages whose name or pname contains the query (or, for an
// attribute path, its last part), or is a typo of it. The typo scan runs beside the
// substring scan, in a bit set of its own.
func (a *accel) nameCandidates(qc *queryConsts, byName []uint64) {
	q := qc.q
	var typos []uint64
	done := make(chan struct{})
	if qc.single && len(q) >= 4 {
		typos = make([]uint64, len(byName))
		go func() {
			defer close(done)
			a.typoCandidates(qc, typos)
		}()
	} else {
		close(done)
	}
	a.names.containing(q, func(i int) { a.names.addPostings(i, byName) })
	if qc.dashed != "" {
		// Several words that may together be a name, or one of which may be one.
		a.names.containing(qc.dashed, func(i int) { a.names.addPostings(i, byName) })
		a.names.containing(qc.solid, func(i int) { a.names.addPostings(i, byName) })
		for _, w := range qc.raw {
			if id := a.names.exactEntry(w); id >= 0 {
				a.names.addPostings(id, byName)
			}
		}
	}
	if i := strings.LastIndexByte(q, '.'); i >= 0 && i+1 < len(q) {
		// attr == q: the attribute's last part is q's.
		a.names.containing(q[i+1:], func(i int) { a.names.addPostings(i, byName) })
	}
	<-done
	for i := range typos {
		byName[i] |= typos[i]
	}
}

// typoCandidates sets the packages whose name or pname is within the query's typo
// distance of it (or begins with such a typo).
func (a *accel) typoCandidates(qc *queryConsts, byName []uint64) {
	q := qc.q
	// Typos keep the first or the second letter (see score). An edit changes at most two
	// letters of a string's letter set (a transposition none), so a name whose set differs
	// from the query's in more than 2k letters is not compared. Entries are sorted, so
	// neighbours often share the prefix a prefix typo is judged on: it is judged once.
	var buf distBuf
	qm := letterMask([]byte(q))
	var lastPre []byte
	lastPreOK := false
	typo := func(i int, eb []byte) {
		if len(eb) <= len(q)+qc.k && len(eb)+qc.k >= len(q) && bits.OnesCount32(letterMask(eb)^qm) <= 2*qc.k &&
			buf.distance(unsafe.String(unsafe.SliceData(eb), len(eb)), q, qc.k) >= 0 {
			a.names.addPostings(i, byName)
			return
		}
		if len(q) < 5 || len(eb) <= len(q) {
			return
		}
		pre := eb[:len(q)]
		if !bytes.Equal(pre, lastPre) {
			lastPre = pre
			lastPreOK = bits.OnesCount32(letterMask(pre)^qm) <= 2*qc.k &&
				buf.distance(unsafe.String(unsafe.SliceData(pre), len(pre)), q, qc.k) >= 0
		}
		if lastPreOK {
			a.names.addPostings(i, byName)
		}
	}
	lo, hi := a.names.firstByteRange(q[0])
	if lo < hi {
		// The range is contiguous in the blob: walk it.
		p := int(u32(a.names.starts, lo))
		for i := lo; i < hi; i++ {
			e := bytes.IndexByte(a.names.blob[p:], '\n')
			typo(i, a.names.blob[p:p+e])
			p += e + 1
		}
	}
	lastPre = nil
	lo, hi = a.names.secondByteRange(q[1])
	for k := lo; k < hi; k++ {
		i := int(u32(a.names.bySecond, k))
		if e := a.names.entry(i); e[0] != q[0] {
			typo(i, e)
		}
	}
}

// letterMask has bit b set when the letter 'a'+b (or, for anything else, bit 26 + the byte
// mod 6) occurs in s.
func letterMask(s []byte) uint32 {
	var m uint32
	for _, c := range s {
		if c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << (26 + c%6)
		}
	}
	return m
}

// forEach calls f for each package in set, in increasing order.
func forEach(set []uint64, f func(i int)) {
	for w, word := range set {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			f(w*64 + b)
			word &= word - 1
		}
	}
}

// nameKeys are the strings of the names dictionary for a package: its name (the
// attribute's last part) and pname, in lower case.
func nameKeys(attr, pname string) []string {
	name := strings.ToLower(attr)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return []string{name, strings.ToLower(pname)}
}

// buildDict lays out a dictionary from each package's keys; rank maps each key to its
// number in the sorted dictionary.
func buildDict(n int, keys func(i int) []string, withSecond bool) (out []byte, rank map[string]int) {
	ids := make(map[string]int, n) // about as many distinct keys as packages
	entries := make([]string, 0, n)
	// (key, package) pairs in package order, grouped by key below with a counting sort:
	// one flat allocation instead of a growing slice per key.
	pairs := make([]uint64, 0, 8*n)
	for i := range n {
		for _, k := range keys(i) {
			if k == "" { // keys come from clean()ed fields: no newlines
				continue
			}
			id, ok := ids[k]
			if !ok {
				id = len(entries)
				ids[k] = id
				entries = append(entries, k)
			}
			pairs = append(pairs, uint64(id)<<32|uint64(i))
		}
	}
	start := make([]int, len(entries)+1)
	for _, p := range pairs {
		start[p>>32+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	flat := make([]uint32, len(pairs))
	fill := append([]int(nil), start[:len(entries)]...)
	for _, p := range pairs {
		id := p >> 32
		flat[fill[id]] = uint32(p)
		fill[id]++
	}
	posts := func(id int) []uint32 { return flat[start[id]:start[id+1]] }
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(entries[a], entries[b]) })
	var blob, starts, postOffs, postBytes []byte
	blob = append(blob, '\n')
	le := binary.LittleEndian
	for _, id := range order {
		starts = le.AppendUint32(starts, uint32(len(blob)))
		blob = append(blob, entries[id]...)
		blob = append(blob, '\n')
		postOffs = le.AppendUint32(postOffs, uint32(len(postBytes)))
		prev := uint32(0)
		for k, p := range posts(id) {
			if k > 0 && p == prev {
				continue // a key twice in one package
			}
			postBytes = binary.AppendUvarint(postBytes, uint64(p-prev))
			prev = p
		}
	}
	postOffs = le.AppendUint32(postOffs, uint32(len(postBytes)))
	var second []byte
	if withSecond {
		sorted := make([]string, len(order))
		for k, id := range order {
			sorted[k] = entries[id]
		}
		perm := make([]int, len(sorted))
		for i := range perm {
			perm[i] = i
		}
		rest := func(s string) string {
			if len(s) < 1 {
				return ""
			}
			return s[1:]
		}
		slices.SortStableFunc(perm, func(a, b int) int { return strings.Compare(rest(sorted[a]), rest(sorted[b])) })
		for _, k := range perm {
			second = le.AppendUint32(second, uint32(k))
		}
	}
	out = le.AppendUint32(out, uint32(len(entries)))
	var freq []byte
	var counts [256]uint32
	for _, c := range blob {
		counts[c]++
	}
	for _, n := range counts {
		freq = le.AppendUint32(freq, n)
	}
	var blocks, grams []byte
	gram := make([]byte, blockBits/8)
	flush := func(end int) {
		blocks = le.AppendUint32(blocks, uint32(end))
		grams = append(grams, gram...)
		clear(gram)
	}
	blocks = le.AppendUint32(blocks, 1)
	blockStart := 1
	for k := range order {
		st := int(le.Uint32(starts[4*k:]))
		if st-blockStart >= blockBytes {
			flush(st)
			blockStart = st
		}
		e := blob[st : st+len(entries[order[k]])]
		for j := 0; j+2 < len(e); j++ {
			h := trigram(e[j], e[j+1], e[j+2])
			gram[h/8] |= 1 << (h % 8)
		}
	}
	flush(len(blob))
	for _, sec := range [][]byte{blob, starts, postOffs, postBytes, second, freq, blocks, grams} {
		out = le.AppendUint32(out, uint32(len(sec)))
		out = append(out, sec...)
	}
	rank = make(map[string]int, len(order))
	for k, id := range order {
		rank[entries[id]] = k
	}
	return out, rank
}

// namesDict is the names dictionary of the trailer (independent of Terms, so Write
// builds it while the Terms are computed).
func namesDict(pkgs []Package) []byte {
	out, _ := buildDict(len(pkgs), func(i int) []string { return nameKeys(pkgs[i].Attr, pkgs[i].Pname) }, true)
	return out
}

// buildTrailer is the acceleration trailer, from each package's words and the names
// dictionary.
func buildTrailer(words [][]string, names []byte) []byte {
	out := []byte(trailerMagic)
	terms, _ := buildDict(len(words), func(i int) []string { return words[i] }, false)
	out = append(out, terms...)
	out = append(out, names...)
	return out
}

var errTrailer = errors.New("bad acceleration trailer")

// readDict reads one dictionary at the start of b and returns the rest.
func readDict(b []byte, withSecond bool) (dict, []byte, error) {
	var d dict
	if len(b) < 4 {
		return d, nil, errTrailer
	}
	d.n = int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	secs := make([][]byte, 8)
	for i := range secs {
		if len(b) < 4 {
			return d, nil, errTrailer
		}
		l := int(binary.LittleEndian.Uint32(b))
		if l > len(b)-4 {
			return d, nil, errTrailer
		}
		secs[i], b = b[4:4+l], b[4+l:]
	}
	d.blob, d.starts, d.postOffs, d.posts, d.bySecond = secs[0], secs[1], secs[2], secs[3], secs[4]
	if len(secs[5]) != 4*256 {
		return d, nil, errTrailer
	}
	for c := range d.rank {
		d.rank[c] = int(u32(secs[5], c))
	}
	d.blocks, d.grams = secs[6], secs[7]
	nb := len(d.blocks)/4 - 1
	if len(d.blocks)%4 != 0 || nb < 1 || len(d.grams) != nb*blockBits/8 || u32(d.blocks, 0) != 1 || int(u32(d.blocks, nb)) != len(d.blob) {
		return d, nil, errTrailer
	}
	for b := 0; b < nb; b++ {
		if st := u32(d.blocks, b); st > u32(d.blocks, b+1) || d.blob[st-1] != '\n' {
			return d, nil, errTrailer
		}
	}
	if len(d.starts) != 4*d.n || len(d.postOffs) != 4*(d.n+1) || withSecond && len(d.bySecond) != 4*d.n ||
		len(d.blob) == 0 || d.blob[0] != '\n' || d.n > 0 && d.blob[len(d.blob)-1] != '\n' {
		return d, nil, errTrailer
	}
	for i := 0; i < d.n; i++ {
		s := int(u32(d.starts, i))
		if s <= 0 || s >= len(d.blob) || d.blob[s-1] != '\n' || u32(d.postOffs, i) > u32(d.postOffs, i+1) {
			return d, nil, errTrailer
		}
		if withSecond && int(u32(d.bySecond, i)) >= d.n {
			return d, nil, errTrailer
		}
	}
	if int(u32(d.postOffs, d.n)) != len(d.posts) {
		return d, nil, errTrailer
	}
	return d, b, nil
}

func readTrailer(b []byte, packages int) (*accel, error) {
	rest, ok := bytes.CutPrefix(b, []byte(trailerMagic))
	if !ok {
		return nil, errTrailer
	}
	terms, rest, err := readDict(rest, false)
	if err != nil {
		return nil, err
	}
	names, rest, err := readDict(rest, true)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errTrailer
	}
	a := &accel{terms: terms, names: names}
	return a, nil
}
