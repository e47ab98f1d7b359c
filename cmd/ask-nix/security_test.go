package main

import (
	securitycorpus "github.com/asknix/ask-nix/internal/corpus"

	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpus reads testdata/security/NAME (internal/corpus).
func corpus(t *testing.T, name, canary string) [][]string {
	return securitycorpus.Read(t, name, canary)
}

// standIns puts recording programs named like everything ask-nix could run, and every
// shell, first on PATH; each appends its argv to the record file.
func standIns(t *testing.T) (dir, record string) {
	dir = t.TempDir()
	record = filepath.Join(dir, "record")
	script := "#!/bin/sh\necho \"$0 $*\" >> " + record + "\n"
	for _, name := range []string{"nix", "nix-env", "nix-store", "nix-build", "nix-channel", "nix-collect-garbage", "nixos-rebuild",
		"sh", "bash", "dash", "zsh", "sudo", "doas", "run0", "rm", "curl", "wget", "touch", "id", "cat", "dd", "env"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, record
}

func isolatedEnv(dir, path string) []string {
	return []string{"HOME=" + dir + "/home", "XDG_RUNTIME_DIR=" + dir + "/run", "XDG_STATE_HOME=" + dir + "/state",
		"XDG_CONFIG_HOME=" + dir + "/config", "XDG_DATA_HOME=" + dir + "/data", "ASK_NIX_ROOT=" + dir + "/root",
		"NIX_STATE_DIR=" + dir + "/var", "NIX_STORE_DIR=" + dir + "/store", "USER=tester", "PATH=" + path}
}

func TestAdversarialCorpusDenied(t *testing.T) { adversarial(t, false) }

// TestAdversarialCorpusDeniedWithRules: the example rule modules (German, aliases, WAT)
// installed in /etc/ask-nix/rules change nothing: every attack is still denied.
func TestAdversarialCorpusDeniedWithRules(t *testing.T) { adversarial(t, true) }

func adversarial(t *testing.T, withRules bool) {
	bin, record := standIns(t)
	dir := t.TempDir()
	if withRules {
		rules := filepath.Join(dir, "root", "etc", "ask-nix", "rules")
		if err := os.MkdirAll(rules, 0o755); err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(ruleModules(t), "rules")
		ents, _ := os.ReadDir(src)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(rules, e.Name()), b, 0o644)
		}
		if len(ents) < 3 {
			t.Fatalf("%d example modules", len(ents))
		}
	}
	canary := filepath.Join(dir, "canary")
	reqs := corpus(t, "adversarial.txt", canary)
	if len(reqs) < 150 {
		t.Fatalf("adversarial corpus has %d requests, want at least 150", len(reqs))
	}
	for _, args := range reqs {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"--yes"}, args...), strings.NewReader("y\n"), &stdout, &stderr, isolatedEnv(dir, bin))
		if code != 3 || !strings.HasPrefix(stderr.String(), "ask-nix: denied: ") {
			t.Errorf("%q: exit %d, want 3 (denied)\nstderr: %s", args, code, stderr.String())
		}
	}
	if b, err := os.ReadFile(record); err == nil {
		t.Errorf("programs were run:\n%s", b)
	}
	if _, err := os.Stat(canary); err == nil {
		t.Error("the canary file was created")
	}
}

func TestBenignCorpusNotDenied(t *testing.T) {
	bin, record := standIns(t)
	dir := t.TempDir()
	reqs := corpus(t, "benign.txt", filepath.Join(dir, "canary"))
	if len(reqs) < 100 {
		t.Fatalf("benign corpus has %d requests, want at least 100", len(reqs))
	}
	for _, args := range reqs {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, isolatedEnv(dir, bin))
		if code == 3 || strings.Contains(stderr.String(), "denied") {
			t.Errorf("%q: denied (exit %d)\nstderr: %s", args, code, stderr.String())
		}
	}
	// Reads through the nix CLI backend (there is no store database here) are fine;
	// nothing else may run without confirmation.
	b, _ := os.ReadFile(record)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		prog := filepath.Base(f[0])
		args := strings.Join(f[1:], " ")
		readOnly := (prog == "nix" && strings.Contains(args, "path-info")) ||
			(prog == "nix-store" && args == "--gc --print-dead") ||
			(prog == "nix-env" && strings.HasSuffix(args, "--list-generations"))
		if !readOnly {
			t.Errorf("ran without confirmation: %s", line)
		}
	}
}
