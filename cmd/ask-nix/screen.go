package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// ANSI styles, written only when colour is on (a TTY without NO_COLOR, or --color always).
const (
	styleBold   = "\x1b[1m"
	styleGreen  = "\x1b[1;32m"
	styleRed    = "\x1b[1;31m"
	styleDim    = "\x1b[2m"
	styleCyan   = "\x1b[36m"
	styleYellow = "\x1b[33m"
	styleReset  = "\x1b[0m"
)

// screen lays a rendered table out for where it goes: control characters out (terminalSafe
// did that already for strings from outside), no trailing spaces, each line cut to the
// terminal's width (the last column, a description, is what gets shorter), and colour.
type screen struct {
	width int  // 0: no limit (a pipe)
	color bool // ANSI styles
}

func (s screen) write(w io.Writer, table []byte) error {
	var out bytes.Buffer
	out.Grow(len(table) + len(table)/8)
	lines := strings.Split(strings.TrimRight(string(table), "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		if s.width > 0 && runewidth.StringWidth(l) > s.width {
			l = runewidth.Truncate(l, s.width, "…")
		}
		out.WriteString(s.style(l, i == 0 && len(lines) > 1))
		out.WriteByte('\n')
	}
	if len(table) == 0 {
		return nil
	}
	_, err := w.Write(out.Bytes())
	return err
}

// style colours a line: the current generation green, the booted one marked, a table's
// header bold.
func (s screen) style(l string, first bool) string {
	if !s.color {
		return l
	}
	switch {
	case strings.HasSuffix(l, "(current)") || strings.Contains(l, "(current, booted)"):
		return styleGreen + l + styleReset
	case strings.HasSuffix(l, "(booted)"):
		return styleCyan + l + styleReset
	case first && isHeader(l):
		return styleBold + l + styleReset
	}
	return l
}

// isHeader: a line of upper-case column names ("GEN  DATE  NIXOS …").
func isHeader(l string) bool {
	f := strings.Fields(l)
	if len(f) < 2 {
		return false
	}
	for _, w := range f {
		if strings.ToUpper(w) != w {
			return false
		}
	}
	return true
}

// paint wraps s in a style when colour is on.
func (u *ui) paint(style, s string) string {
	if !u.color {
		return s
	}
	return style + s + styleReset
}
