package ingest

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/asknix/ask-nix/engine/search"
)

// addRanks fills each package's search.Rank from the whole set: its place in its
// versioned family.
//
// A versioned family is the top-level attributes that are one name but for a trailing
// version (python310 … python314, nodejs_20 and nodejs_24, gcc13 … gcc15, with gcc itself):
// nothing here knows a name. Members are ordered by their version field, releases before
// pre-releases (18rc1, 3.14.0rc3, …-unstable-…), so the newest release has Newer = 0 and
// an end-of-life major (python2 beside python3xx) comes after the current ones.
func addRanks(pkgs []search.Package) {
	families := map[string][]int{}
	for i, p := range pkgs {
		if i := strings.LastIndexByte(p.Attr, '.'); i > 0 {
			continue
		}
		families[familyKey(p.Attr)] = append(families[familyKey(p.Attr)], i)
	}
	for _, members := range families {
		if len(members) < 2 || len(members) > maxFamily {
			continue
		}
		// Newest first; Newer is how many members are strictly newer.
		slices.SortStableFunc(members, func(a, b int) int { return compareVersions(pkgs[b].Version, pkgs[a].Version) })
		for k, i := range members {
			newer := k
			for newer > 0 && compareVersions(pkgs[members[newer-1]].Version, pkgs[i].Version) == 0 {
				newer--
			}
			pkgs[i].Rank.Versions, pkgs[i].Rank.Newer = len(members), newer
		}
	}
}

// maxFamily bounds a versioned family: more attributes of one name but for a number are
// a generated series (pkg0001…), not versions of one program.
const maxFamily = 64

// familyKey is an attribute's name without its trailing version, in lower case: python
// for python312, nodejs for nodejs_24, linux for linux_6_12, dotnet-sdk for dotnet-sdk_9,
// gimp for gimp3. A variant's camelCase word may follow the version (python2Full).
func familyKey(attr string) string {
	end := len(attr)
	// A variant: an upper-case letter and lower-case ones, after a digit.
	if i := strings.LastIndexFunc(attr, func(r rune) bool { return r < 'a' || r > 'z' }); i > 0 && i < end-1 &&
		attr[i] >= 'A' && attr[i] <= 'Z' && attr[i-1] >= '0' && attr[i-1] <= '9' {
		end = i
	}
	// The version: digits, separated by - or _.
	j := end
	for j > 0 && (isDigit(attr[j-1]) || (attr[j-1] == '-' || attr[j-1] == '_') && j < end && isDigit(attr[j])) {
		j--
	}
	if j == end || j == 0 {
		return strings.ToLower(attr) // no version, or nothing but one
	}
	if attr[j] == '-' || attr[j] == '_' {
		j++ // the separator before the version's first digits belongs to neither
	}
	base := strings.TrimRight(attr[:j], "-_")
	if base == "" || !isLetter(base[len(base)-1]) {
		return strings.ToLower(attr)
	}
	return strings.ToLower(base)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// compareVersions orders two version fields: by their numeric parts, a release after a
// pre-release or snapshot of any version.
func compareVersions(a, b string) int {
	if pa, pb := prerelease(a), prerelease(b); pa != pb {
		if pa {
			return -1
		}
		return 1
	}
	na, nb := numbers(a), numbers(b)
	return slices.Compare(na, nb)
}

var preTags = regexp.MustCompile(`(?i)(rc|alpha|beta|pre|dev|unstable|snapshot|nightly|git)`)

func prerelease(v string) bool { return v == "" || preTags.MatchString(v) }

var numRun = regexp.MustCompile(`[0-9]+`)

func numbers(v string) []int {
	var out []int
	for _, s := range numRun.FindAllString(v, 6) {
		n, _ := strconv.Atoi(s)
		out = append(out, n)
	}
	return out
}
