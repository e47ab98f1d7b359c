package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	mangokong "github.com/alecthomas/mango-kong"
	"github.com/muesli/roff"

	"github.com/asknix/ask-nix/cmd/internal/setup"
	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/runner"
	"github.com/asknix/ask-nix/internal/executor"
)

// version and commit are stamped by the build (-ldflags "-X main.version=… -X main.commit=…").
var (
	version = "0.1.0-dev"
	commit  = ""
)

func versionString() string {
	c := commit
	if c == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					c = s.Value[:12]
				}
			}
		}
	}
	if c == "" {
		return "ask-nix " + version
	}
	return fmt.Sprintf("ask-nix %s (%s)", version, c)
}

// buildID identifies this binary for the cache: its version, or in a development build
// the executable's size and modification time.
func buildID() string {
	id := versionString()
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf("/%d/%d", st.Size(), st.ModTime().UnixNano())
		}
	}
	return id
}

// Globals are accepted before or after the subcommand. (Exported so that parse can build a
// struct type holding it by reflection.)
type Globals struct {
	JSON        bool             `help:"Print one JSON object on stdout."`
	ShowMetrics bool             `help:"Print per-phase timings on stderr."`
	Debug       bool             `help:"Explain what ask-nix does on stderr (also DEBUG=true)."`
	Quiet       bool             `short:"q" help:"Print only results and errors."`
	Yes         bool             `short:"y" help:"Confirm mutating actions in advance."`
	DryRun      bool             `help:"Show the plan; never change anything."`
	NoCache     bool             `help:"Neither read nor write the result cache."`
	Profile     string           `help:"Profile: system, user or a profile path." placeholder:"system|user|PATH"`
	Config      string           `help:"Settings file, read instead of ~/.config/ask-nix/config.toml." type:"path" placeholder:"FILE"`
	PolicyDir   []string         `help:"More user policy directories (repeatable)." type:"path" placeholder:"DIR"`
	RulesDir    []string         `help:"More WASM rule directories (repeatable)." type:"path" placeholder:"DIR"`
	Color       string           `help:"Colour: auto (on a terminal, unless NO_COLOR is set), always or never." enum:"auto,always,never" default:"auto"`
	Version     kong.VersionFlag `help:"Print the version and exit."`
}

type cli struct {
	Globals

	Ask         askCmd         `cmd:"" default:"withargs" hidden:"" help:"Ask in plain words."`
	Search      searchCmd      `cmd:"" help:"Search packages (or NixOS options) offline."`
	Install     pkgCmd         `cmd:"" help:"Install a package into your profile (plan first)."`
	Remove      pkgCmd         `cmd:"" help:"Remove a package from your profile (plan first)."`
	Installed   installedCmd   `cmd:"" help:"What is installed, with versions."`
	Generations generationsCmd `cmd:"" help:"List generations with sizes and NixOS versions."`
	Diff        diffCmd        `cmd:"" help:"What changed between two generations."`
	Rollback    rollbackCmd    `cmd:"" help:"Switch back to a previous generation."`
	Cleanup     cleanupCmd     `cmd:"" help:"Delete old generations and collect garbage, showing the space it frees first."`
	Update      updateCmd      `cmd:"" help:"What an update would change; --yes applies it."`
	Disk        noArgs         `cmd:"" help:"Store size, free space and what a cleanup would reclaim."`
	Info        noArgs         `cmd:"" help:"NixOS version, kernel, current generation."`
	Config      noArgs         `cmd:"" name:"config" help:"Where your system configuration is."`
	PathInfo    pathInfoCmd    `cmd:"" name:"path-info" help:"Store-object info, read natively."`
	Verify      verifyCmd      `cmd:"" help:"Recompute NAR hashes natively and compare with the store database."`
	Explain     askCmd         `cmd:"" help:"Intent, plan and decision for TEXT, executing nothing."`
	Cache       cacheCmd       `cmd:"" help:"The result cache."`
	Errors      errorsCmd      `cmd:"" help:"Recent errors."`
	Policy      policyCmd      `cmd:"" help:"Test policies, or show the decision for a request."`
	Index       indexCmd       `cmd:"" help:"The package index."`
	Rules       rulesCmd       `cmd:"" help:"WASM intent rule modules: list them, or try one on TEXT."`
	Help        noArgs         `cmd:"" help:"This list."`
	Completion  completionCmd  `cmd:"" help:"Print a shell completion script (bash, zsh or fish)."`
	Man         noArgs         `cmd:"" hidden:"" help:"Print the ask-nix(1) man page (roff), generated from these commands."`
	Mcp         noArgs         `cmd:"" name:"mcp" help:"Serve the Model Context Protocol on stdin/stdout: agent mode for AI assistants (runs ask-nix-mcp)."`
}

