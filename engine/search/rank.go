package search

import (
	"slices"
	"strings"
	"unicode"
)

// Result is one search hit (SPEC §5).
type Result struct {
	Attr        string  `json:"attr"`
	Pname       string  `json:"pname"`
	Version     string  `json:"version"`
	Description string  `json:"description"`
	Score       float64 `json:"score"`
}

// Search ranks the index for query and returns at most limit results, best first. Exact
// attribute names rank first, then name prefixes, then names within edit distance of a
// typo, then packages whose description holds every word; packages inside package sets
// (attributes with a dot) rank below top-level ones unless the query names the set.
func (idx *Index) Search(query string, limit int) []Result {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" || limit <= 0 {
		return []Result{}
	}
	words := strings.FieldsFunc(q, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	type hit struct {
		i     int
		score float64
	}
	var hits []hit
	for i := range idx.Packages {
		if s := score(&idx.Packages[i], q, words); s > 0 {
			hits = append(hits, hit{i, s})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		pa, pb := &idx.Packages[a.i], &idx.Packages[b.i]
		if len(pa.Attr) != len(pb.Attr) {
			return len(pa.Attr) - len(pb.Attr)
		}
		return strings.Compare(pa.Attr, pb.Attr)
	})
	out := make([]Result, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		p := idx.Packages[h.i]
		out = append(out, Result{Attr: p.Attr, Pname: p.Pname, Version: p.Version, Description: p.Description, Score: float64(int(h.score*100)) / 100})
	}
	return out
}

func score(p *Package, q string, words []string) float64 {
	attr := strings.ToLower(p.Attr)
	name := attr
	set := ""
	if i := strings.LastIndexByte(attr, '.'); i >= 0 {
		set, name = attr[:i], attr[i+1:]
	}
	pname := strings.ToLower(p.Pname)
	var s float64
	switch {
	case attr == q:
		s = 100
	case name == q || pname == q:
		s = 90
	case strings.HasPrefix(name, q) || strings.HasPrefix(pname, q):
		s = 70 - float64(min(len(name)-len(q), 20))
	case strings.Contains(name, q):
		s = 45 - float64(min(len(name)-len(q), 20))/2
	case len(q) >= 4 && !strings.Contains(q, " "):
		if d := distance(name, q, 1+len(q)/6); d >= 0 {
			s = 58 - 8*float64(d)
		}
	}
	if len(words) > 0 {
		desc := strings.ToLower(p.Description)
		matched := 0
		for _, w := range words {
			if strings.Contains(name, w) || strings.Contains(desc, w) || strings.Contains(pname, w) {
				matched++
			}
		}
		if matched == len(words) {
			s += 20 + 5*float64(len(words))
		} else if s == 0 && len(words) > 1 && matched*2 > len(words) {
			s += 8 * float64(matched)
		}
	}
	if s == 0 {
		return 0
	}
	if set != "" && !strings.Contains(q, ".") {
		s -= 15
		if strings.Contains(set, "packages") || strings.HasPrefix(set, "rpackages") || strings.HasPrefix(set, "haskellpackages") {
			s -= 10
		}
	}
	return max(s, 0.01)
}

// distance is the edit distance of a and b when it is at most k, else -1.
func distance(a, b string, k int) int {
	if d := len(a) - len(b); d > k || -d > k {
		return -1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			best = min(best, cur[j])
		}
		if best > k {
			return -1
		}
		prev, cur = cur, prev
	}
	if prev[len(b)] > k {
		return -1
	}
	return prev[len(b)]
}
