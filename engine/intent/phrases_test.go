package intent

import (
	"strings"
	"testing"
)

// FuzzReadPhrases: any text is read or refused with an error, and what is read has the
// three columns.
func FuzzReadPhrases(f *testing.F) {
	for _, s := range []string{"install x\tinstall\t{\"package\":\"x\"}\n", "# c\n\nhelp\thelp\t{}", "a\tb", "a\tb\tnull", "a\tb\t[1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ReadPhrases(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Args == nil || strings.Contains(p.Text, "\t") {
				t.Fatalf("%q: %+v", s, p)
			}
		}
	})
}