type askCmd struct {
	Text []string `arg:"" optional:"" help:"What you want, in plain words."`
}
type searchCmd struct {
	Query       []string `arg:"" optional:"" help:"Search words."`
	Interactive bool     `short:"i" help:"Search as you type; enter installs the selected package."`
	Limit       int      `help:"At most this many results (default 20, or defaults.search_limit in config.toml)."`
	Options     bool     `help:"Search NixOS options instead of packages."`
	Details     string   `help:"Show one package in full: its homepage, main program and long description." placeholder:"ATTR"`
}
type pkgCmd struct {
	Package string `arg:"" help:"Package attribute name."`
}
type installedCmd struct {
	Package string `arg:"" optional:"" help:"Only this package."`
}
type generationsCmd struct {
	NoSizes bool `help:"Skip closure sizes (the fast path)."`
}
type diffCmd struct {
	From *int `arg:"" optional:"" help:"Older generation."`
	To   *int `arg:"" optional:"" help:"Newer generation."`
}
type rollbackCmd struct {
	To *int `help:"Generation to switch to."`
}
type cleanupCmd struct {
	Keep      *int   `help:"Keep the N newest generations."`
	OlderThan string `help:"Delete generations older than this (30d, 12h)." placeholder:"D"`
}
type pathInfoCmd struct {
	ClosureSize bool     `short:"S" name:"closure-size" help:"Add closure sizes."`
	Paths       []string `arg:"" help:"Store paths or links into the store."`
}
type updateCmd struct {
	To string `help:"A system (or profile content) already built: show its package diff against the current generation; --yes switches to it." placeholder:"STORE-PATH"`
}
type verifyCmd struct {
	Paths []string `arg:"" optional:"" help:"Store paths or links into the store."`
}
type noArgs struct{}
type errorsCmd struct {
	Limit int `help:"At most this many errors, newest first (default 20)."`
}
type indexCmd struct {
	Update indexUpdateCmd `cmd:"" help:"(re)build the package index, with a progress bar."`
}
type indexUpdateCmd struct {
	Options bool   `help:"The source is NixOS's options.json: update the options index."`
	From    string `help:"A packages.json(.br|.zst) file, nix search --json or nix-env -qaP --json --meta output, or an http(s) URL of one." placeholder:"FILE|URL"`
}
type policyCmd struct {
	Test    policyTestCmd    `cmd:"" help:"Run the Rego tests of the policies in force."`
	Eval    askCmd           `cmd:"" help:"Show the policy decision for TEXT, executing nothing."`
	Compile policyCompileCmd `cmd:"" help:"Compile the default and administrator policies for every user."`
}
type policyCompileCmd struct {
	Out string `required:"" type:"path" help:"Directory to write the compiled plan into." placeholder:"DIR"`
}
type policyTestCmd struct {
	Dirs []string `arg:"" optional:"" type:"path" help:"More directories of policies and tests."`
}
type rulesCmd struct {
	List noArgs       `cmd:"" help:"Installed WASM rule modules."`
	Test rulesTestCmd `cmd:"" help:"Ask one rule module about TEXT and show the policy's decision."`
}
type rulesTestCmd struct {
	Module string   `arg:"" type:"path" help:"The .wasm module."`
	Text   []string `arg:"" help:"A request in plain words."`
}
type cacheCmd struct {
	Stats noArgs `cmd:"" help:"Result cache statistics."`
	Clear noArgs `cmd:"" help:"Clear the result cache."`
}

