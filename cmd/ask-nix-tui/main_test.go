package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/cmd/internal/tui"
)

func TestMain(m *testing.M) {
	if os.Getenv("ASKNIX_TUI_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestAloneIsAnError: started without ask-nix (no descriptors 3 and 4), the screen says
// so on one line and exits 2; bad flags too.
func TestAloneIsAnError(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "ask-nix-tui: error: run by ask-nix (ask-nix search -i), not alone\n"},
		{[]string{"--pipes"}, "ask-nix-tui: error: run by ask-nix (ask-nix search -i), not alone\n"},
		{[]string{"--bogus"}, "ask-nix-tui: error: flag provided but not defined: -bogus\n"},
	} {
		cmd := exec.Command(os.Args[0], c.args...)
		cmd.Env = append(os.Environ(), "ASKNIX_TUI_MAIN=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || stderr.String() != c.want {
			t.Errorf("ask-nix-tui %v: %v, stderr %q; want exit 2 and %q", c.args, err, stderr.String(), c.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"ripgrep", 10, "ripgrep"}, {"ripgrep-all", 8, "ripgrep…"}, {"äöüäöü", 4, "äöü…"}} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestRowsFitTheWindow: at 60 columns a result keeps a third of the line for its
// description, and no row runs past the window or ends in spaces.
func TestRowsFitTheWindow(t *testing.T) {
	r := tui.Result{Attr: "kdePackages.kdenlive", Version: "25.08.1", Description: "Free and open source video editor, based on MLT Framework and KDE Frameworks"}
	for _, w := range []int{40, 60, 80, 120, 200} {
		l := row(r, w)
		if n := len([]rune(l)); n > w-2 {
			t.Errorf("width %d: %d columns: %q", w, n, l)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("width %d: trailing spaces", w)
		}
		if w >= 60 && len([]rune(l))-strings.Index(l, "Free") < (w-2)/3-2 {
			t.Errorf("width %d: the description got %q", w, l[strings.Index(l, "Free"):])
		}
	}
}
