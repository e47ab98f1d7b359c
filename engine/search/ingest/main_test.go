package ingest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/search"
)

// TestMainProtocol: ask-nix-index answers with the UpdateResult on stdout and progress
// lines on stderr; a failure is one error line and exit 1; a bad command line exit 2.
func TestMainProtocol(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "packages.json")
	os.WriteFile(src, []byte(small), 0o644)
	to := filepath.Join(dir, "index")
	run := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := Main(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errOut := run("--from", src, "--to", to, "--now", "2025-09-27T10:00:00Z")
	var res search.UpdateResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Index.Packages != 2 || res.Index.Path != to {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, "progress ") {
			t.Errorf("stderr of a success: %q", errOut)
		}
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from", filepath.Join(dir, "nope"), "--to", to}, 1, "ask-nix-index: error: open "},
		{[]string{"--to", to}, 2, "ask-nix-index: error: usage: "},
		{[]string{"--bogus"}, 2, "ask-nix-index: error: flag provided but not defined"},
		{[]string{"--from", src, "--to", to, "--now", "yesterday"}, 2, "ask-nix-index: error: --now: "},
	} {
		code, out, errOut := run(c.args...)
		if code != c.code || out != "" || !strings.HasPrefix(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q…", c.args, code, out, errOut, c.code, c.want)
		}
	}
}
