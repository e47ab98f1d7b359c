package search

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/internal/shareddata"
)

// TestObservedQueries runs the 1,255 real queries of observed-queries.json (typed on
// search.nixos.org): how many return nothing, per track, and the first result of every
// 25th, to be judged by a person (issue 19's closing note has the table). It fails if
// more queries come back empty than when it was written.
func TestObservedQueries(t *testing.T) {
	b, err := os.ReadFile(shareddata.Path(t, "search-benchmark/observed-queries.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Queries []struct {
			Track string `json:"track"`
			Query string `json:"query"`
		} `json:"queries"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	idx, err := Open(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	opts, err := OpenOptions(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	empty, total := map[string]int{}, map[string]int{}
	var none []string
	var sample strings.Builder
	for i, q := range doc.Queries {
		var first string
		if q.Track == "options" {
			if r := opts.SearchOptions(q.Query, 1); len(r) > 0 {
				first = r[0].Name
			}
		} else if r := idx.Search(q.Query, 1); len(r) > 0 {
			first = r[0].Attr
		}
		total[q.Track]++
		if first == "" {
			empty[q.Track]++
			none = append(none, q.Track+":"+q.Query)
		}
		if i%25 == 0 {
			fmt.Fprintf(&sample, "| %s | `%s` | `%s` |\n", q.Track, q.Query, first)
		}
	}
	n := 0
	for tr, c := range total {
		t.Logf("%s: %d queries, %d return nothing", tr, c, empty[tr])
		n += empty[tr]
	}
	t.Logf("nothing for: %s", strings.Join(none, ", "))
	t.Logf("sample (every 25th):\n| track | query | first result |\n|---|---|---|\n%s", sample.String())
	if len(doc.Queries) != 1255 {
		t.Errorf("%d queries, the file has 1,255", len(doc.Queries))
	}
	if n > maxObservedEmpty {
		t.Errorf("%d observed queries return nothing (at most %d when this was written)", n, maxObservedEmpty)
	}
}

const maxObservedEmpty = 45
