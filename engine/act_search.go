package engine

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/asknix/ask-nix/engine/search"
)

func actSearch() *Action {
	return &Action{
		Name: "search", Summary: "search packages (or NixOS options) offline",
		Examples: []string{`ask-nix "search for video editors"`, "ask-nix search firefox", `ask-nix "which nixos option enables ssh"`},
		Phrase:   true,
		Args: []Arg{
			{Name: "query", Kind: String, Help: "search words"},
			{Name: "limit", Kind: Int, Min: 1, Max: 10000, Help: "at most this many results"},
			{Name: "options", Kind: Bool, Help: "search NixOS options"},
		},
		Plan: func(_ context.Context, _ *Engine, a Args) (Plan, error) {
			if strings.TrimSpace(a.String("query")) == "" {
				return Plan{Backend: "index"}, fmt.Errorf("%w: search needs a query", ErrUsage)
			}
			return Plan{Backend: "index"}, nil
		},
		Run: func(_ context.Context, e *Engine, env *Envelope) (Result, error) { return e.search(env.args) },
	}
}

// SearchResult is `search --json` (SPEC §5).
type SearchResult struct {
	Query   string          `json:"query"`
	Index   search.Meta     `json:"index"`
	Results []search.Result `json:"results"`
}

// Render implements Result.
func (r SearchResult) Render(w io.Writer) {
	if len(r.Results) == 0 {
		fmt.Fprintf(w, "no packages match %q\n", r.Query)
	}
	for _, p := range r.Results {
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.Attr, p.Version, truncate(p.Description, 70))
	}
}

// OptionsSearchResult is `search --options --json` (SPEC §5).
type OptionsSearchResult struct {
	Query   string                `json:"query"`
	Index   search.Meta           `json:"index"`
	Results []search.OptionResult `json:"results"`
}

// Render implements Result.
func (r OptionsSearchResult) Render(w io.Writer) {
	if len(r.Results) == 0 {
		fmt.Fprintf(w, "no options match %q\n", r.Query)
	}
	for _, o := range r.Results {
		fmt.Fprintf(w, "%s\t%s\t%s\n", o.Name, truncate(o.Type, 24), truncate(o.Description, 60))
	}
}

func (e *Engine) search(a Args) (Result, error) {
	q := strings.TrimSpace(a.String("query"))
	limit := 20
	if e.o.SearchLimit > 0 {
		limit = e.o.SearchLimit
	}
	if n, ok := a.Int("limit"); ok && n > 0 {
		limit = n
	}
	if a.Bool("options") {
		idx, err := search.OpenOptionsFor(e.o.OptionsPaths, e.o.Host.HostPath("/run/current-system/sw/share/doc/nixos/options.json"), e.indexCacheDir())
		if err != nil {
			return nil, err
		}
		return OptionsSearchResult{Query: q, Index: idx.Meta, Results: idx.SearchOptions(q, limit)}, nil
	}
	idx, err := e.loadIndex()
	if err != nil {
		return nil, err
	}
	return SearchResult{Query: q, Index: idx.Meta, Results: idx.Search(q, limit)}, nil
}
