package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestRawProtocol speaks JSON-RPC to the server as a hostile client would, over its real
// stdio loop: a call before initialize and an unknown method get clean error answers; after
// initialize the tools answer, and a made-up "yes" argument confirms nothing. (A line that
// is not JSON-RPC at all ends the session: the SDK's transport closes on it.)
func TestRawProtocol(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin") // the policy compiler, which a fresh engine runs once
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "ask-nix-policy"), "../ask-nix-policy").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH")) // where the engine looks for its helpers
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "XDG_CACHE_HOME=" + dir + "/cache", "XDG_STATE_HOME=" + dir + "/state", "ASK_NIX_ROOT=" + dir + "/root",
		"NIX_STORE_DIR=" + dir + "/store", "NIX_STATE_DIR=" + dir + "/var", "PATH=" + bin + ":" + os.Getenv("PATH")}
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() { done <- Main(context.Background(), nil, inR, outW, &stderr, env) }()
	lines := bufio.NewScanner(outR)
	lines.Buffer(make([]byte, 1<<20), 1<<22)
	send := func(s string) { io.WriteString(inW, s+"\n") }
	reply := func() map[string]any {
		t.Helper()
		got := make(chan map[string]any, 1)
		go func() {
			for lines.Scan() {
				var v map[string]any
				if json.Unmarshal(lines.Bytes(), &v) == nil && v["id"] != nil {
					got <- v
					return
				}
			}
			got <- nil
		}()
		select {
		case v := <-got:
			return v
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer; stderr: %s", stderr.String())
			return nil
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"firefox"}}}`)
	if v := reply(); v["error"] == nil {
		t.Errorf("a call before initialize: %v", v)
	}
	send(`{"jsonrpc":"2.0","id":2,"method":"no/such/method"}`)
	if v := reply(); v["error"] == nil {
		t.Errorf("an unknown method: %v", v)
	}
	send(`{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`)
	if v := reply(); v["result"] == nil {
		t.Fatalf("initialize: %v", v)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search","arguments":{"query":"firefox","limit":1}}}`)
	if v := reply(); v["result"] == nil || !strings.Contains(fmt.Sprint(v["result"]), "firefox") {
		t.Errorf("search after initialize: %v", v)
	}
	send(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"install","arguments":{"package":"firefox","yes":true}}}`)
	if v := reply(); !strings.Contains(fmt.Sprint(v), "isError:true") {
		t.Errorf("an install with a made-up yes: %v", v)
	}
	inW.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Error("the server did not end when its input closed")
	}
}
