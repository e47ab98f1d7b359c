package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/asknix/ask-nix/cmd/internal/setup"
	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/internal/executor"
	"github.com/asknix/ask-nix/nixstore"
)

// ui renders results and errors in one style: "ask-nix: error: …", "ask-nix: hint: …".
type ui struct {
	g              Globals
	stdin          io.Reader
	stdout, stderr io.Writer
	rawStderr      io.Writer // for the TTY check
	debug          bool
	noColor        bool
	color          bool      // ANSI styles on stdout and stderr
	width          int       // the terminal's width, 0 when stdout is no terminal
	rawStdout      io.Writer // stdout without terminalSafe, for laid-out tables
	statusShown    bool      // a progress status line is on the terminal
	bars           []func()  // end the progress bars shown
	warned         int       // warnings already shown (before a confirmation prompt)
}

func newUI(g Globals, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *ui {
	raw, rawOut := stderr, stdout
	if isTTY(stdout) {
		stdout = terminalSafe{stdout}
	}
	if isTTY(stderr) {
		stderr = terminalSafe{stderr}
	}
	d := strings.ToLower(getenv("DEBUG"))
	_, noColorSet := os.LookupEnv("NO_COLOR")
	noColor := noColorSet || getenv("NO_COLOR") != ""
	u := &ui{g: g, stdin: stdin, stdout: stdout, stderr: stderr, rawStderr: raw, rawStdout: rawOut, debug: g.Debug || d == "true" || d == "1", noColor: noColor}
	switch g.Color {
	case "always":
		u.color = true
	case "auto", "":
		u.color = !noColor && isTTY(rawOut) && getenv("TERM") != "dumb"
	}
	u.noColor = !u.color
	if isTTY(rawOut) {
		u.width = termWidth(rawOut)
	}
	// ASK_NIX_COLUMNS sets the width where there is no terminal (tests, screenshots).
	if n, err := strconv.Atoi(getenv("ASK_NIX_COLUMNS")); err == nil && n > 0 {
		u.width = n
	}
	return u
}

func (u *ui) debugf(format string, args ...any) {
	if u.debug {
		fmt.Fprintf(u.stderr, "ask-nix: debug: "+format+"\n", args...)
	}
}

func isTTY(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func termWidth(v any) int {
	if f, ok := v.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			return w
		}
	}
	return 0
}

// clearStatus removes a progress status line before anything else is printed.
func (u *ui) clearStatus() {
	for _, end := range u.bars {
		end()
	}
	u.bars = nil
	if u.statusShown {
		fmt.Fprint(u.rawStderr, "\r\x1b[K")
		u.statusShown = false
	}
}

func (u *ui) interactive() bool { return isTTY(u.stdin) && isTTY(u.rawStderr) }

