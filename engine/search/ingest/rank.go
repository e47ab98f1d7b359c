package ingest

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/asknix/ask-nix/engine/search"
)

// addRanks fills each package's search.Rank from the whole set: the size of the package
// set it belongs to, and its place in its versioned family.
//
// A versioned family is the top-level attributes that are one name but for a trailing
// version (python310 … python314, nodejs_20 and nodejs_24, gcc13 … gcc15, with gcc itself):
// nothing here knows a name. Members are ordered by their version field, releases before
// pre-releases (18rc1, 3.14.0rc3, …-unstable-…), so the newest release has Newer = 0 and
// an end-of-life major (python2 beside python3xx) comes after the current ones.
func addRanks(pkgs []search.Package) {
	sets := map[string]int{}
	for _, p := range pkgs {
		if i := strings.LastIndexByte(p.Attr, '.'); i > 0 {
			sets[p.Attr[:i]]++
		}
	}
	families := map[string][]int{}
	for i, p := range pkgs {
		if i := strings.LastIndexByte(p.Attr, '.'); i > 0 {
			continue
		}
		families[familyKey(p.Attr)] = append(families[familyKey(p.Attr)], i)
	}
	for i := range pkgs {
		if j := strings.LastIndexByte(pkgs[i].Attr, '.'); j > 0 {
			pkgs[i].Rank.SetSize = sets[pkgs[i].Attr[:j]]
		}
	}
	for _, members := range families {
		if len(members) < 2 {
			continue
		}
		for _, i := range members {
			newer := 0
			for _, j := range members {
				if compareVersions(pkgs[j].Version, pkgs[i].Version) > 0 {
					newer++
				}
			}
			pkgs[i].Rank.Versions, pkgs[i].Rank.Newer = len(members), newer
		}
	}
}

// versionSuffix is a trailing version in an attribute name: python312, nodejs_24,
// linux_6_12, dotnet-sdk_9, gimp3.
// A variant's camelCase word may follow (python2Full, beside python312).
var versionSuffix = regexp.MustCompile(`^(.*[a-zA-Z])[-_]?[0-9]+(?:[-_][0-9]+)*(?:[A-Z][a-z]+)?$`)

// familyKey is an attribute's name without its trailing version, in lower case.
func familyKey(attr string) string {
	if m := versionSuffix.FindStringSubmatch(attr); m != nil {
		attr = m[1]
	}
	return strings.ToLower(attr)
}

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
