package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/search"
)

// TestResolvePackage: a sentence's words become the package they name, or none.
func TestResolvePackage(t *testing.T) {
	idx, err := search.Open(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	installed := []string{"mpv", "vlc", "element-desktop", "python3"}
	for _, c := range []struct {
		phrase    string
		installed []string
		want      string // "" = refused
	}{
		{"element desktop", nil, "element-desktop"},
		{"android studio", nil, "android-studio"},
		{"signal desktop app", nil, "signal-desktop"},
		{"htop thing", nil, "htop"},
		{"firefx", nil, "firefox"},
		{"python3", nil, "python3"}, // a pname, kept as typed
		{"nodejs", nil, "nodejs"},   // a pname, kept as typed
		{"kdenlive", nil, ""},       // a set member's name: refused, with kdePackages.kdenlive among the closest
		{"git do", nil, "git"},
		{"Firefox", nil, "firefox"},
		{"mpv", installed, "mpv"},
		{"mvp", installed, "mpv"}, // a typo of what is installed
		{"element desktop", installed, "element-desktop"},
		{"flurbleglorpix", nil, ""},
		{"away", nil, ""},
		{"qwzx vlc", nil, ""}, // the first word names nothing
	} {
		got, err := resolvePackage(idx, c.installed, c.phrase)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%q: resolved to %q, want a refusal", c.phrase, got)
		case c.want == "" && !errors.Is(err, ErrInvalidArgument):
			t.Errorf("%q: %v, want ErrInvalidArgument", c.phrase, err)
		case c.want != "" && (err != nil || got != c.want):
			t.Errorf("%q: %q, %v; want %q", c.phrase, got, err, c.want)
		}
	}
}

// TestSentencePackageResolvedBeforePlanning: the plan of "add element desktop" installs
// element-desktop; "install flurbleglorpix" plans nothing and names the closest packages;
// the subcommand's argument is taken as typed.
func TestSentencePackageResolvedBeforePlanning(t *testing.T) {
	e := testEngine(t)
	env, err := e.Handle(context.Background(), Request{Text: "add element desktop", Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if env.Intent.Args["package"] != "element-desktop" || env.Plan.Package != "element-desktop" {
		t.Errorf("add element desktop: intent %v, plan package %q", env.Intent.Args, env.Plan.Package)
	}
	env, err = e.Handle(context.Background(), Request{Text: "install flurbleglorpix", Explain: true})
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "not a package") || len(env.Plan.Argv) != 0 {
		t.Errorf("install flurbleglorpix: %v, plan %v", err, env.Plan.Argv)
	}
	env, _ = e.Handle(context.Background(), Request{Subcommand: "install", Args: map[string]any{"package": "firefx"}, Explain: true})
	if env.Intent.Args["package"] != "firefx" {
		t.Errorf("a subcommand's package was changed: %v", env.Intent.Args)
	}
}

// BenchmarkUnderstand is what a sentence costs before planning: the recogniser, the
// classifier when no rule matches, over the corpus and the held-out batches.
func BenchmarkUnderstand(b *testing.B) {
	var texts []string
	for _, f := range []string{"intent/testdata/phrases.tsv", "testdata/heldout/batch1.tsv", "testdata/heldout/batch2.tsv", "testdata/heldout/batch3.tsv"} {
		data, err := readLines(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, data...)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		intent.Recognize(texts[i%len(texts)])
	}
}

func readLines(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return out, nil
}

// TestDetailsFitTheWidth: search --details wraps the long description to the terminal.
func TestDetailsFitTheWidth(t *testing.T) {
	r := PackageDetails{Package: search.Package{Attr: "x", Version: "1", LongDescription: strings.Repeat("word ", 60)}}
	for _, width := range []int{40, 60, 120} {
		var b strings.Builder
		r.RenderWidth(&b, width)
		for _, line := range strings.Split(b.String(), "\n") {
			if len(line) > min(width, 78) {
				t.Errorf("width %d: %d columns: %q", width, len(line), line)
			}
		}
	}
}
