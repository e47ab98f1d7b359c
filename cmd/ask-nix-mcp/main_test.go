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

// TestInspectorClient drives `ask-nix mcp` on a real-Nix fixture with a client nobody
// here wrote: the MCP Inspector's CLI mode, from the npm registry (.ci/mcp, installed by
// .ci/run, which sets ASKNIX_MCP_INSPECTOR). Without it the test skips, except under CI.
func TestInspectorClient(t *testing.T) {
	inspector := os.Getenv("ASKNIX_MCP_INSPECTOR")
	if inspector == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("ASKNIX_MCP_INSPECTOR is not set: .ci/run installs the MCP Inspector (.ci/mcp)")
		}
		t.Skip("ASKNIX_MCP_INSPECTOR not set (cd .ci/mcp && npm ci; export ASKNIX_MCP_INSPECTOR=$PWD/node_modules/.bin/mcp-inspector)")
	}
	nixtest.Require(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	for _, p := range []string{"ask-nix", "ask-nix-mcp", "ask-nix-policy"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, p), "../"+p).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", p, err, out)
		}
	}
	os.MkdirAll(filepath.Join(dir, "nix"), 0o755)
	s := nixtest.NewStore(t, filepath.Join(dir, "nix"))
	prof := filepath.Join(dir, "nix", "profiles", "gens")
	for _, p := range s.Build(t, `[ (pkg "one-1" []) (pkg "two-1" []) ]`) {
		s.SetProfile(t, prof, p)
	}
	home := filepath.Join(dir, "home")
	env := append(s.Env, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_RUNTIME_DIR=", "ASK_NIX_ROOT="+filepath.Join(dir, "root"), "USER=tester")
	inspect := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(inspector, append([]string{"--cli", filepath.Join(bin, "ask-nix"), "mcp"}, args...)...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			t.Fatalf("inspector %v: %v\n%s\n%s", args, err, out, msg)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("inspector %v printed no JSON object: %v\n%s", args, err, out)
		}
		return v
	}
	toolText := func(v map[string]any) string {
		var b strings.Builder
		for _, c := range v["content"].([]any) {
			b.WriteString(c.(map[string]any)["text"].(string))
		}
		return b.String()
	}
	call := func(tool string, args ...string) (map[string]any, bool) {
		a := []string{"--method", "tools/call", "--tool-name", tool}
		for _, x := range args {
			a = append(a, "--tool-arg", x)
		}
		v := inspect(a...)
		isErr, _ := v["isError"].(bool)
		return v, isErr
	}

	tools := inspect("--method", "tools/list")["tools"].([]any)
	if len(tools) < 16 {
		t.Errorf("tools/list: %d tools", len(tools))
	}
	if v, isErr := call("search", "query=firefox"); isErr || v["structuredContent"].(map[string]any)["results"].([]any)[0].(map[string]any)["attr"] != "firefox" {
		t.Errorf("search: %v", v)
	}
	v, isErr := call("generations", "profile="+prof)
	gens, _ := v["structuredContent"].(map[string]any)["generations"].([]any)
	if isErr || len(gens) != 2 || gens[0].(map[string]any)["current"] != true {
		t.Errorf("generations: %v", v)
	}
	if v, isErr = call("explain", "text=install firefox"); isErr || !strings.Contains(toolText(v), `"outcome":"confirm"`) {
		t.Errorf("explain: %v", v)
	}
	if v, isErr = call("ask", "text=install firefox && rm -rf /"); !isErr || !strings.Contains(toolText(v), "denied by policy: Security: dangerous pattern detected") {
		t.Errorf("a denied ask: %v", v)
	}
	// The Inspector cannot ask its user: an install is refused, with the plan, and nothing runs.
	if v, isErr = call("install", "package=hello"); !isErr || !strings.Contains(toolText(v), "confirmation needed") || !strings.Contains(toolText(v), "nix-env") {
		t.Errorf("install without elicitation: %v", v)
	}
	if _, err := os.Lstat(filepath.Join(home, ".nix-profile")); err == nil {
		t.Error("the install ran")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "state", "ask-nix", "audit.jsonl")); err == nil {
		t.Errorf("commands ran:\n%s", b)
	}
}
