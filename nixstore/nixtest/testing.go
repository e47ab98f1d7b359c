// Package nixtest builds real Nix stores, profiles and NixOS-shaped generations for tests,
// with the Nix 2.8 installed on the machine. Each store is private to its caller
// (NIX_STORE_DIR/NIX_STATE_DIR under a temporary directory), so tests never share a
// database and a garbage collection in one cannot touch another's paths.
package nixtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/nixstore"
)

// Store is a private Nix store with its own state directory.
type Store struct {
	Dir    string // root of everything below
	Config nixstore.Config
	Env    []string // environment for nix commands that use this store
}

// Require skips the test when Nix is not installed, except under CI, where it fails: CI
// installs Nix, so its absence there is a broken set-up, not a reason to pass.
func Require(t testing.TB) {
	t.Helper()
	for _, p := range []string{"nix-build", "nix-env", "nix", "nix-store"} {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not on PATH: .ci/run must install nix-bin", p)
			}
			t.Skipf("%s not on PATH (apt-get install nix-bin)", p)
		}
	}
}

// NewStore makes an empty store under dir (a fresh temporary directory when empty).
// Everything is made world-readable so tests can read it as another user.
func NewStore(t testing.TB, dir string) *Store {
	t.Helper()
	Require(t)
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Store{Dir: dir, Config: nixstore.Config{
		StoreDir: filepath.Join(dir, "store"),
		StateDir: filepath.Join(dir, "var"),
	}}
	s.Env = Env(s.Config, filepath.Join(dir, "log"))
	return s
}

// Env is an environment whose nix commands use cfg, never the network, and nothing of
// the caller's own Nix configuration.
func Env(cfg nixstore.Config, logDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "NIX_STORE_DIR", "NIX_STATE_DIR", "NIX_LOG_DIR", "NIX_CONFIG", "NIX_PATH", "NIX_REMOTE":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"NIX_STORE_DIR="+cfg.StoreDir,
		"NIX_STATE_DIR="+cfg.StateDir,
		"NIX_LOG_DIR="+logDir,
		"NIX_CONFIG=substituters =\nexperimental-features = nix-command\nsandbox = false\nbuild-users-group =",
	)
}

// Run runs a nix command against the store and returns its stdout.
func (s *Store) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := s.Exec(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// Exec runs a nix command against the store.
func (s *Store) Exec(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = s.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Lib is a Nix expression file defining the fixture builders; Build evaluates expressions
// with `with import LIB;` in scope:
//
//	pkg NAME DEPS          a package (name "pname-version") referring to DEPS
//	sized NAME DEPS BYTES  the same with a BYTES-long payload
//	nixos { version; kernel; deps; specs ? {}; rev ? null; tag ? ""; sw ? null }
//	                       a NixOS-shaped system toplevel
const Lib = `
let
  sys = builtins.currentSystem;
  sized = name: deps: bytes: derivation {
    inherit name; system = sys; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = [ "-c" ''
      mkdir -p $out/bin $out/share/${name}
      echo ${name} > $out/share/${name}/name
      for d in ${toString deps}; do echo $d >> $out/share/${name}/deps; done
      head -c ${toString bytes} /dev/zero > $out/share/${name}/payload
      printf '#!/bin/sh\necho ${name}\n' > $out/bin/${builtins.head (builtins.split "-[0-9]" name)}
      chmod +x $out/bin/*
    '' ];
  };
  pkg = name: deps: sized name deps 0;
  nixos = { version, kernel, deps ? [], specs ? {}, rev ? null, tag ? "", sw ? null }: derivation {
    name = "nixos-system-host-${version}${tag}"; system = sys; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = [ "-c" ''
      mkdir -p $out/kernel-modules/lib/modules/${kernel} $out/bin $out/specialisation
      echo -n ${version} > $out/nixos-version
      ${if rev == null then "" else "echo -n ${rev} > $out/configuration-revision"}
      for d in ${toString deps}; do echo $d >> $out/deps; done
      ${builtins.concatStringsSep "\n" (builtins.attrValues (builtins.mapAttrs (n: v: "ln -s ${v} $out/specialisation/${n}") specs))}
      ${if sw == null then "" else "ln -s ${sw} $out/sw"}
      printf '#!/bin/sh\necho switch "$@"\n' > $out/bin/switch-to-configuration
      chmod +x $out/bin/switch-to-configuration
    '' ];
  };
in { inherit pkg sized nixos; }
`

// Build evaluates expr (with the fixture builders in scope) and returns its output paths,
// one per line of nix-build's output.
func (s *Store) Build(t testing.TB, expr string) []string {
	t.Helper()
	lib := filepath.Join(s.Dir, "lib.nix")
	if _, err := os.Stat(lib); err != nil {
		if err := os.WriteFile(lib, []byte(Lib), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	full := fmt.Sprintf("with import %s; %s", lib, expr)
	out := s.Run(t, "nix-build", "--no-out-link", "-E", full)
	return strings.Fields(out)
}

// Build1 is Build for an expression with one output.
func (s *Store) Build1(t testing.TB, expr string) string {
	t.Helper()
	out := s.Build(t, expr)
	if len(out) != 1 {
		t.Fatalf("expected one output from %s, got %v", expr, out)
	}
	return out[0]
}

// Install installs the packages that expr (with the fixture builders in scope) evaluates
// to into profile, as `nix-env -p PROFILE -f FILE -i` does: a real user environment.
func (s *Store) Install(t testing.TB, profile, expr string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(profile), 0o755); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(s.Dir, "lib.nix")
	if _, err := os.Stat(lib); err != nil {
		if err := os.WriteFile(lib, []byte(Lib), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(s.Dir, fmt.Sprintf("install-%d.nix", len(expr)))
	if err := os.WriteFile(file, []byte(fmt.Sprintf("with import %s; %s", lib, expr)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Run(t, "nix-env", "-p", profile, "-f", file, "-i")
}

// SetProfile makes path the next generation of profile (nix-env -p PROFILE --set PATH).
func (s *Store) SetProfile(t testing.TB, profile, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(profile), 0o755); err != nil {
		t.Fatal(err)
	}
	s.Run(t, "nix-env", "-p", profile, "--set", path)
}

// MakeReadable opens the whole tree to other users (directories 0755, files 0644), as a
// real /nix is.
func (s *Store) MakeReadable(t testing.TB) {
	t.Helper()
	s.Run(t, "chmod", "-R", "a+rX", s.Dir)
}

// RequireNobody skips t unless it runs as root with setpriv installed: AsNobody needs both
// (su and runuser would reset the environment the test sets).
func RequireNobody(t testing.TB) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to switch to nobody")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv not installed")
	}
}

// AsNobody is name with args, run as nobody (uid and gid 65534, no groups), keeping the
// environment the caller sets on it.
func AsNobody(name string, args ...string) *exec.Cmd {
	return exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", name}, args...)...)
}

// Checkpoint merges db's -wal file into it and removes -wal and -shm, as Nix leaves a
// database it has closed: the state in which another user's nix cannot read it (nix#10300).
func Checkpoint(t testing.TB, db string) {
	t.Helper()
	if out, err := exec.Command("sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE);").CombinedOutput(); err != nil {
		t.Fatalf("checkpoint: %v %s", err, out)
	}
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
}
