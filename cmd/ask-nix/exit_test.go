package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/asknix/ask-nix/engine"
)

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestResultThatCannotBeWritten: a full disk or a closed file is an error (exit 1), a reader
// that closed the pipe early ends ask-nix quietly (SPEC §10).
func TestResultThatCannotBeWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		json bool
		err  error
		code int
	}{
		{"full disk, json", true, syscall.ENOSPC, 1},
		{"full disk, text", false, syscall.ENOSPC, 1},
		{"closed pipe, json", true, syscall.EPIPE, 0},
		{"closed pipe, text", false, syscall.EPIPE, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			u := newUI(Globals{JSON: tc.json}, strings.NewReader(""), failWriter{tc.err}, &stderr, func(string) string { return "" })
			env := &engine.Envelope{Result: engine.Help()}
			code := u.render(env, engine.Request{Subcommand: "help"}, false, nil)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if tc.code == 1 && !strings.HasPrefix(stderr.String(), "ask-nix: error: writing the result: ") {
				t.Errorf("stderr %q", stderr.String())
			}
		})
	}
}

// TestExitCodes maps the engine's errors to SPEC §10's codes in the one switch.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{nil, 0},
		{fmt.Errorf("%w: older than \"5x\"", engine.ErrUsage), 2},
		{engine.ErrCancelled, 4},
		{fmt.Errorf("%w: x", engine.ErrNeedsConfirm), 4},
		{&engine.DeniedError{}, 3},
		{&engine.NotInstalledError{Package: "x", Profile: "/p"}, 1},
		{&engine.UnmanagedError{Profile: "/p", What: "a NixOS system profile"}, 1},
		{fmt.Errorf("/p %w", engine.ErrProfileChanged), 1},
		{errors.New("anything else"), 1},
	} {
		if got := exitFor(tc.err); got != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.err, got, tc.code)
		}
	}
	var stderr strings.Builder
	u := newUI(Globals{}, strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	if code := u.fail(engine.ErrCancelled, nil); code != 4 || stderr.String() != "ask-nix: cancelled, nothing changed\n" {
		t.Errorf("declined: exit %d, %q", code, stderr.String())
	}
}

// TestBoundsAreUsageErrors: numbers and durations are parsed once, with bounds; out of
// bounds or malformed, in a sentence too, is a usage error (exit 2) naming the form, and
// nothing runs (SPEC §10). Nothing wraps: "older than 10^20 days" never means "no filter".
func TestBoundsAreUsageErrors(t *testing.T) {
	bin, record := standIns(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"rollback to generation 99999999999999999999"},
		{"rollback to generation -3"},
		{"rollback to generation 0x1f"},
		{"delete generations older than 99999999999999999999 days"},
		{"delete generations older than 400000 days"},
		{"remove generations older than 999999999999 months"},
		{"keep the last -2 generations"},
		{"cleanup", "--older-than", "5x"},
		{"cleanup", "--older-than", "36526d"},
		{"cleanup", "--older-than", "876625h"},
		{"cleanup", "--keep", "-1"},
		{"rollback", "--to", "0"},
		{"rollback", "--to", "-5"},
		{"search", "firefox", "--limit", "10001"},
		{"search", "firefox", "--limit", "9223372036854775807"},
		{"install", ""},
	} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"--yes"}, args...), strings.NewReader(""), &stdout, &stderr, isolatedEnv(dir, bin))
		if code != 2 || !strings.HasPrefix(stderr.String(), "ask-nix: error: ") {
			t.Errorf("%q: exit %d, want 2\n%s", args, code, stderr.String())
		}
	}
	if b, err := os.ReadFile(record); err == nil {
		t.Errorf("programs were run:\n%s", b)
	}
}