// exitCode is how kong's Exit reaches run without exiting the process.
type exitCode int

// errUsage is a command line kong could not parse.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	getenv := func(k string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(environ[i], k+"="); ok {
				return v
			}
		}
		return ""
	}
	c, kctx, code, err := parse(args, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ask-nix: error: %s\n", strings.TrimPrefix(err.Error(), "usage: "))
		fmt.Fprintf(stderr, "ask-nix: hint: run 'ask-nix %s--help' for usage\n", commandWord(args))
		return code
	}
	if kctx == nil {
		return code // --help or --version
	}
	if kctx.Command() == "man" {
		// The man page is this binary's own command model, as completion is.
		fmt.Fprint(stdout, mangokong.NewManPage(1, kctx.Model).Build(roff.NewDocument()))
		return 0
	}
	if strings.HasPrefix(kctx.Command(), "completion") {
		// Like --help, it prints what this binary accepts and runs nothing.
		writeCompletion(stdout, kctx.Model, c.Completion.Shell)
		return 0
	}
	if kctx.Command() == "mcp" {
		return execMCP(c.Globals, environ, stderr)
	}
	ui := newUI(c.Globals, stdin, stdout, stderr, getenv)
	req, explain, err := buildRequest(c, kctx, args)
	if err != nil {
		return ui.fail(err, nil)
	}
	o, err := engineOptions(c.Globals, environ, getenv, ui.debugf)
	if err != nil && req.Subcommand == "help" {
		// Help needs no settings: a broken config.toml must not hide it.
		fmt.Fprintf(stderr, "ask-nix: warning: %v (help is shown without the settings)\n", err)
		if c.JSON {
			ui.printJSON(engine.Help())
			return 0
		}
		ui.text(engine.Help())
		return 0
	}
	if err != nil {
		return ui.fail(err, nil)
	}
	tLoad := time.Now()
	o.Progress, o.ProgressItems, o.NixProgress = ui.progress("bytes"), ui.progress("paths"), ui.nixProgress()
	o.Args = args
	eng, err := engine.New(ctx, o)
	if err != nil {
		return ui.fail(err, nil)
	}
	load := time.Since(tLoad)
	defer eng.Close()
	if ui.interactive() {
		req.Confirm = ui.confirm
	}
	if c.Search.Interactive && req.Subcommand == "search" {
		in, _ := stdin.(*os.File)
		errOut, _ := stderr.(*os.File)
		if !ui.interactive() || !isTTY(stdout) || in == nil || errOut == nil {
			return ui.fail(fmt.Errorf("%w: search -i needs a terminal", errUsage), nil)
		}
		pkg, err := interactiveSearch(ctx, eng, strings.Join(c.Search.Query, " "), in, stdout.(*os.File), errOut, !ui.noColor)
		if err != nil || pkg == "" {
			if err != nil {
				return ui.fail(err, nil)
			}
			return 0
		}
		req = engine.Request{Text: "install " + pkg, Subcommand: "install", Args: map[string]any{"package": pkg}, Yes: c.Yes, DryRun: c.DryRun, Confirm: ui.confirm}
	}
	env, err := eng.Handle(ctx, req)
	ui.clearStatus()
	if err != nil && ctx.Err() != nil {
		err = interrupted(err)
	}
	if !c.Quiet {
		if env != nil {
			for _, w := range env.Warnings[min(ui.warned, len(env.Warnings)):] {
				ui.say(styleYellow, "warning", w)
			}
		}
		if w := eng.IndexAgeWarning(); w != "" && !errors.Is(err, engine.ErrDenied) {
			ui.say(styleYellow, "warning", w) // a denial is the whole answer
		}
	}
	if err != nil {
		eng.LogError(req.Text, err) // decisions (denied, confirmation needed) are not errors
	}
	t := time.Now()
	code = ui.render(env, req, explain, err)
	if c.ShowMetrics {
		ui.metrics(env, load, time.Since(t))
	}
	if ctx.Err() != nil {
		return 130
	}
	return code
}

// interrupted rewords an error caused by Ctrl-C: what was running (the engine says), not
// a library's words about cancelled contexts.
func interrupted(err error) error {
	var in *runner.InterruptedError
	if errors.As(err, &in) {
		return in
	}
	return errInterrupted{}
}

