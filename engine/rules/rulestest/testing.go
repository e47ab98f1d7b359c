// Package rulestest builds rule modules for tests: Go guests with the SDK
// (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared) and WAT modules with Debian's wat2wasm,
// each with an asknix.triggers section appended when given words.
package rulestest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/rules"
)

// TB is the part of testing.TB the builders use (so TestMain can pass a stand-in).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// BuildGo builds the Go package pkg (an import path or ./dir relative to the module root
// moduleDir) to out.
func BuildGo(t TB, moduleDir, pkg, out string, triggers []string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	addTriggers(t, out, triggers)
}

// GoTriggers runs the rule package natively with -triggers (the examples' convention) and
// returns the words it prints.
func GoTriggers(t TB, moduleDir, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "run", pkg, "-triggers")
	cmd.Dir = moduleDir
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run %s -triggers: %v", pkg, err)
	}
	return strings.Fields(string(b))
}

// BuildWAT assembles the WAT file src to out with wat2wasm.
func BuildWAT(t TB, src, out string, triggers []string) {
	t.Helper()
	RequireWAT(t)
	if b, err := exec.Command("wat2wasm", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm %s: %v\n%s", src, err, b)
	}
	addTriggers(t, out, triggers)
}

// TriggersOf reads the ";; triggers: a b c" line of a WAT file (nil when absent).
func TriggersOf(t TB, src string) []string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), ";; triggers:"); ok {
			return strings.Fields(rest)
		}
	}
	return nil
}

// BuildWATDir assembles every *.wat of dir into out (NAME.wasm), with the triggers each
// file declares; *.notwasm files are copied as NAME.wasm unchanged.
func BuildWATDir(t TB, dir, out string) []string {
	t.Helper()
	var names []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, e := range ents {
		src := filepath.Join(dir, e.Name())
		switch {
		case strings.HasSuffix(e.Name(), ".wat"):
			name := strings.TrimSuffix(e.Name(), ".wat")
			BuildWAT(t, src, filepath.Join(out, name+".wasm"), TriggersOf(t, src))
			names = append(names, name)
		case strings.HasSuffix(e.Name(), ".notwasm"):
			name := strings.TrimSuffix(e.Name(), ".notwasm")
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if err := os.WriteFile(filepath.Join(out, name+".wasm"), b, 0o644); err != nil {
				t.Fatalf("%v", err)
			}
			names = append(names, name)
		}
	}
	return names
}

// T adapts TestMain, which has no testing.T, to TB: a failure panics.
type T struct{}

func (T) Helper() {}
func (T) Fatalf(format string, args ...any) {
	panic("rulestest: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

var _ TB = T{}
var _ TB = (*testing.T)(nil)

func addTriggers(t TB, out string, triggers []string) {
	t.Helper()
	if len(triggers) == 0 {
		return
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%v", err)
	}
	b, err = rules.AppendTriggers(b, triggers)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatalf("%v", err)
	}
}

// HaveWAT reports whether wat2wasm is installed.
func HaveWAT() bool {
	_, err := exec.LookPath("wat2wasm")
	return err == nil
}

// RequireWAT skips t without wat2wasm (Debian package wabt), except under CI, where .ci/run
// installs it and its absence is a broken set-up.
func RequireWAT(t TB) {
	t.Helper()
	if HaveWAT() {
		return
	}
	if s, ok := t.(interface{ Skip(...any) }); ok && os.Getenv("CI") == "" {
		s.Skip("wat2wasm not installed (apt-get install wabt)")
	}
	t.Fatalf("wat2wasm (Debian package wabt) is needed")
}
