package intent_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/intent/internal/train"
)

// TestClassifierIsTrainedOnTheCorpus: the committed weights are what `go generate` makes of
// the corpus as it is (a phrasing added without regenerating fails here).
func TestClassifierIsTrainedOnTheCorpus(t *testing.T) {
	want, err := train.Generate([]string{"testdata/phrases.tsv", "../testdata/heldout/*.tsv"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("classifier_data.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("classifier_data.go is not the corpus's: run go generate ./engine/intent")
	}
}

// TestClassifierFallback: where no rule matches, the classifier answers with its
// confidence; never a cleanup or an update, never an install or remove without a
// package, never from words it has not seen.
func TestClassifierFallback(t *testing.T) {
	for _, c := range []struct {
		text   string
		silent bool // no answer from the classifier at all
	}{
		{"zzqx wobble frump", true}, // no known word
		{"yeet", true},              // a verb it does not know, no package
		{"please make everything newer somehow", false},
		{"wipe it all clean now", false},
		{"my thing is broken can you sort it", false},
	} {
		in := intent.Recognize(c.text)
		if in.Rule != "classifier" {
			continue
		}
		if c.silent {
			t.Errorf("%q: the classifier proposed %s %v (%.2f)", c.text, in.Action, in.Args, in.Confidence)
		}
		if in.Action == "cleanup" || in.Action == "update" {
			t.Errorf("%q: the classifier proposed %s", c.text, in.Action)
		}
		if intent.Mutating(in.Action) && in.Args["package"] == nil && in.Args["generation"] == nil {
			t.Errorf("%q: a mutating %s without its argument", c.text, in.Action)
		}
	}
}
