package intent

import (
	"strconv"
	"strings"

	"github.com/kljensen/snowball/english"
)

// features are what the classifier (classifier.go) reads of a request: its words,
// stemmed, with numbers as "<n>" and words the model does not know as "<w>", and the
// pairs of neighbouring words. known says which words the model has; nil keeps every
// word (training, where the arguments are masked instead).
func features(w words, known func(string) bool, masked map[string]bool) []string {
	var unis []string
	for j, l := range w.lower {
		var f string
		switch {
		case masked[strings.ToLower(w.orig[j])]:
			f = "<w>"
		case isNumberToken(l):
			f = "<n>"
		default:
			f = english.Stem(l, true)
			if known != nil && !known(f) {
				f = "<w>"
			}
		}
		unis = append(unis, f)
	}
	out := append([]string(nil), unis...)
	for i := 0; i+1 < len(unis); i++ {
		out = append(out, unis[i]+" "+unis[i+1])
	}
	return out
}

func isNumberToken(s string) bool {
	if _, err := strconv.Atoi(strings.TrimPrefix(s, "#")); err == nil {
		return true
	}
	_, ok := numberWords[s]
	return ok && s != "a" && s != "an" && s != "last" && s != "previous"
}

// Tokens are the words the recogniser reads of text (for the classifier's generator).
func Tokens(text string) (orig, lower []string) {
	w := stripFillers(splitWords(text))
	return w.orig, w.lower
}

// Features are the classifier's features of text, with the words of masked as "<w>"
// (for the generator: arguments are not evidence of an action).
func Features(text string, masked []string) []string {
	m := map[string]bool{}
	for _, a := range masked {
		for _, f := range strings.Fields(a) {
			m[strings.ToLower(f)] = true
		}
	}
	return features(stripFillers(splitWords(text)), nil, m)
}
