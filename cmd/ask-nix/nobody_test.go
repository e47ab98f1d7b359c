package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// TestNobodyReadsRootDatabase builds ask-nix and runs it as nobody against a root-owned
// store database in WAL mode with no -wal/-shm files, where nix itself fails (nix#10300).
// Its answers must equal nix's own, read as root.
func TestNobodyReadsRootDatabase(t *testing.T) {
	nixtest.Require(t)
	nixtest.RequireNobody(t)
	fx := sharedStore(t)
	dir, err := os.MkdirTemp("", "ask-nix-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := testBinary(t)
	// A root-owned copy of the state directory, checkpointed: no -wal/-shm.
	state := filepath.Join(dir, "state")
	if out, err := exec.Command("cp", "-a", fx.store.Config.StateDir, state).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	db := filepath.Join(state, "db", "db.sqlite")
	nixtest.Checkpoint(t, db)
	exec.Command("chmod", "-R", "a+rX", dir).Run()

	env := append(os.Environ(), "NIX_STORE_DIR="+fx.store.Config.StoreDir, "NIX_STATE_DIR="+state,
		"HOME=/nonexistent", "XDG_RUNTIME_DIR=", "XDG_CACHE_HOME=", "ASK_NIX_ROOT="+dir+"/root", "USER=nobody")
	asNobody := func(args ...string) (string, string) {
		cmd := nixtest.AsNobody(bin, args...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ask-nix %v as nobody: %v\n%s", args, err, stderr.String())
		}
		return string(out), stderr.String()
	}

	got, stderr := asNobody("path-info", "--json", "-S", "--debug", fx.vars["HELLO"])
	if !strings.Contains(stderr, "opened as immutable") {
		t.Errorf("expected the immutable open to be reported under --debug:\n%s", stderr)
	}
	want := fx.store.Run(t, "nix", "path-info", "--json", "-S", fx.vars["HELLO"])
	var g, w any
	json.Unmarshal([]byte(got), &g)
	json.Unmarshal([]byte(want), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("nobody's path-info differs from nix's\nask-nix: %s\nnix:     %s", gb, wb)
	}

	gens, _ := asNobody("generations", "--json", "--profile", fx.vars["SYSPROF"])
	var p struct {
		Generations []struct {
			Generation  int     `json:"generation"`
			ClosureSize *uint64 `json:"closureSize"`
		} `json:"generations"`
	}
	if err := json.Unmarshal([]byte(gens), &p); err != nil || len(p.Generations) != 2 || p.Generations[0].ClosureSize == nil {
		t.Errorf("generations as nobody: %v %s", err, gens)
	}
	for _, s := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + s); err == nil {
			t.Errorf("reading as nobody left %s%s behind", db, s)
		}
	}
}

// TestPermissionErrorSaysWhatToRun: nobody asking to roll back a root-owned profile gets
// Nix's refusal in one line and a hint naming the owner and the command to run instead.
func TestPermissionErrorSaysWhatToRun(t *testing.T) {
	nixtest.Require(t)
	nixtest.RequireNobody(t)
	bin := testBinary(t)
	dir, err := os.MkdirTemp("", "ask-nix-perm-") // t.TempDir's parent is private to root
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	s := nixtest.NewStore(t, dir)
	prof := filepath.Join(dir, "profiles", "profile")
	for _, p := range s.Build(t, `[ (pkg "one-1" []) (pkg "two-1" []) ]`) {
		s.SetProfile(t, prof, p)
	}
	s.MakeReadable(t)
	args := []string{"--yes", "--profile", prof, "rollback"}
	cmd := nixtest.AsNobody(bin, args...)
	cmd.Env = append(append([]string{}, s.Env...), "HOME=/nonexistent", "USER=nobody", "XDG_RUNTIME_DIR=", "XDG_CACHE_HOME=", "XDG_STATE_HOME=", "XDG_CONFIG_HOME=", "ASK_NIX_ROOT="+dir+"/root")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1:\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ask-nix: error: nix-env -p "+prof+" --switch-generation 1: ") ||
		!strings.Contains(lines[0], "Permission denied") && !strings.Contains(lines[0], "Operation not permitted") {
		t.Fatalf("want one error line with Nix's refusal, got:\n%s", stderr.String())
	}
	want := "belongs to root; run: sudo ask-nix " + strings.Join(args, " ")
	if !strings.HasPrefix(lines[1], "ask-nix: hint: ") || !strings.Contains(lines[1], want) {
		t.Errorf("hint %q, want it to contain %q", lines[1], want)
	}
	if target, _ := os.Readlink(prof); target != "profile-2-link" {
		t.Errorf("the profile changed: %s", target)
	}
}
