package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession runs the shell command script in a terminal of width×height (a tmux server
// of its own, stopped when the test ends) with env added, and returns a function that runs
// tmux commands against it ("capture-pane", "send-keys"). Without tmux the test skips, or
// fails under CI (.ci/run installs it).
func tmuxSession(t *testing.T, dir string, width, height int, env []string, script string) func(args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux not installed: .ci/run must install it")
		}
		t.Skip("tmux not installed")
	}
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	args := []string{"new-session", "-d", "-s", "t", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	tmux(append(args, "sh", "-c", script)...)
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	return tmux
}

// TestSearchInteractiveInTmux drives `ask-nix search -i` in a real terminal (tmux): results
// follow the keystrokes, arrows move the selection and its details, enter leads to the
// install plan and its confirmation, which is declined here.
func TestSearchInteractiveInTmux(t *testing.T) {
	bin := testBinary(t)
	dir := t.TempDir()
	done := filepath.Join(dir, "exit-code")
	tmux := tmuxSession(t, dir, 120, 30, []string{"HOME=" + dir, "XDG_CACHE_HOME=" + dir + "/cache", "XDG_DATA_HOME=" + dir + "/data",
		"NIX_STATE_DIR=" + dir + "/var"}, bin+" search -i; echo $? > "+done+"; sleep 60")
	waitFor := func(what string, ok func(string) bool) string {
		var s string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			s = tmux("capture-pane", "-t", "t", "-p")
			if ok(s) {
				return s
			}
		}
		t.Fatalf("the screen never showed %s:\n%s", what, s)
		return s
	}
	screen := func(want string) string {
		return waitFor(fmt.Sprintf("%q", want), func(s string) bool { return strings.Contains(s, want) })
	}
	selected := func(s string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "> ") {
				if f := strings.Fields(l); len(f) > 1 {
					return f[1]
				}
			}
		}
		return ""
	}
	screen("search:")
	tmux("send-keys", "-t", "t", "ripgr")
	s := screen("> ripgrep ")
	if !strings.Contains(s, "search: ripgr") {
		t.Errorf("the query is not shown:\n%s", s)
	}
	tmux("send-keys", "-t", "t", "Down")
	s = waitFor("the selection moved down", func(s string) bool { return selected(s) != "" && selected(s) != "ripgrep" })
	second := selected(s)
	if !strings.Contains(s, "\n"+second+" ") {
		t.Errorf("the details pane does not show %s:\n%s", second, s)
	}
	tmux("send-keys", "-t", "t", "Up")
	waitFor("the selection back on ripgrep", func(s string) bool { return selected(s) == "ripgrep" })
	tmux("send-keys", "-t", "t", "Enter")
	screen("nix-env --log-format internal-json -iA nixpkgs.ripgrep")
	screen("Proceed? [y/N]")
	tmux("send-keys", "-t", "t", "n", "Enter")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(done); err == nil {
			if code := strings.TrimSpace(string(b)); code != "4" {
				t.Errorf("declined install exited %s, want 4 (confirmation needed)", code)
			}
			return
		}
	}
	t.Fatal("ask-nix did not exit")
}

// TestSearchInteractiveWithoutScreen: with no ask-nix-tui beside ask-nix or on PATH,
// `search -i` in a terminal stops with one line saying so, exit 1.
func TestSearchInteractiveWithoutScreen(t *testing.T) {
	full := testBinary(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	for _, p := range []string{"ask-nix", "ask-nix-policy"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(full), p))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, p), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	done := filepath.Join(dir, "exit-code")
	tmux := tmuxSession(t, dir, 200, 30, []string{"HOME=" + dir, "XDG_CACHE_HOME=" + dir + "/cache", "XDG_DATA_HOME=" + dir + "/data",
		"NIX_STATE_DIR=" + dir + "/var", "PATH=/usr/bin:/bin"}, filepath.Join(bin, "ask-nix")+" search -i; echo $? > "+done+"; sleep 60")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(done)
		if err != nil {
			continue
		}
		screen := tmux("capture-pane", "-t", "t", "-p")
		if code := strings.TrimSpace(string(b)); code != "1" || !strings.Contains(screen, "ask-nix: error: the search screen ask-nix-tui is not installed beside ask-nix or on PATH") ||
			!strings.Contains(screen, "ask-nix: hint: install ask-nix with its helper programs") {
			t.Errorf("exit %s, screen:\n%s", code, screen)
		}
		return
	}
	t.Fatal("ask-nix did not exit")
}
