package executor

import (
	"context"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestShellsAreRefused(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin"}
	for _, argv0 := range []string{"sh", "bash", "/bin/sh", "/usr/bin/env", "python3.12", "perl", "busybox", "dash", "nix-shell", "awk"} {
		if _, err := Run(context.Background(), Cmd{Argv: []string{argv0, "-c", "touch /tmp/pwned"}, Env: env}); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %v, want ErrRefused", argv0, err)
		}
	}
	// A link with an innocent name that resolves to a shell.
	dir := t.TempDir()
	os.Symlink("/bin/sh", filepath.Join(dir, "nix-env"))
	if _, err := Run(context.Background(), Cmd{Argv: []string{"nix-env", "-c", "id"}, Env: []string{"PATH=" + dir}}); !errors.Is(err, ErrRefused) {
		t.Errorf("a nix-env that is /bin/sh: got %v, want ErrRefused", err)
	}
	for _, bad := range []string{"", "nix-env; rm -rf /", "./nix-env", "bin/nix", "nix$(id)"} {
		if _, err := Resolve(bad, env); err == nil {
			t.Errorf("Resolve(%q) accepted it", bad)
		}
	}
}

func TestArgvIsNotInterpreted(t *testing.T) {
	dir := t.TempDir()
	canary := filepath.Join(dir, "canary")
	// echo prints its arguments; a shell would have run the substitution.
	out, err := Run(context.Background(), Cmd{Argv: []string{"echo", "$(touch " + canary + ")", ";", "touch", canary}, Env: []string{"PATH=/usr/bin:/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatal("an argument was interpreted by a shell")
	}
	if !strings.Contains(string(out), "$(touch") {
		t.Errorf("echo printed %q", out)
	}
}

func TestMinimalEnv(t *testing.T) {
	got := MinimalEnv([]string{"PATH=/bin", "LD_PRELOAD=/evil.so", "NIX_STORE_DIR=/s", "BASH_ENV=/evil", "HOME=/h", "SHELLOPTS=x"})
	want := "PATH=/bin NIX_STORE_DIR=/s HOME=/h"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestOnlyTheExecutorStartsPrograms checks the source tree: no package but this one
// imports os/exec or calls syscall.Exec/ForkExec/StartProcess, so every program ask-nix
// starts goes through Resolve's refusal of shells. Test helpers (_test.go, nixtest, rulestest) may.
func TestOnlyTheExecutorStartsPrograms(t *testing.T) {
	root, _ := filepath.Abs("../..")
	checked := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "nixtest" || d.Name() == "rulestest" || d.Name() == "bench") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == mustAbs(".") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "os/exec" {
				t.Errorf("%s imports os/exec: start programs through engine/executor", p)
			}
		}
		src, _ := os.ReadFile(p)
		for _, call := range []string{"syscall.Exec(", "syscall.ForkExec(", "os.StartProcess(", "syscall.StartProcess("} {
			if strings.Contains(string(src), call) {
				t.Errorf("%s calls %s", p, call)
			}
		}
		return nil
	})
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
}

func mustAbs(p string) string {
	a, _ := filepath.Abs(p)
	return a
}

// TestElevatedEnvironmentIsFixed: a command run through sudo gets PATH, LANG and the
// store's location only; NIX_CONFIG (post-build-hook), NIX_PATH, HOME and XDG_* of the
// caller never reach it.
func TestElevatedEnvironmentIsFixed(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "env")
	// A stand-in sudo that records its environment.
	if err := os.WriteFile(filepath.Join(dir, "sudo"), []byte("#!/bin/sh\nenv > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + dir + ":/usr/bin:/bin", "LANG=C.UTF-8", "NIX_STORE_DIR=/s", "NIX_STATE_DIR=/v",
		"NIX_CONFIG=post-build-hook = /tmp/evil", "NIX_PATH=nixpkgs=/tmp/evil", "NIX_REMOTE=daemon", "NIX_CONF_DIR=/tmp/evil",
		"HOME=/home/alice", "XDG_CONFIG_HOME=/home/alice/.config", "LD_PRELOAD=/tmp/evil.so"}
	if _, err := Run(context.Background(), Cmd{Argv: []string{"sudo", "nix-env", "--rollback"}, Env: env}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, _, _ := strings.Cut(l, "="); k != "PWD" && k != "SHLVL" && k != "_" {
			got = append(got, l)
		}
	}
	slices.Sort(got)
	want := []string{"LANG=C.UTF-8", "NIX_STATE_DIR=/v", "NIX_STORE_DIR=/s", "PATH=" + dir + ":/usr/bin:/bin"}
	if !slices.Equal(got, want) {
		t.Errorf("elevated environment %q, want %q", got, want)
	}
}
