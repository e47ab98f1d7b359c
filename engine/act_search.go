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
			{Name: "details", Kind: String, Help: "show this one package (an attribute) in full"},
		},
		Plan: func(_ context.Context, _ *Engine, a Args) (Plan, error) {
			if strings.TrimSpace(a.String("query")) == "" && a.String("details") == "" {
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

// PackageDetails is `search --details ATTR --json` (SPEC §5): one package in full.
type PackageDetails struct {
	Index   search.Meta    `json:"index"`
	Package search.Package `json:"package"`
}

// Render implements Result.
func (r PackageDetails) Render(w io.Writer) { r.RenderWidth(w, 0) }

// RenderWidth implements WidthRenderer: the long description wraps to the terminal (at most
// 78 columns, the width of a man page).
func (r PackageDetails) RenderWidth(w io.Writer, width int) {
	text := 76
	if width > 0 {
		text = max(min(width, 78)-2, 20)
	}
	p := r.Package
	fmt.Fprintf(w, "%s %s\n", p.Attr, p.Version)
	if p.Description != "" {
		fmt.Fprintf(w, "  %s\n", p.Description)
	}
	for _, f := range [][2]string{{"name", p.Pname}, {"homepage", p.Homepage}, {"program", p.MainProgram}} {
		if f[1] != "" {
			fmt.Fprintf(w, "  %-9s %s\n", f[0]+":", f[1])
		}
	}
	if p.LongDescription != "" {
		fmt.Fprintln(w)
		for _, line := range wrap(p.LongDescription, text) {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	fmt.Fprintf(w, "\ninstall: ask-nix install %s\n", p.Attr)
}

// wrap breaks text into lines of at most width columns, at spaces.
func wrap(text string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func (e *Engine) search(a Args) (Result, error) {
	q := strings.TrimSpace(a.String("query"))
	if attr := a.String("details"); attr != "" {
		idx, err := e.loadIndex()
		if err != nil {
			return nil, err
		}
		p, ok := idx.Lookup(attr)
		if !ok {
			var near []string
			for _, r := range idx.Search(attr, 3) {
				near = append(near, r.Attr)
			}
			if len(near) == 0 {
				return nil, fmt.Errorf("%w: no package %q in the index", ErrInvalidArgument, attr)
			}
			return nil, fmt.Errorf("%w: no package %q in the index (closest: %s)", ErrInvalidArgument, attr, strings.Join(near, ", "))
		}
		return PackageDetails{Index: idx.Meta, Package: p}, nil
	}
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
