package intent

//go:generate go run ./internal/gen -o classifier_data.go testdata/phrases.tsv ../testdata/heldout/*.tsv

import (
	"math"
	"sort"
	"strings"
)

// The fallback classifier: when no rule matches, a multinomial naive Bayes model over a
// request's words and word pairs (features.go), trained on the phrasing corpus by `go
// generate` (classifier_data.go), chooses among the actions with a confidence. Arguments
// are masked in training ("<w>"), so a package name is never evidence of an action, and a
// request whose every word is unknown to the model gets no answer.
//
// It proposes a mutating action only with its argument: install and remove a package
// phrase (which the engine must resolve against the index or the profile, or nothing
// runs), rollback a generation number. cleanup and update have no such argument, so the
// classifier never proposes them. Whatever it proposes still goes through the plan, the
// policy and the confirmation.

// classifierThreshold is the posterior below which the classifier has no answer.
const classifierThreshold = 0.8

func nbKnown(f string) bool {
	i := sort.SearchStrings(nbVocab, f)
	return i < len(nbVocab) && nbVocab[i] == f
}

// classify is the classifier's best action for w and its posterior probability.
func classify(w words) (string, float64, []string) {
	feats := features(w, nbKnown, nil)
	scores := make([]float64, len(nbClasses))
	for c := range scores {
		scores[c] = float64(nbPrior[c])
	}
	evidence := 0
	for _, f := range feats {
		i := sort.SearchStrings(nbVocab, f)
		if i >= len(nbVocab) || nbVocab[i] != f {
			continue
		}
		if f != "<w>" && f != "<n>" && !strings.Contains(f, " ") {
			evidence++
		}
		row := nbWeights[i*len(nbClasses) : (i+1)*len(nbClasses)]
		for c := range scores {
			scores[c] += float64(row[c])
		}
	}
	if evidence == 0 {
		return "", 0, feats
	}
	best := 0
	for c := range scores {
		if scores[c] > scores[best] {
			best = c
		}
	}
	sum := 0.0
	for c := range scores {
		sum += math.Exp(scores[c] - scores[best])
	}
	return nbClasses[best], 1 / sum, feats
}

// ruleClassifier is the last rule: the classifier, with the arguments its action needs.
func ruleClassifier(w words) (string, map[string]any, float64, bool) {
	action, p, feats := classify(w)
	if action == "" || action == "unknown" || p < classifierThreshold {
		return "", nil, 0, false
	}
	conf := 0.5 + 0.25*p // acted on, below every rule's own confidence
	unknownWords := func() []string {
		var out []string
		for j := range w.lower {
			if feats[j] == "<w>" && !argNoise[w.lower[j]] && !particles[w.lower[j]] {
				out = append(out, w.orig[j])
			} else if len(out) > 0 {
				break
			}
		}
		return out
	}
	switch action {
	case "install", "remove":
		pkg := unknownWords()
		if len(pkg) == 0 {
			return "", nil, 0, false
		}
		return action, map[string]any{"package": pkg[0]}, conf, true
	case "installed":
		if pkg := unknownWords(); len(pkg) > 0 {
			return action, map[string]any{"package": pkg[0]}, conf, true
		}
		return action, map[string]any{}, conf, true
	case "rollback":
		g, ok := generationArg(w)
		if !ok {
			return "", nil, 0, false
		}
		return action, map[string]any{"generation": g}, conf, true
	case "cleanup", "update":
		return "", nil, 0, false
	case "search":
		var q []string
		for j, l := range w.lower {
			if !searchNoise[l] && !wantNoise[l] && !argNoise[l] {
				q = append(q, w.orig[j])
			}
		}
		if len(q) == 0 {
			return "", nil, 0, false
		}
		return action, map[string]any{"query": strings.Join(q, " ")}, conf, true
	case "diff":
		return action, map[string]any{}, conf, true
	}
	return action, map[string]any{}, conf, true
}
