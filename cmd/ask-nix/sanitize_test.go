package main

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"firefox\t128.0\tA web browser\n", "firefox\t128.0\tA web browser\n"},
		{"evil\x1b[2J\x1b]0;owned\x07 description\n", "evil[2J]0;owned description\n"},
		{"c1\u009b31m red\u0085\n", "c131m red\n"},
		{"nul\x00 del\x7f bs\x08 cr\r\n", "nul del bs cr\n"},
		{"café 🎵 редактор\n", "café 🎵 редактор\n"},
	} {
		var b bytes.Buffer
		n, err := terminalSafe{&b}.Write([]byte(tc.in))
		if err != nil || n != len(tc.in) || b.String() != tc.want {
			t.Errorf("%q: wrote %q (%d, %v), want %q", tc.in, b.String(), n, err, tc.want)
		}
	}
}

// FuzzTerminalSafe: whatever comes in, nothing that reaches the terminal is a control
// character but tab and newline.
func FuzzTerminalSafe(f *testing.F) {
	f.Add([]byte("a\x1b[2Jb\u009bc"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		terminalSafe{&b}.Write(in)
		for out := b.Bytes(); len(out) > 0; {
			r, size := utf8.DecodeRune(out)
			if unsafeRune(r) || r == utf8.RuneError && size == 1 {
				t.Fatalf("%q reached the terminal from %q", r, in)
			}
			out = out[size:]
		}
	})
}
