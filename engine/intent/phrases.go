package intent

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Phrase is one line of a phrasing corpus (testdata/phrases.tsv, the held-out batches):
// a request as people type it, the action it asks for and its arguments.
type Phrase struct {
	Text, Action string
	Args         map[string]any
}

// ReadPhrases reads a phrasing corpus: "TEXT<TAB>ACTION<TAB>ARGS-JSON" a line; blank lines
// and lines starting with # are skipped. name is the file, for errors.
func ReadPhrases(r io.Reader, name string) ([]Phrase, error) {
	var out []Phrase
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			return nil, fmt.Errorf("%s:%d: want 3 tab-separated columns", name, n)
		}
		var args map[string]any
		if err := json.Unmarshal([]byte(cols[2]), &args); err != nil || args == nil {
			return nil, fmt.Errorf("%s:%d: arguments are not a JSON object: %q", name, n, cols[2])
		}
		out = append(out, Phrase{Text: cols[0], Action: cols[1], Args: args})
	}
	return out, sc.Err()
}
