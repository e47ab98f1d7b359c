package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// TestNixProgressInTmux: on a terminal, a Nix command's progress (parsed from
// --log-format internal-json) is one status line while it runs, and gone when it ends:
// no raw @nix lines ever reach the screen.
func TestNixProgressInTmux(t *testing.T) {
	nixtest.Require(t)
	bin := testBinary(t)
	dir := t.TempDir()
	s := nixtest.NewStore(t, dir)
	home := slowHome(t, dir, "2")
	prof := filepath.Join(dir, "profiles", "profile")
	s.Install(t, prof, `[ (pkg "base-1.0" []) ]`) // nix-env -i: a profile ask-nix may change
	env := []string{"HOME=" + home, "USER=tester", "XDG_RUNTIME_DIR=", "XDG_CACHE_HOME=" + dir + "/cache", "XDG_STATE_HOME=" + dir + "/state",
		"XDG_CONFIG_HOME=" + dir + "/config", "ASK_NIX_ROOT=" + dir + "/root",
		"NIX_CONFIG=substituters =\nexperimental-features = nix-command\nbuild-users-group ="}
	for _, kv := range s.Env {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "NIX_") && k != "NIX_CONFIG" || k == "PATH" {
			env = append(env, kv)
		}
	}
	done := filepath.Join(dir, "exit-code")
	tmux := tmuxSession(t, dir, 250, 20, env, bin+" --yes --profile "+prof+" install slow1; echo $? > "+done+"; sleep 60")
	var screen string
	sawStatus := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen = tmux("capture-pane", "-t", "t", "-p")
		if strings.Contains(screen, "[1/1] nix-env -p "+prof+" -iA nixpkgs.slow1: ") && strings.Contains(screen, "building slow1-1.0") {
			sawStatus = true
		}
		if strings.Contains(screen, "@nix") {
			t.Fatalf("a raw log line reached the terminal:\n%s", screen)
		}
		if _, err := os.Stat(done); err == nil {
			break
		}
	}
	code, _ := os.ReadFile(done)
	if strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("exit %q:\n%s", code, screen)
	}
	if !sawStatus {
		t.Errorf("no status line was shown while nix-env built:\n%s", screen)
	}
	if !strings.Contains(screen, "installed slow1") || strings.Contains(screen, "built ·") {
		t.Errorf("the final screen should hold the result and no status line:\n%s", screen)
	}
}
