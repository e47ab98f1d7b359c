package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/intent"
)

// TestActionsReachable holds kong's commands, help, completion, the recogniser and each
// action's own examples to the action definitions: an action added to engine.Actions and
// missing anywhere fails here.
func TestActionsReachable(t *testing.T) {
	k, err := kong.New(&cli{}, kong.Vars{"version": "test"}, kong.Writers(io.Discard, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range commandInfos(k.Model) {
		paths = append(paths, c.path)
	}
	// kong's help of each command is its definition's summary (written out in cli.go:
	// interpolating it at every start cost ~60 page faults; this test keeps them one).
	helps := map[string]string{}
	var walk func(n *kong.Node, path string)
	walk = func(n *kong.Node, path string) {
		for _, c := range n.Children {
			p := strings.TrimSpace(path + " " + c.Name)
			helps[p] = c.Help
			walk(c, p)
		}
	}
	walk(k.Model.Node, "")
	vars := engine.HelpVars()
	var help []string
	for _, h := range engine.Help().Actions {
		help = append(help, h.Action)
	}
	var phrased []string
	for _, a := range engine.Actions() {
		t.Run(a.Name, func(t *testing.T) {
			if !slices.Contains(paths, a.CommandLine()) {
				t.Errorf("no kong command %q (completion lists %v)", a.CommandLine(), paths)
			}
			if want := vars["action_"+strings.ReplaceAll(a.Name, "-", "_")]; helps[a.CommandLine()] != want {
				t.Errorf("kong's help %q, the definition's summary %q", helps[a.CommandLine()], want)
			}
			if a.Phrase != slices.Contains(help, a.Name) {
				t.Errorf("help lists it: %v, phrase form: %v", slices.Contains(help, a.Name), a.Phrase)
			}
			if a.Phrase != slices.Contains(intent.Actions(), a.Name) {
				t.Errorf("the recogniser's actions hold it: %v, phrase form: %v", !a.Phrase, a.Phrase)
			}
			if len(a.Examples) == 0 || a.Summary == "" || a.Plan == nil || a.Run == nil {
				t.Fatalf("incomplete definition: %+v", a)
			}
			for _, ex := range a.Examples {
				line := strings.TrimPrefix(ex, "ask-nix ")
				if strings.HasPrefix(line, `"`) {
					text := strings.Trim(line, `"`)
					if got := intent.Recognize(text).Action; got != a.Name {
						t.Errorf("example %s is recognised as %s", ex, got)
					}
					continue
				}
				args := strings.Fields(strings.ReplaceAll(line, `"`, ""))
				c, kctx, _, err := parse(args, io.Discard, io.Discard)
				if err != nil {
					t.Fatalf("example %s: %v", ex, err)
				}
				req, _, err := buildRequest(c, kctx, args)
				if err != nil || req.Subcommand != a.Name {
					t.Errorf("example %s runs %q (%v)", ex, req.Subcommand, err)
				}
			}
		})
		if a.Phrase {
			phrased = append(phrased, a.Name)
		}
	}
	if got := intent.Actions(); !slices.Equal(got, phrased) {
		t.Errorf("the recogniser's actions %v, the definitions' %v", got, phrased)
	}
}

// TestManPage: `ask-nix man` prints ask-nix(1) from the command model: every command is in it.
func TestManPage(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"man"}, strings.NewReader(""), &out, &errb, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	man := out.String()
	if !strings.HasPrefix(man, ".TH ASK-NIX 1") || !strings.Contains(man, "Exit status") {
		t.Fatalf("not a man page:\n%.300s", man)
	}
	for _, a := range engine.Actions() {
		if !strings.Contains(man, a.CommandLine()) {
			t.Errorf("the man page lacks %q", a.CommandLine())
		}
	}
}
