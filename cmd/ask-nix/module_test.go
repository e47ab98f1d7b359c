package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/internal/shareddata"
	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// TestModuleUnderModuleSystem evaluates nixosModules.default with lib.evalModules from
// nixpkgs' own lib (../shared/data/nixpkgs-lib), beside declarations of the NixOS options it
// sets (nix/tests/module-eval.nix), and builds the /etc/ask-nix trees it produces with this
// ask-nix: option types, defaults, merging of two definitions, mkIf, the timer, .package.
func TestModuleUnderModuleSystem(t *testing.T) {
	nixtest.Require(t)
	libPath := shareddata.Path(t, "nixpkgs-lib/lib")
	src := testBinary(t)
	pkg := filepath.Join(t.TempDir(), "pkg")
	os.Chmod(filepath.Dir(pkg), 0o755)
	os.MkdirAll(filepath.Join(pkg, "bin"), 0o755)
	for _, p := range []string{"ask-nix", "ask-nix-policy"} {
		if err := os.Symlink(filepath.Join(filepath.Dir(src), p), filepath.Join(pkg, "bin", p)); err != nil {
			t.Fatal(err)
		}
	}
	store := nixtest.NewStore(t, "") // its own store: builds land there, not in /nix
	nix := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, append(args, "../../nix/tests/module-eval.nix", "--arg", "libPath", libPath, "--argstr", "askNix", pkg)...)
		cmd.Env = store.Env
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	eval := func(attr string) string {
		t.Helper()
		out, err := nix("nix-instantiate", "--eval", "--strict", "-A", attr)
		if err != nil {
			t.Fatalf("%s: %v\n%s", attr, err, out)
		}
		return out
	}
	for attr, want := range map[string]string{
		"disabledProducesNothing": "true",
		"enabledPackage":          `[ "ask-nix" ]`,
		"enabledTimer":            `[ "timers.target" ]`,
		"enabledService":          `"oneshot"`,
		"noTimerUnlessAsked":      "true",
		"mergedPolicies":          "2",
		"overriddenPackage":       `[ "ask-nix-other" ]`,
	} {
		if got := eval(attr); !strings.HasSuffix(got, want) {
			t.Errorf("%s = %s, want %s", attr, got, want)
		}
	}
	// A wrongly typed setting fails evaluation, naming the option.
	if out, err := nix("nix-instantiate", "-A", "badTypeEtc"); err == nil || !strings.Contains(out, "programs.ask-nix.settings.cache.ttl") {
		t.Errorf("a string for cache.ttl: %v\n%s", err, out)
	}
	build := func(attr string) string {
		t.Helper()
		out, err := nix("nix-build", "--no-out-link", "-A", attr)
		if err != nil {
			t.Fatalf("nix-build -A %s: %v\n%s", attr, err, out)
		}
		lines := strings.Split(out, "\n")
		return lines[len(lines)-1]
	}
	etc := build("enabledEtc")
	if b, err := os.ReadFile(filepath.Join(etc, "config.toml")); err != nil || !strings.Contains(string(b), "ttl = 60") {
		t.Errorf("config.toml: %v\n%s", err, b)
	}
	for _, f := range []string{"policies", "rules", "plans", "mcp.json"} {
		if _, err := os.Stat(filepath.Join(etc, f)); err != nil {
			t.Errorf("/etc/ask-nix/%s: %v", f, err)
		}
	}
	merged := build("mergedEtc")
	for _, f := range []string{"policy-0.rego", "policy-1.rego"} {
		b, err := os.ReadFile(filepath.Join(merged, "policies", f))
		if err != nil {
			t.Errorf("the merged policies lack %s: %v", f, err)
			continue
		}
		if !strings.Contains(string(b), "from-module-") {
			t.Errorf("%s: %s", f, b)
		}
	}
}
