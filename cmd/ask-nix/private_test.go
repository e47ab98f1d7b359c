package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// TestRootIgnoresAnotherUsersFiles: root running with another user's XDG variables (su
// without -, sudo -E) reads and writes nothing of that user's: not the result cache, not
// the compiled-code cache, not the state directory's logs, not their settings and
// policies. What nobody planted stays as it was, and a symlinked cache directory makes
// root create nothing where it points.
func TestRootIgnoresAnotherUsersFiles(t *testing.T) {
	nixtest.RequireNobody(t)
	bin := testBinary(t)
	base, err := os.MkdirTemp("", "ask-nix-private-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	evil := filepath.Join(base, "nobody")
	secret := filepath.Join(base, "root-only")
	for _, d := range []string{evil, secret, filepath.Join(base, "roothome")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(evil, 0o755)
	if err := os.Chown(evil, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(base, "root-file")
	os.WriteFile(target, []byte("root's\n"), 0o600)
	// What nobody plants, as nobody.
	plant := `set -e
cd "$EVIL"
mkdir -p run cache/ask-nix/wasm state/ask-nix config/ask-nix/policies
printf PLANTED > cache/ask-nix/wasm/planted
ln -s "$SECRET" run/ask-nix
ln -s "$TARGET" state/ask-nix/errors.jsonl
printf 'package asknix.user\n\ndeny contains {"id": "planted", "msg": "planted policy"} if true\n' > config/ask-nix/policies/planted.rego
printf '[defaults]\nelevation = "/tmp/evil-elevation"\n' > config/ask-nix/config.toml
`
	cmd := nixtest.AsNobody("sh", "-c", plant)
	cmd.Env = append(os.Environ(), "EVIL="+evil, "SECRET="+secret, "TARGET="+target)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("planting as nobody: %v\n%s", err, out)
	}
	env := append(os.Environ(), "HOME="+filepath.Join(base, "roothome"), "USER=root",
		"XDG_RUNTIME_DIR="+filepath.Join(evil, "run"), "XDG_CACHE_HOME="+filepath.Join(evil, "cache"),
		"XDG_STATE_HOME="+filepath.Join(evil, "state"), "XDG_CONFIG_HOME="+filepath.Join(evil, "config"),
		"XDG_DATA_HOME="+filepath.Join(evil, "data"), "ASK_NIX_ROOT="+filepath.Join(base, "root"),
		"NIX_STATE_DIR="+filepath.Join(base, "var"), "NIX_STORE_DIR="+filepath.Join(base, "store"))
	runRoot := func(args ...string) (string, int) {
		c := exec.Command(bin, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	out, code := runRoot("--debug", "search", "firefox")
	if code != 0 || strings.Contains(out, "planted policy") {
		t.Errorf("search as root with nobody's directories: exit %d\n%s", code, out)
	}
	for _, d := range []string{"run", "cache", "state", "config"} {
		if !strings.Contains(out, "not using "+filepath.Join(evil, d)) {
			t.Errorf("--debug does not say why %s is not used:\n%s", d, out)
		}
	}
	// A change that fails is logged, and a plan shows the elevation in force.
	if out, code = runRoot("rollback", "--to", "5", "--profile", filepath.Join(base, "none"), "--yes"); code != 1 {
		t.Errorf("rollback of a missing profile: exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(target); string(b) != "root's\n" {
		t.Errorf("root appended to the file nobody's link pointed at: %q", b)
	}
	if ents, _ := os.ReadDir(secret); len(ents) != 0 {
		t.Errorf("root wrote into the directory nobody's link pointed at: %v", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(evil, "cache", "ask-nix", "wasm", "planted")); string(b) != "PLANTED" {
		t.Errorf("the planted compiled code changed: %q", b)
	}
	for _, d := range []string{"cache/ask-nix/policy", "cache/ask-nix/index", "run/ask-nix/results.gob"} {
		if _, err := os.Lstat(filepath.Join(evil, d)); err == nil {
			t.Errorf("root wrote %s into nobody's directory", d)
		}
	}
}

// TestPlanBesideABinaryOutsideTheStoreIsNotRead: a copy of ask-nix under /tmp with a
// share/ask-nix/plans beside it (which any user can make there) is not a plan location,
// even when root owns it; only the store path the binary really lives in is.
func TestPlanBesideABinaryOutsideTheStoreIsNotRead(t *testing.T) {
	nixtest.RequireNobody(t)
	src := testBinary(t)
	dir := t.TempDir()
	for _, d := range []string{"bin", "share/ask-nix/plans"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	for _, name := range []string{"ask-nix", "ask-nix-policy"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(src), name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "bin", name), b, 0o755)
	}
	env := append(os.Environ(), "HOME="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "ASK_NIX_ROOT="+filepath.Join(dir, "root"))
	// A real compiled plan of the defaults, as a package ships it: were the directory a
	// plan location, it would be read.
	c := exec.Command(filepath.Join(dir, "bin", "ask-nix"), "policy", "compile", "--out", filepath.Join(dir, "share/ask-nix/plans"))
	c.Env = env
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("policy compile: %v\n%s", err, out)
	}
	c = exec.Command(filepath.Join(dir, "bin", "ask-nix"), "--debug", "policy", "eval", "help")
	c.Env = env
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(string(out), "shared in "+filepath.Join(dir, "share")) {
		t.Errorf("a plan beside a binary outside the store was read:\n%s", out)
	}
}
