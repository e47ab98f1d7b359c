package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asknix/ask-nix/nixstore/nixtest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// testBinary builds ask-nix once per test binary (for tests that run it as a separate
// process: as another user, or to kill it).
func testBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ask-nix-bin-")
		if err != nil {
			binErr = err
			return
		}
		os.Chmod(dir, 0o755)
		binPath = filepath.Join(dir, "ask-nix")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		// The helper programs beside it, where ask-nix looks first.
		for _, helper := range []string{"ask-nix-policy", "ask-nix-tui", "ask-nix-index"} {
			if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, helper), "../"+helper).CombinedOutput(); err != nil {
				binErr = fmt.Errorf("go build %s: %v\n%s", helper, err, out)
				return
			}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// slowPkgs is a nixpkgs stand-in whose packages take a while to build, so that a kill can
// land in the middle of nix-env.
const slowPkgs = `{ ... }:
let mk = name: derivation {
  inherit name; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
  args = [ "-c" "mkdir -p $out/bin; sleep 0.4; printf '#!/bin/sh\\necho ${name}\\n' > $out/bin/x; chmod +x $out/bin/x" ];
}; in { slow1 = mk "slow1-1.0"; slow2 = mk "slow2-1.0"; slow3 = mk "slow3-1.0"; slow4 = mk "slow4-1.0"; }
`

// slowHome is a HOME under dir whose nixpkgs (~/.nix-defexpr/nixpkgs) is slowPkgs with
// builds that take seconds each.
func slowHome(t *testing.T, dir, seconds string) string {
	t.Helper()
	home := filepath.Join(dir, "home")
	nixpkgs := filepath.Join(home, ".nix-defexpr", "nixpkgs")
	if err := os.MkdirAll(nixpkgs, 0o755); err != nil {
		t.Fatal(err)
	}
	expr := strings.ReplaceAll(slowPkgs, "sleep 0.4", "sleep "+seconds)
	if err := os.WriteFile(filepath.Join(nixpkgs, "default.nix"), []byte(expr), 0o644); err != nil {
		t.Fatal(err)
	}
	return home
}

// TestKillLeavesConsistentProfile interrupts install, rollback and cleanup at several
// points — SIGINT (ask-nix stops its child and exits 130) and SIGKILL of the whole process
// group (as a power cut would) — and checks after each that the profile is consistent:
// its link resolves to a generation whose store path is valid, nix-env lists the same
// generations as ask-nix, and the store database verifies.
func TestKillLeavesConsistentProfile(t *testing.T) {
	nixtest.Require(t)
	bin := testBinary(t)
	dir := t.TempDir()
	s := nixtest.NewStore(t, dir)
	home := slowHome(t, dir, "0.4")
	prof := filepath.Join(dir, "profiles", "profile")
	for _, v := range []string{"1.0", "1.1", "1.2"} { // nix-env -i: a profile ask-nix may change
		s.Install(t, prof, `[ (pkg "base-`+v+`" []) ]`)
	}
	env := append(append([]string{}, s.Env...), "HOME="+home, "USER=tester", "XDG_RUNTIME_DIR=", "XDG_CACHE_HOME="+dir+"/cache",
		"XDG_STATE_HOME="+dir+"/state", "XDG_CONFIG_HOME="+dir+"/config", "ASK_NIX_ROOT="+dir+"/root")

	check := func(t *testing.T, what string) {
		t.Helper()
		target, err := os.Readlink(prof)
		if err != nil {
			t.Fatalf("%s: profile link: %v", what, err)
		}
		gen := filepath.Join(filepath.Dir(prof), target)
		storePath, err := os.Readlink(gen)
		if err != nil {
			t.Fatalf("%s: the profile points at %s, which is not a generation link: %v", what, target, err)
		}
		if _, err := s.Exec("nix-store", "--check-validity", storePath); err != nil {
			t.Fatalf("%s: the current generation's %s is not valid: %v", what, storePath, err)
		}
		if _, err := s.Exec("nix-store", "--verify"); err != nil {
			t.Fatalf("%s: nix-store --verify: %v", what, err)
		}
		list, err := s.Exec("nix-env", "-p", prof, "--list-generations")
		if err != nil {
			t.Fatalf("%s: nix-env --list-generations: %v", what, err)
		}
		cmd := exec.Command(bin, "--json", "--no-cache", "generations", "--no-sizes", "--profile", prof)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: ask-nix generations: %v", what, err)
		}
		var p struct {
			Generations []struct {
				Generation int  `json:"generation"`
				Current    bool `json:"current"`
			} `json:"generations"`
		}
		if err := json.Unmarshal(out, &p); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(list), "\n")
		if len(lines) != len(p.Generations) {
			t.Fatalf("%s: nix-env lists %d generations, ask-nix %d", what, len(lines), len(p.Generations))
		}
		for _, g := range p.Generations {
			if g.Current && !strings.Contains(list, fmt.Sprintf("%4d ", g.Generation)) {
				t.Fatalf("%s: current generation %d not in nix-env's list:\n%s", what, g.Generation, list)
			}
		}
	}
	check(t, "before")

	ops := [][]string{
		{"install", "slow1"}, {"install", "slow2"}, {"rollback"}, {"install", "slow3"},
		{"cleanup", "--keep", "2"}, {"install", "slow4"}, {"rollback", "--to", "1"},
	}
	delays := []time.Duration{30 * time.Millisecond, 150 * time.Millisecond, 450 * time.Millisecond}
	midCommand := 0 // SIGINTs that landed while a Nix command ran
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		for i, op := range ops {
			delay := delays[i%len(delays)]
			name := fmt.Sprintf("%s/%s/after-%s", sig, strings.Join(op, "-"), delay)
			t.Run(name, func(t *testing.T) {
				args := append([]string{"--yes", "--no-cache", "--profile", prof}, op...)
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
				var stderr strings.Builder
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(delay)
				if sig == syscall.SIGKILL {
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the whole group, children too
				} else {
					cmd.Process.Signal(sig)
				}
				err := cmd.Wait()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				}
				first, _, _ := strings.Cut(stderr.String(), "\n")
				t.Logf("exit %d %v: %s", code, err, first)
				if strings.Contains(stderr.String(), "interrupted while running nix-") {
					midCommand++
				}
				if sig == syscall.SIGINT && err != nil {
					// -1: the signal came before Go's runtime had started main (nothing ran).
					if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() != 130 && ee.ExitCode() != 1 && ee.ExitCode() != -1 {
						t.Errorf("exit code %d after SIGINT, want 130 (or 1 if it had failed): %s", ee.ExitCode(), stderr.String())
					}
					if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
						t.Errorf("stack trace after SIGINT:\n%s", stderr.String())
					}
				}
				// With SIGKILL of ask-nix alone, a child could outlive it; the group
				// kill above stops them all. Wait for stragglers anyway.
				waitNoNix(t, 2*time.Second)
				check(t, name)
			})
		}
	}
	if midCommand == 0 {
		t.Error("no interrupt landed while a Nix command ran: the delays test nothing")
	}
}

// waitNoNix waits until no nix-env/nix-store process of this test's group is left.
func waitNoNix(t *testing.T, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("pgrep", "-f", "nix-env --log-format internal-json|nix-store --log-format internal-json").Output()
		if len(strings.TrimSpace(string(out))) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