// errInterrupted is Ctrl-C before any command ran (exit 130).
type errInterrupted struct{}

func (errInterrupted) Error() string { return "interrupted" }
func (errInterrupted) Unwrap() error { return context.Canceled }

// buildRequest turns the parsed command line into an engine request.
func buildRequest(c *cli, kctx *kong.Context, args []string) (engine.Request, bool, error) {
	req := engine.Request{Yes: c.Yes, DryRun: c.DryRun, Profile: c.Profile}
	cmd := kctx.Command()
	sub := strings.Fields(strings.ReplaceAll(cmd, "<", " <"))
	name := ""
	if len(sub) > 0 {
		name = sub[0]
	}
	typed := strings.Join(positional(args), " ")
	withProfile := func(a map[string]any) map[string]any {
		if c.Profile != "" {
			a["profile"] = c.Profile
		}
		return a
	}
	switch name {
	case "policy":
		if sub[1] == "eval" {
			req.Text = strings.Join(c.Policy.Eval.Text, " ")
			if strings.TrimSpace(req.Text) == "" {
				return req, false, fmt.Errorf("%w: policy eval needs TEXT", errUsage)
			}
			req.Explain, req.ShowInput = true, true
			return req, true, nil
		}
		if sub[1] == "compile" {
			req.Text, req.Subcommand = typed, "policy-compile"
			req.Args = map[string]any{"out": c.Policy.Compile.Out}
			return req, false, nil
		}
		req.Text, req.Subcommand = typed, "policy-test"
		req.Args = map[string]any{"dirs": c.Policy.Test.Dirs}
		return req, false, nil
	case "ask", "explain", "":
		text := c.Ask.Text
		if name == "explain" {
			text = c.Explain.Text
		}
		req.Text = strings.Join(text, " ")
		if strings.TrimSpace(req.Text) == "" {
			if name == "explain" {
				return req, false, fmt.Errorf("%w: explain needs TEXT", errUsage)
			}
			req.Subcommand, req.Text, req.Args = "help", "help", map[string]any{}
		}
		req.Explain = name == "explain"
		return req, req.Explain, nil
	}
	req.Text = typed
	a := map[string]any{}
	switch name {
	case "search":
		req.Subcommand = "search"
		a["query"] = strings.Join(c.Search.Query, " ")
		if c.Search.Details != "" {
			a["details"] = c.Search.Details
		}
		if strings.TrimSpace(a["query"].(string)) == "" && !c.Search.Interactive && c.Search.Details == "" {
			return req, false, fmt.Errorf("%w: search needs a query (or -i to search as you type)", errUsage)
		}
		if c.Search.Limit != 0 {
			a["limit"] = c.Search.Limit
		}
		if c.Search.Options {
			a["options"] = true
		}
	case "install", "remove":
		req.Subcommand = name
		p := c.Install.Package
		if name == "remove" {
			p = c.Remove.Package
		}
		a["package"] = p
	case "installed":
		req.Subcommand = name
		if c.Installed.Package != "" {
			a["package"] = c.Installed.Package
		}
		withProfile(a)
	case "generations":
		req.Subcommand = name
		if c.Generations.NoSizes {
			a["no_sizes"] = true
		}
		withProfile(a)
	case "diff":
		req.Subcommand = name
		if c.Diff.From != nil {
			a["from"] = *c.Diff.From
		}
		if c.Diff.To != nil {
			a["to"] = *c.Diff.To
		}
		withProfile(a)
	case "rollback":
		req.Subcommand = name
		if c.Rollback.To != nil {
			a["generation"] = *c.Rollback.To
		}
		withProfile(a)
	case "cleanup":
		req.Subcommand = name
		if c.Cleanup.Keep != nil {
			a["keep"] = *c.Cleanup.Keep
		}
		if c.Cleanup.OlderThan != "" {
			a["older_than"] = c.Cleanup.OlderThan // its shape is judged by the policy (bad-duration)
		}
		withProfile(a)
	case "update":
		req.Subcommand = name
		if c.Update.To != "" {
			a["new_system"] = c.Update.To
		}
		withProfile(a)
	case "errors":
		req.Subcommand = name
		if c.Errors.Limit != 0 {
			a["limit"] = c.Errors.Limit
		}
	case "disk", "info", "config", "help":
		req.Subcommand = name
	case "path-info", "verify":
		req.Subcommand = name
		var paths []string
		given := c.PathInfo.Paths
		if name == "verify" {
			given = c.Verify.Paths
		}
		for _, p := range given {
			if abs, err := filepath.Abs(p); err == nil && !strings.HasPrefix(p, "/") {
				p = abs
			}
			paths = append(paths, p)
		}
		a["paths"] = paths
		if c.PathInfo.ClosureSize {
			a["closure_size"] = true
		}
	case "cache":
		req.Subcommand = "cache-" + sub[1]
	case "rules":
		req.Subcommand = "rules-" + sub[1]
		if sub[1] == "test" {
			a["module"] = c.Rules.Test.Module
			a["text"] = strings.Join(c.Rules.Test.Text, " ")
		}
	case "index":
		req.Subcommand = "index-update"
		from := c.Index.Update.From
		if from != "" && !strings.Contains(from, "://") {
			if abs, err := filepath.Abs(from); err == nil {
				from = abs
			}
		}
		a["source"] = from
		if c.Index.Update.Options {
			a["options"] = true
		}
	default:
		return req, false, fmt.Errorf("%w: unknown command %q", errUsage, name)
	}
	req.Args = a
	return req, false, nil
}

