package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBashCompletion sources the generated script in bash and completes subcommands,
// nested subcommands and flags, as a user pressing tab would.
func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	var script, stderr bytes.Buffer
	if code := run(context.Background(), []string{"completion", "bash"}, strings.NewReader(""), &script, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	file := filepath.Join(t.TempDir(), "ask-nix.bash")
	os.WriteFile(file, script.Bytes(), 0o644)
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"gen"}, "generations"},
		{[]string{"cache", ""}, "stats clear"},
		{[]string{"policy", "t"}, "test"},
		{[]string{"generations", "--no-s"}, "--no-sizes"},
		{[]string{"--json", "search", "--li"}, "--limit"},
		{[]string{"path-info", "--clo"}, "--closure-size"},
		{[]string{"rollback", "--t"}, "--to"},
		{[]string{"--ver"}, "--version"},
	} {
		words := append([]string{"ask-nix"}, tc.words...)
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		cmd := exec.Command("bash", "-c", "source "+file+"; COMP_WORDS=("+strings.Join(quoted, " ")+"); COMP_CWORD="+
			strconv.Itoa(len(words)-1)+"; _ask_nix; echo \"${COMPREPLY[*]}\"")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tc.words, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%v: completed %q, want %q", tc.words, got, tc.want)
		}
	}
	for _, shell := range []string{"zsh", "fish"} {
		var out bytes.Buffer
		if code := run(context.Background(), []string{"completion", shell}, strings.NewReader(""), &out, &stderr, nil); code != 0 || !strings.Contains(out.String(), "generations") {
			t.Errorf("%s completion: exit %d, %d bytes", shell, code, out.Len())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"completion", "tcsh"}, strings.NewReader(""), &out, &stderr, nil); code != 2 {
		t.Errorf("an unknown shell: exit %d, want 2", code)
	}
}