// confirm asks on the terminal; only "y" or "yes" confirms.
func (u *ui) confirm(plan engine.Plan, d policy.Decision, warnings []string) bool {
	for _, w := range warnings {
		u.say(styleYellow, "warning", w)
	}
	u.warned = len(warnings)
	fmt.Fprintln(u.stderr, "ask-nix: plan:")
	plan.Describe(u.stderr, "  ")
	fmt.Fprintf(u.stderr, "ask-nix: %s.\n", strings.Join(d.Reasons, "; "))
	fmt.Fprint(u.rawStderr, u.paint(styleBold, "Proceed? [y/N]")+" ")
	line, _ := bufio.NewReader(u.stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

// progress renders the progress of long operations on stderr: a bar on a terminal, JSON
// lines with --json, nothing otherwise. unit is "bytes" or what the items are ("paths").
func (u *ui) progress(unit string) func(done, total int64) {
	switch {
	case u.g.JSON:
		enc := json.NewEncoder(u.stderr)
		return func(done, total int64) {
			enc.Encode(map[string]any{"progress": map[string]any{"done": done, "total": total, "unit": unit}})
		}
	case isTTY(u.rawStderr) && !u.g.Quiet:
		var bar *mpb.Bar
		return func(done, total int64) {
			if bar == nil {
				desc := "reading "
				counters := decor.Counters(decor.SizeB1024(0), "% .1f / % .1f")
				rate := decor.AverageSpeed(decor.SizeB1024(0), " % .1f", decor.WCSyncSpace)
				if unit != "bytes" {
					desc, counters = "checking "+unit+" ", decor.CountersNoUnit("%d / %d")
				}
				p := mpb.New(mpb.WithOutput(u.rawStderr), mpb.WithWidth(40))
				appended := []decor.Decorator{decor.Percentage(decor.WCSyncSpace)}
				if unit == "bytes" {
					appended = append(appended, rate)
				}
				bar = p.New(total, mpb.BarStyle(), mpb.BarRemoveOnComplete(),
					mpb.PrependDecorators(decor.Name(desc), counters), mpb.AppendDecorators(appended...))
				u.bars = append(u.bars, func() { // ends the bar before anything else is printed
					if !bar.Completed() {
						bar.Abort(true)
					}
					p.Wait()
				})
			}
			if total > 0 {
				bar.SetTotal(total, false)
			}
			bar.SetCurrent(done)
			if total > 0 && done >= total {
				bar.SetTotal(total, true)
			}
		}
	}
	return nil
}

// nixProgress renders the live progress of Nix commands: one rewritten status line on a
// terminal (cleared when the step ends), JSON lines with --json, nothing otherwise.
func (u *ui) nixProgress() func(step string, p nixlog.Progress) {
	switch {
	case u.g.JSON:
		enc := json.NewEncoder(u.stderr)
		return func(step string, p nixlog.Progress) {
			enc.Encode(map[string]any{"progress": map[string]any{"step": step, "nix": p, "summary": p.Summary()}})
		}
	case isTTY(u.rawStderr) && !u.g.Quiet:
		return func(step string, p nixlog.Progress) {
			line := step
			if s := p.Summary(); s != "" {
				line += ": " + s
			}
			if w := termWidth(u.rawStderr); w > 10 && len([]rune(line)) > w-1 {
				line = string([]rune(line)[:w-2]) + "…"
			}
			fmt.Fprintf(u.rawStderr, "\r\x1b[K%s", line)
			u.statusShown = true
		}
	}
	return nil
}

// exitFor is the one place errors become SPEC §10's exit codes.
func exitFor(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		return 130
	case errors.Is(err, errUsage), errors.Is(err, engine.ErrUsage), errors.Is(err, setup.ErrUsage):
		return 2
	case errors.Is(err, engine.ErrDenied):
		return 3
	case errors.Is(err, engine.ErrNeedsConfirm), errors.Is(err, engine.ErrCancelled):
		return 4
	}
	return 1
}

// hint is a second line for errors a user can act on.
func hint(err error) string {
	switch {
	case errors.Is(err, engine.ErrNeedsConfirm):
		return "add --yes to confirm, or --dry-run to only see the plan"
	case errors.Is(err, engine.ErrProfileChanged):
		return "another command changed the profile while ask-nix was planning; nothing was changed"
	case errors.Is(err, nixstore.ErrNotProfile):
		return "use --profile system, --profile user or the path of a profile (a link such as ~/.nix-profile)"
	case errors.Is(err, nixstore.ErrNoDatabase), errors.Is(err, nixstore.ErrNoNix):
		return "is Nix installed? NIX_STORE_DIR and NIX_STATE_DIR choose another store"
	case errors.Is(err, engine.ErrUnknownIntent):
		return "try 'ask-nix help' for what ask-nix understands"
	case errors.Is(err, policy.ErrPolicy):
		return "fix or remove the policy file; 'ask-nix policy test' checks policies"
	case errors.Is(err, executor.ErrNoHelper):
		return "install ask-nix with its helper programs: go install github.com/asknix/ask-nix/cmd/...@latest (or use the flake's package)"
	}
	// Errors that know what to do say it (a corrupted path, the network, a permission).
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// fail prints err and returns its exit code.
func (u *ui) fail(err error, env *engine.Envelope) int {
	var denied *engine.DeniedError
	if errors.As(err, &denied) {
		// One line per distinct reason; reasons of one id that differ only in detail
		// (each shell operator found) are shown once, the first.
		seen := map[string]bool{}
		for _, r := range denied.Decision.Reasons {
			key, _, _ := strings.Cut(r, " (")
			if !seen[key] {
				seen[key] = true
				u.say(styleRed, "denied", r)
			}
		}
		if env != nil && slices.Contains(denied.Decision.IDs, "raw-command") && !u.g.Quiet {
			if way := askNixWay(env.Request.Text); way != "" {
				u.say(styleDim, "hint", way)
			}
		}
		return 3
	}
	if errors.Is(err, engine.ErrCancelled) {
		fmt.Fprintln(u.stderr, "ask-nix: cancelled, nothing changed")
		return exitFor(err)
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	msg = strings.TrimPrefix(msg, "usage: ")
	u.say(styleRed, "error", msg)
	if h := hint(err); h != "" && !u.g.Quiet {
		u.say(styleDim, "hint", h)
	}
	return exitFor(err)
}

func (u *ui) printJSON(v any) error {
	enc := json.NewEncoder(u.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// render prints the outcome of a request and returns the exit code. A result that cannot
// be written is an error (exit 1), but a reader that closed the pipe early (| head) ends
// ask-nix quietly (SPEC §10).
func (u *ui) render(env *engine.Envelope, req engine.Request, explain bool, err error) int {
	envelope := explain || req.Subcommand == "" || errors.Is(err, engine.ErrDenied)
	var werr error
	if u.g.JSON && env != nil {
		switch {
		case envelope:
			werr = u.printJSON(env)
		case err == nil:
			werr = u.printJSON(env.Result)
		case env.Result != nil && (errors.Is(err, engine.ErrTestsFailed) || errors.Is(err, engine.ErrCorrupt)):
			werr = u.printJSON(env.Result)
		}
	}
	if err != nil {
		if (errors.Is(err, engine.ErrTestsFailed) || errors.Is(err, engine.ErrCorrupt)) && !u.g.JSON && env != nil {
			u.text(env.Result)
		}
		if errors.Is(err, engine.ErrUnknownIntent) && env != nil {
			// One message: what was understood, and what to try.
			if s, ok := env.Result.(engine.Suggestions); ok {
				u.say(styleRed, "error", "not understood: "+s.Understood)
				if !u.g.Quiet {
					u.say(styleDim, "hint", "try "+strings.Join(quoteEach(s.Suggestions), " or "))
				}
				return exitFor(err)
			}
		}
		return u.fail(err, env)
	}
	if !u.g.JSON {
		if explain {
			werr = u.explain(env)
		} else {
			werr = u.text(env.Result)
		}
	}
	if werr != nil {
		if errors.Is(werr, syscall.EPIPE) {
			return 0
		}
		return u.fail(fmt.Errorf("writing the result: %w", werr), env)
	}
	return 0
}

func (u *ui) metrics(env *engine.Envelope, load, render time.Duration) {
	if env == nil {
		return
	}
	m := env.Metrics
	c := m.Cache
	if c == "" {
		c = "none"
	}
	fmt.Fprintf(u.stderr, "ask-nix: metrics: load=%s parse=%s rules=%s policy=%s backend=%s render=%s cache=%s\n",
		ms(load), ms(m.Parse), ms(m.Rules), ms(m.Policy), ms(m.Backend), ms(render), c)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d.Microseconds())/1000) }

func (u *ui) explain(env *engine.Envelope) error {
	w := tabwriter.NewWriter(u.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "request:\t%s\n", env.Request.Text)
	args, _ := json.Marshal(env.Intent.Args)
	fmt.Fprintf(w, "intent:\t%s %s (rule %s, confidence %.2f)\n", env.Intent.Action, args, env.Intent.Rule, env.Intent.Confidence)
	for _, c := range env.Candidates[min(1, len(env.Candidates)):] {
		a, _ := json.Marshal(c.Args)
		fmt.Fprintf(w, "  also:\t%s %s (rule %s, confidence %.2f)\n", c.Action, a, c.Rule, c.Confidence)
	}
	kind := "reads only"
	if env.Plan.Mutates {
		kind = "changes " + env.Plan.Profile
	}
	if env.Plan.Privileged {
		kind += ", privileged"
	}
	fmt.Fprintf(w, "plan:\t%s", kind)
	if env.Plan.Backend != "" {
		fmt.Fprintf(w, " (%s)", env.Plan.Backend)
	}
	fmt.Fprintln(w)
	env.Plan.Describe(w, "\t  ")
	if env.Plan.Error != "" {
		fmt.Fprintf(w, "\t  cannot be planned: %s\n", env.Plan.Error)
	}
	if env.Plan.Note != "" {
		fmt.Fprintf(w, "\t  %s\n", env.Plan.Note)
	}
	if env.Decision != nil {
		fmt.Fprintf(w, "decision:\t%s", env.Decision.Outcome)
		if len(env.Decision.Reasons) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(env.Decision.Reasons, "; "))
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}

// text renders a result for a person: each result type renders itself.
func (u *ui) text(result engine.Result) error {
	if result == nil {
		return nil
	}
	// One write for the whole table: tabwriter writes each line on its own, a system call
	// each (110 generations: ~2 ms here). The table is then laid out for the screen.
	var table bytes.Buffer
	w := tabwriter.NewWriter(terminalSafe{&table}, 0, 4, 2, ' ', 0)
	if wr, ok := result.(engine.WidthRenderer); ok {
		wr.RenderWidth(w, u.width)
	} else {
		result.Render(w)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	width := 0
	if _, ok := result.(engine.Table); ok {
		width = u.width
	}
	return screen{width: width, color: u.color}.write(u.rawStdout, table.Bytes())
}

// say writes one message line, "ask-nix: KIND: text", its label in style when colour is
// on; the text is written through the sanitising writer.
func (u *ui) say(style, kind, text string) {
	fmt.Fprint(u.rawStderr, u.paint(style, "ask-nix: "+kind+":")+" ")
	fmt.Fprintln(u.stderr, text)
}

func quoteEach(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = "'" + s + "'"
	}
	return out
}
