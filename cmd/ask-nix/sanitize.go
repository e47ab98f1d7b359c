package main

import (
	"io"
	"unicode/utf8"
)

// terminalSafe writes to a terminal without the control characters a string from outside
// could carry (an index's description, a path, a package name): C0 controls but tab and
// newline, DEL, and the C1 controls, ESC among them. Nothing ask-nix prints on purpose
// goes through it with an escape sequence (progress bars use the raw stream).
type terminalSafe struct{ w io.Writer }

func (t terminalSafe) Write(p []byte) (int, error) {
	clean := p
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		if unsafeRune(r) || r == utf8.RuneError && size == 1 {
			clean = stripControls(p)
			break
		}
		i += size
	}
	if _, err := t.w.Write(clean); err != nil {
		return 0, err
	}
	return len(p), nil
}

func unsafeRune(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f
}

func stripControls(p []byte) []byte {
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		// A byte that is not UTF-8 goes too: 0x9b alone is CSI to an 8-bit terminal, and
		// dropping a control between two such bytes must not join them into one.
		if !unsafeRune(r) && !(r == utf8.RuneError && size == 1) {
			out = append(out, p[i:i+size]...)
		}
		i += size
	}
	return out
}
