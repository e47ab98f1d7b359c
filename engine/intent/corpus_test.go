package intent

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type phrase = Phrase

func loadPhrases(t testing.TB) []phrase {
	f, err := os.Open("testdata/phrases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ReadPhrases(f, "phrases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// effective is what ask-nix acts on: below the threshold a proposal is "unknown".
func effective(in Intent) (string, map[string]any) {
	if in.Confidence < Threshold {
		return "unknown", map[string]any{}
	}
	b, _ := json.Marshal(in.Args)
	var args map[string]any
	json.Unmarshal(b, &args)
	return in.Action, args
}

// TestPhraseCorpus scores the recogniser on testdata/phrases.tsv: per-action accuracy,
// overall action accuracy ≥ 97%, argument accuracy ≥ 93%, and no phrase resolved to a
// mutating action it did not ask for.
func TestPhraseCorpus(t *testing.T) {
	ps := loadPhrases(t)
	if len(ps) < 300 {
		t.Fatalf("%d phrasings, want at least 300", len(ps))
	}
	type score struct{ n, action, args int }
	per := map[string]*score{}
	var actionOK, argsOK int
	for _, p := range ps {
		got, args := effective(Recognize(p.Text))
		s := per[p.Action]
		if s == nil {
			s = &score{}
			per[p.Action] = s
		}
		s.n++
		if got == p.Action {
			s.action++
			actionOK++
			if reflect.DeepEqual(args, p.Args) {
				s.args++
				argsOK++
			} else {
				t.Logf("args   %-50q got %v, want %v", p.Text, args, p.Args)
			}
		} else {
			t.Logf("action %-50q got %s %v, want %s", p.Text, got, args, p.Action)
		}
		if got != p.Action && Mutating(got) {
			t.Errorf("%q resolved to the mutating action %s; it asked for %s", p.Text, got, p.Action)
		}
	}
	names := make([]string, 0, len(per))
	for a := range per {
		names = append(names, a)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, a := range names {
		s := per[a]
		fmt.Fprintf(&b, "  %-12s %3d phrasings  action %5.1f%%  args %5.1f%%\n", a, s.n, 100*float64(s.action)/float64(s.n), 100*float64(s.args)/float64(s.n))
	}
	actionAcc, argsAcc := float64(actionOK)/float64(len(ps)), float64(argsOK)/float64(len(ps))
	t.Logf("per action:\n%s  overall: action %.1f%%, args %.1f%% of %d phrasings", b.String(), 100*actionAcc, 100*argsAcc, len(ps))
	if actionAcc < 0.97 {
		t.Errorf("action accuracy %.1f%% < 97%%", 100*actionAcc)
	}
	if argsAcc < 0.93 {
		t.Errorf("argument accuracy %.1f%% < 93%%", 100*argsAcc)
	}
}

func BenchmarkRecognize(b *testing.B) {
	ps := loadPhrases(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Recognize(ps[i%len(ps)].Text)
	}
}