// positional drops global flags from args, leaving the command line as typed.
func positional(args []string) []string {
	var out []string
	skipNext := false
	for _, a := range args {
		if skipNext {
			skipNext = false
			continue
		}
		switch a {
		case "--profile", "--config", "--policy-dir", "--rules-dir", "--color":
			skipNext = true
			continue
		case "--json", "--show-metrics", "--debug", "--quiet", "-q", "--yes", "-y", "--dry-run", "--no-cache":
			continue
		}
		if strings.HasPrefix(a, "--profile=") || strings.HasPrefix(a, "--color=") || strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "--policy-dir=") || strings.HasPrefix(a, "--rules-dir=") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// engineOptions builds the engine's options from the global flags.
func engineOptions(g Globals, environ []string, getenv func(string) string, debugf func(string, ...any)) (engine.Options, error) {
	return setup.EngineOptions(setup.Flags{Config: g.Config, PolicyDir: g.PolicyDir, RulesDir: g.RulesDir, NoCache: g.NoCache,
		DryRun: g.DryRun, Yes: g.Yes, Profile: g.Profile}, environ, getenv, debugf, buildID())
}

// execMCP replaces ask-nix with ask-nix-mcp, the MCP server (SPEC §12), with the global
// flags that shape the engine: the server keeps stdin and stdout for the protocol.
func execMCP(g Globals, environ []string, stderr io.Writer) int {
	helper, err := executor.Beside("the MCP server", "ask-nix-mcp", environ)
	if err != nil {
		fmt.Fprintf(stderr, "ask-nix: error: %v\n", err)
		return 1
	}
	args := []string{helper}
	if g.Config != "" {
		args = append(args, "--config", g.Config)
	}
	for _, d := range g.PolicyDir {
		args = append(args, "--policy-dir", d)
	}
	for _, d := range g.RulesDir {
		args = append(args, "--rules-dir", d)
	}
	if g.NoCache {
		args = append(args, "--no-cache")
	}
	if g.Profile != "" {
		args = append(args, "--profile", g.Profile)
	}
	if g.Debug {
		args = append(args, "--debug")
	}
	err = executor.Exec(args, environ)
	fmt.Fprintf(stderr, "ask-nix: error: start %s: %v\n", helper, err)
	return 1
}

// commandWord is the subcommand args name followed by a space ("diff "), or "".
func commandWord(args []string) string {
	name, ok := commandField(args)
	if !ok || name == "" || name == "Ask" {
		return ""
	}
	f, _ := reflect.TypeFor[cli]().FieldByName(name)
	return kongName(f) + " "
}
