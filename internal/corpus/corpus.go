// Package corpus reads the security corpora of testdata/security (adversarial.txt,
// benign.txt) for the tests that run them through the command line, the policy evaluators
// and agent mode: one request a line; a line starting with [ is a JSON argv, one starting
// with " a Go-quoted sentence; # starts a comment; CANARY stands for a file that must never
// be created.
package corpus

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Read returns the requests of testdata/security/NAME as argvs (a sentence is an argv of
// one), with CANARY replaced by canary.
func Read(t testing.TB, name, canary string) [][]string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test")
		}
	}
	f, err := os.Open(filepath.Join(dir, "testdata", "security", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.ReplaceAll(line, "CANARY", canary)
		switch line[0] {
		case '[':
			var argv []string
			if err := json.Unmarshal([]byte(line), &argv); err != nil {
				t.Fatalf("%s: %q: %v", name, line, err)
			}
			out = append(out, argv)
		case '"':
			s, err := strconv.Unquote(line)
			if err != nil {
				t.Fatalf("%s: %q: %v", name, line, err)
			}
			out = append(out, []string{s})
		default:
			out = append(out, []string{line})
		}
	}
	return out
}

// Texts returns the requests of testdata/security/NAME as single texts (an argv joined).
func Texts(t testing.TB, name, canary string) []string {
	var out []string
	for _, argv := range Read(t, name, canary) {
		out = append(out, strings.Join(argv, " "))
	}
	return out
}
