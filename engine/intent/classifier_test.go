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
		action string // "" = not the classifier's
	}{
		{"zzqx wobble frump", ""}, // no known word
		{"yeet", ""},              // a verb it does not know, no package
		{"please make everything newer somehow", ""}, // update is never its answer
		{"wipe it all clean now", ""},                // nor cleanup
	} {
		in := intent.Recognize(c.text)
		if in.Rule == "classifier" && (c.action == "" || in.Action != c.action) {
			t.Errorf("%q: the classifier proposed %s %v (%.2f)", c.text, in.Action, in.Args, in.Confidence)
		}
		if in.Rule == "classifier" && intent.Mutating(in.Action) {
			if _, ok := in.Args["package"]; !ok && in.Args["generation"] == nil {
				t.Errorf("%q: a mutating %s without its argument", c.text, in.Action)
			}
		}
		if in.Rule == "classifier" && (in.Action == "cleanup" || in.Action == "update") {
			t.Errorf("%q: the classifier proposed %s", c.text, in.Action)
		}
	}
}
