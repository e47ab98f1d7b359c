package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/engine/units"
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
	statusShown    bool     // a progress status line is on the terminal
	bars           []func() // end the progress bars shown
	warned         int      // warnings already shown (before a confirmation prompt)
}

func newUI(g Globals, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *ui {
	raw := stderr
	d := strings.ToLower(getenv("DEBUG"))
	_, noColor := os.LookupEnv("NO_COLOR")
	return &ui{g: g, stdin: stdin, stdout: stdout, stderr: stderr, rawStderr: raw, debug: g.Debug || d == "true" || d == "1", noColor: noColor || getenv("NO_COLOR") != ""}
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
		fmt.Fprintf(u.stderr, "ask-nix: warning: %s\n", w)
	}
	u.warned = len(warnings)
	fmt.Fprintln(u.stderr, "ask-nix: plan:")
	printArgv(u.stderr, plan.Argv, "  ")
	fmt.Fprintf(u.stderr, "ask-nix: %s. Proceed? [y/N] ", strings.Join(d.Reasons, "; "))
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
				if unit != "bytes" {
					desc, counters = "checking "+unit+" ", decor.CountersNoUnit("%d / %d")
				}
				p := mpb.New(mpb.WithOutput(u.rawStderr), mpb.WithWidth(40))
				bar = p.New(total, mpb.BarStyle(), mpb.BarRemoveOnComplete(),
					mpb.PrependDecorators(decor.Name(desc), counters), mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace)))
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
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, engine.ErrDenied):
		return 3
	case errors.Is(err, engine.ErrNeedsConfirm):
		return 4
	}
	return 1
}

// hint is a second line for errors a user can act on.
func hint(err error) string {
	switch {
	case errors.Is(err, engine.ErrNeedsConfirm):
		return "add --yes to confirm, or --dry-run to only see the plan"
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
				fmt.Fprintf(u.stderr, "ask-nix: denied: %s\n", r)
			}
		}
		return 3
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	msg = strings.TrimPrefix(msg, "usage: ")
	fmt.Fprintf(u.stderr, "ask-nix: error: %s\n", msg)
	if h := hint(err); h != "" && !u.g.Quiet {
		fmt.Fprintf(u.stderr, "ask-nix: hint: %s\n", h)
	}
	return exitFor(err)
}

func (u *ui) printJSON(v any) {
	enc := json.NewEncoder(u.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(u.stderr, "ask-nix: error: render: %v\n", err)
	}
}

// render prints the outcome of a request and returns the exit code.
func (u *ui) render(env *engine.Envelope, req engine.Request, explain bool, err error) int {
	envelope := explain || req.Subcommand == "" || errors.Is(err, engine.ErrDenied)
	if u.g.JSON && env != nil {
		switch {
		case envelope:
			u.printJSON(env)
		case err == nil:
			u.printJSON(env.Result)
		}
	}
	if err != nil {
		if (errors.Is(err, engine.ErrUnknownIntent) || errors.Is(err, engine.ErrTestsFailed) || errors.Is(err, engine.ErrCorrupt)) && !u.g.JSON && env != nil {
			u.text(env.Result)
		}
		if (errors.Is(err, engine.ErrTestsFailed) || errors.Is(err, engine.ErrCorrupt)) && u.g.JSON && env != nil && !envelope {
			u.printJSON(env.Result)
		}
		return u.fail(err, env)
	}
	if u.g.JSON {
		return 0
	}
	if explain {
		u.explain(env)
		return 0
	}
	u.text(env.Result)
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

func (u *ui) explain(env *engine.Envelope) {
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
		kind = "changes the system"
	}
	if env.Plan.Privileged {
		kind += ", privileged"
	}
	fmt.Fprintf(w, "plan:\t%s", kind)
	if env.Plan.Backend != "" {
		fmt.Fprintf(w, " (%s)", env.Plan.Backend)
	}
	fmt.Fprintln(w)
	printArgv(w, env.Plan.Argv, "\t  ")
	if env.Decision != nil {
		fmt.Fprintf(w, "decision:\t%s", env.Decision.Outcome)
		if len(env.Decision.Reasons) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(env.Decision.Reasons, "; "))
		}
		fmt.Fprintln(w)
	}
	w.Flush()
}

// printSources lists a system's flake inputs or channels and how old they are (config,
// update).
func printSources(w io.Writer, inputs []engine.FlakeInput, channels []engine.Channel) {
	for _, in := range inputs {
		fmt.Fprintf(w, "input %s:\t%s %s, locked %d days ago\n", in.Name, in.Ref, short(in.Rev), in.AgeDays)
	}
	for _, c := range channels {
		age := "never updated here"
		if c.AgeDays != nil {
			age = fmt.Sprintf("updated %d days ago", *c.AgeDays)
		}
		fmt.Fprintf(w, "channel %s:\t%s, %s\n", c.Name, dash(c.URL), age)
	}
}

func (u *ui) text(result any) {
	// One write for the whole table: tabwriter writes each line on its own, a system call
	// each (110 generations: ~2 ms here).
	out := bufio.NewWriterSize(u.stdout, 64<<10)
	defer out.Flush()
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	defer w.Flush()
	switch r := result.(type) {
	case *nixstore.Profile:
		fmt.Fprintf(w, "Generations of %s\n", r.Path)
		fmt.Fprintln(w, "GEN\tDATE\tNIXOS\tKERNEL\tSIZE\t")
		for _, g := range r.Generations {
			size := "-"
			if g.ClosureSize != nil {
				size = units.Bytes(*g.ClosureSize)
			}
			cur := ""
			if g.Current {
				cur = "(current)"
			}
			nixos := g.NixOSVersion
			if len(g.Specialisations) > 0 {
				nixos += " +" + strings.Join(g.Specialisations, ",")
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", g.Generation, g.Date.Format("2006-01-02 15:04:05"), dash(nixos), dash(g.KernelVersion), size, cur)
		}
	case *[]nixstore.PathInfo:
		for _, p := range *r {
			if p.ClosureSize > 0 {
				fmt.Fprintf(w, "%s\t%s\t%s\n", p.Path, units.Bytes(p.NarSize), units.Bytes(p.ClosureSize))
			} else {
				fmt.Fprintf(w, "%s\t%s\n", p.Path, units.Bytes(p.NarSize))
			}
		}
	case []nixstore.PathInfo:
		u.text(&r)
		return
	case *engine.InstalledResult:
		if len(r.Profiles) == 0 {
			fmt.Fprintln(w, "no profile found")
		}
		for _, p := range r.Profiles {
			fmt.Fprintf(w, "%s\n", p.Profile)
			if len(p.Packages) == 0 {
				fmt.Fprintln(w, "  (nothing that matches)")
			}
			for _, pkg := range p.Packages {
				fmt.Fprintf(w, "  %s\t%s\n", pkg.Name, dash(pkg.Version))
			}
		}
	case *engine.InfoResult:
		gen := "-"
		if r.CurrentGeneration != nil {
			gen = fmt.Sprint(*r.CurrentGeneration)
		}
		os := "not NixOS"
		if r.NixOS {
			os = "NixOS " + dash(r.NixOSVersion)
		}
		fmt.Fprintf(w, "system:\t%s\nkernel:\t%s\nprofile:\t%s\ngeneration:\t%s\nnixpkgs:\t%s\n", os, dash(r.KernelVersion), r.Profile, gen, dash(r.NixpkgsRevision))
	case *engine.DiskResult:
		fmt.Fprintf(w, "store:\t%d paths, %s\n", r.Store.Paths, units.Bytes(r.Store.NarBytes))
		fmt.Fprintf(w, "filesystem:\t%s free of %s (%s)\n", units.Bytes(r.Filesystem.FreeBytes), units.Bytes(r.Filesystem.TotalBytes), r.Filesystem.Path)
		fmt.Fprintf(w, "reclaimable:\t%s (garbage collection)\n", units.Bytes(r.ReclaimableBytes))
	case *engine.ConfigResult:
		fmt.Fprintf(w, "configuration:\t%s (%s)\n", r.Path, r.Kind)
		for _, f := range r.Files {
			fmt.Fprintf(w, "\t%s\n", f)
		}
		printSources(w, r.Inputs, r.Channels)
	case engine.SearchResult:
		if len(r.Results) == 0 {
			fmt.Fprintf(w, "no packages match %q\n", r.Query)
		}
		for _, p := range r.Results {
			fmt.Fprintf(w, "%s\t%s\t%s\n", p.Attr, p.Version, truncate(p.Description, 70))
		}
	case engine.OptionsSearchResult:
		if len(r.Results) == 0 {
			fmt.Fprintf(w, "no options match %q\n", r.Query)
		}
		for _, o := range r.Results {
			fmt.Fprintf(w, "%s\t%s\t%s\n", o.Name, truncate(o.Type, 24), truncate(o.Description, 60))
		}
	case cache.Stats:
		fmt.Fprintf(w, "entries:\t%d\nhits:\t%d\nmisses:\t%d\nhit ratio:\t%.2f\npath:\t%s\nttl:\t%ds\n", r.Entries, r.Hits, r.Misses, r.HitRatio, dash(r.Path), r.TTLSeconds)
	case *engine.DiffResult:
		if r.ToPath != "" {
			fmt.Fprintf(w, "%s: generation %d → %s\n", r.Profile, r.From, r.ToPath)
		} else {
			fmt.Fprintf(w, "%s: generation %d → %d\n", r.Profile, r.From, r.To)
		}
		for _, a := range r.Added {
			fmt.Fprintf(w, "  %s:\t∅ → %s\n", a.Name, a.Version)
		}
		for _, x := range r.Removed {
			fmt.Fprintf(w, "  %s:\t%s → ∅\n", x.Name, x.Version)
		}
		for _, c := range r.Changed {
			fmt.Fprintf(w, "  %s:\t%s → %s\n", c.Name, c.From, c.To)
		}
		sign := "+"
		if r.ClosureSizeDelta < 0 {
			sign = "-"
		}
		fmt.Fprintf(w, "closure size: %s%s\n", sign, units.Bytes(uint64(max(r.ClosureSizeDelta, -r.ClosureSizeDelta))))
	case engine.UpdateResult:
		if r.Executed {
			fmt.Fprintln(w, "updated:")
		} else {
			fmt.Fprintln(w, "an update would run (add --yes to apply):")
		}
		printArgv(w, r.Plan.Argv, "  ")
		if r.Diff != nil {
			w.Flush()
			u.text(r.Diff)
		}
		printSources(w, r.Inputs, r.Channels)
	case engine.PackageResult:
		verb := "installed"
		if r.Action == "remove" {
			verb = "removed"
		}
		fmt.Fprintf(w, "%s %s (%s)\n", verb, r.Package, r.Profile)
	case engine.CleanupResult:
		fmt.Fprintf(w, "%s: deleted generations %v, kept %v\n", r.Profile, r.Deleted, r.Kept)
		fmt.Fprintf(w, "freed %s (predicted %s)\n", units.Bytes(r.ReportedFreedBytes), units.Bytes(r.FreedBytes))
	case engine.RollbackResult:
		fmt.Fprintf(w, "%s: generation %d → %d\n", r.Profile, r.From, r.To)
	case engine.MutationResult:
		fmt.Fprintln(w, "dry run: nothing was changed. The plan:")
		printArgv(w, r.Plan.Argv, "  ")
	case policy.TestReport:
		for _, t := range r.Results {
			status := "PASS"
			if !t.Pass {
				status = "FAIL"
			}
			fmt.Fprintf(w, "%s\t%s.%s\t%s\t%s\n", status, t.Package, t.Name, t.Duration, t.Error)
		}
		fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
	case search.UpdateResult:
		fmt.Fprintf(w, "index updated: %d packages from %s in %.1fs (%s)\n", r.Index.Packages, r.Index.Source, r.Seconds, r.Index.Path)
	case engine.CacheClearResult:
		fmt.Fprintf(w, "cache cleared (%s)\n", dash(r.Path))
	case engine.PolicyCompileResult:
		fmt.Fprintf(w, "compiled policy plan written to %s\n", r.Path)
	case engine.HelpResult:
		fmt.Fprintln(w, "ask-nix understands plain words. For example:")
		for _, h := range r.Actions {
			fmt.Fprintf(w, "  %s\t%s\n", h.Examples[0], h.Summary)
		}
		fmt.Fprintln(w, "\nSubcommands and flags: ask-nix --help")
	case engine.Suggestions:
		fmt.Fprintf(w, "Understood: %s. Did you mean:\n", r.Understood)
		for _, s := range r.Suggestions {
			fmt.Fprintf(w, "  %s\n", s)
		}
	case []rules.Module:
		if len(r) == 0 {
			fmt.Fprintln(w, "no rule modules (put *.wasm files in /etc/ask-nix/rules or ~/.config/ask-nix/rules)")
			return
		}
		fmt.Fprintln(w, "NAME\tSIZE\tTRIGGERS\tLOAD\tSTATUS\tPATH")
		for _, m := range r {
			trig := "(every request)"
			if len(m.Triggers) > 0 {
				trig = strings.Join(m.Triggers, ",")
				if len(trig) > 40 {
					trig = trig[:37] + "..."
				}
			}
			load := "-"
			if m.LoadTime > 0 {
				load = ms(m.LoadTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, units.Bytes(uint64(m.Size)), trig, load, m.Status, m.Path)
		}
	case engine.RulesTestResult:
		if r.Proposal == nil {
			fmt.Fprintf(w, "%s: no match (%s)\n", r.Module.Name, ms(r.ElapsedNanos))
			return
		}
		args, _ := json.Marshal(r.Proposal.Args)
		fmt.Fprintf(w, "%s proposes: %s %s (confidence %.2f, %s)\n", r.Module.Name, r.Proposal.Action, args, r.Proposal.Confidence, ms(r.ElapsedNanos))
		if r.Decision != nil {
			fmt.Fprintf(w, "policy decision: %s", r.Decision.Outcome)
			if len(r.Decision.Reasons) > 0 {
				fmt.Fprintf(w, ": %s", strings.Join(r.Decision.Reasons, "; "))
			}
			fmt.Fprintln(w)
		}
	case []nixstore.Verified:
		bad := 0
		for _, v := range r {
			if !v.OK {
				bad++
				why := "hash mismatch: expected " + v.Expected + ", got " + v.Actual
				if v.Error != "" {
					why = v.Error
				}
				fmt.Fprintf(w, "CORRUPT\t%s\t%s\n", v.Path, why)
			}
		}
		fmt.Fprintf(w, "%d store paths checked, %d corrupted\n", len(r), bad)
	case []engine.ErrorRecord:
		if len(r) == 0 {
			fmt.Fprintln(w, "no errors recorded")
		}
		for _, e := range r {
			fmt.Fprintf(w, "%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"), e.Request, e.Error)
		}
	default:
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintln(w, string(b))
	}
}

// printArgv writes each command of a plan on a line of its own.
func printArgv(w io.Writer, plan [][]string, indent string) {
	for _, argv := range plan {
		fmt.Fprintf(w, "%s%s\n", indent, strings.Join(argv, " "))
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
