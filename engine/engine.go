// Package engine owns ask-nix's pipeline (SPEC §1): text or subcommand → intent (built-in
// recogniser) → plan → Rego decision → backend → result, with the otter cache in front of
// the backend. It never prints: commands render what it returns.
package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/runner"
	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/nixstore"
	"golang.org/x/text/unicode/norm"
)

// Errors mapped to SPEC §10's exit codes by the command.
var (
	ErrDenied          = errors.New("denied by policy")       // exit 3
	ErrNeedsConfirm    = errors.New("confirmation needed")    // exit 4
	ErrUnknownIntent   = errors.New("request not understood") // exit 1
	ErrNotImplemented  = errors.New("not implemented yet")    // exit 1
	ErrInvalidArgument = errors.New("invalid argument")       // exit 1
	ErrTestsFailed     = errors.New("policy tests failed")    // exit 1
)

// DeniedError carries the policy's messages.
type DeniedError struct{ Decision policy.Decision }

func (e *DeniedError) Error() string {
	if len(e.Decision.Reasons) == 0 {
		return "denied by policy"
	}
	return e.Decision.Reasons[0]
}

func (e *DeniedError) Unwrap() error { return ErrDenied }

// User is the input document's "user".
type User struct {
	UID    int      `json:"uid"`
	Name   string   `json:"name"`
	Root   bool     `json:"root"`
	Groups []string `json:"groups"`
}

// Options configure an Engine. The command fills them from flags and the environment.
type Options struct {
	Host       nixstore.Host
	User       User
	Enhanced   bool     // LUMINOUS_NIX_ENHANCED
	NixEnv     []string // environment of nix commands
	CacheTTL   time.Duration
	CacheDirs  []string
	NoCache    bool
	Policy     policy.Options
	IndexPaths []string
	// OptionsPaths are the options index's files ($XDG_DATA_HOME/ask-nix/options, …).
	OptionsPaths []string
	// IndexCacheDirs keep the embedded index decompressed between runs ($XDG_CACHE_HOME/ask-nix).
	IndexCacheDirs []string
	StateDir       string         // $XDG_STATE_HOME/ask-nix: errors.jsonl, audit.jsonl
	Config         map[string]any // effective settings, for the policy input
	Debugf         func(format string, args ...any)
	Now            func() time.Time
	// Build identifies the binary; cached results of another build are not used.
	Build string
	// Elevation runs privileged steps: "sudo" (default), "doas" or "run0".
	Elevation string
	// DefaultProfile applies to actions that take a profile when neither --profile nor the
	// request names one (config defaults.profile).
	DefaultProfile string
	// SearchLimit is the number of search results when the request gives none (default 20).
	SearchLimit int
	// IndexWarnDays: a search answered by an older index warns; 0 never warns.
	IndexWarnDays int
	// Rules are the WASM rule modules (SPEC §7): directories, compilation cache, limits.
	Rules rules.Options
	// Progress receives the progress of long operations (index update): bytes done and
	// the total, -1 when unknown.
	Progress func(done, total int64)
	// MinFreeBytes: a change on a store filesystem with less free space warns, with what a
	// cleanup would free; 0 never warns.
	MinFreeBytes uint64
	// RetryDelays are the waits between attempts of a Nix command that failed for the
	// network (default 1 s, 2 s, 4 s).
	RetryDelays []time.Duration
	// Args is the command line as typed, for hints that say what to run again.
	Args []string
	// NixProgress receives the live progress of a Nix command of a plan (parsed from
	// --log-format internal-json); step names the command ("[1/2] nix-env -iA …").
	NixProgress func(step string, p nixlog.Progress)
	// ProgressItems receives the progress of operations counted in items (verify: paths).
	ProgressItems func(done, total int64)
	// Record sees each argv the executor starts for a request (tests compare it with the
	// plan).
	Record func(argv []string)
}

// Engine runs requests. Create one per process with New; Close saves the cache.
type Engine struct {
	o       Options
	policy  *policy.Engine
	cache   *cache.Cache
	backend nixstore.Backend
	index   *search.Index
	rules   *rules.Host
	runner  *runner.Runner
}

// New compiles the policies (once per process) and opens the cache.
func New(ctx context.Context, o Options) (*Engine, error) {
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	p, err := policy.Load(ctx, o.Policy)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Fallback != "":
		o.Debugf("policy: evaluated by OPA through %s (%s)", policy.HelperName, p.Fallback)
	case p.Cached && p.CachedFrom == o.Policy.CacheDir:
		o.Debugf("policy: compiled plan from the cache (%s)", p.CachedFrom)
	case p.Cached:
		o.Debugf("policy: compiled plan shared in %s", p.CachedFrom)
	default:
		o.Debugf("policy: compiled by %s", policy.HelperName)
	}
	e := &Engine{o: o, policy: p, runner: runner.New(runner.Options{
		Env: o.NixEnv, StateDir: o.StateDir, Now: o.Now, Debugf: o.Debugf, RetryDelays: o.RetryDelays,
		Args: o.Args, Progress: o.NixProgress, Record: o.Record,
	})}
	if !o.NoCache {
		e.cache = cache.Open(o.CacheDirs, o.CacheTTL, o.Debugf)
	} else {
		o.Debugf("cache bypassed (--no-cache)")
	}
	ro := o.Rules
	ro.Debugf = o.Debugf
	if e.cache != nil {
		ro.Cache, ro.Stamp = buildCache{e.cache, o.Build}, cache.Stamp
	}
	e.rules = rules.New(ro)
	return e, nil
}

// Close saves the cache and closes the store backend.
func (e *Engine) Close() error {
	var errs []error
	if err := e.cache.Save(); err != nil {
		e.o.Debugf("%v", err)
	}
	if e.backend != nil {
		errs = append(errs, e.backend.Close())
	}
	errs = append(errs, e.rules.Close(context.Background()))
	return errors.Join(errs...)
}

// Request is what the user asked.
type Request struct {
	Text       string         // as typed: the sentence, or the subcommand's command line
	Subcommand string         // the subcommand's action, "" for natural language
	Args       map[string]any // the subcommand's arguments
	Profile    string         // --profile, applied to actions that take a profile
	Explain    bool           // evaluate only
	ShowInput  bool           // with Explain: the result is the policy input document
	Yes        bool           // confirmed in advance (--yes)
	DryRun     bool
	// Source is "cli" (default) or "mcp"; Client names the MCP client (SPEC §12).
	Source, Client string
	// NixProgress, when set, receives this request's live progress instead of
	// Options.NixProgress (an MCP call's progress notifications).
	NixProgress func(step string, p nixlog.Progress)
	// Confirm asks the user interactively; nil when there is no TTY.
	// It is shown the warnings so far (low disk space, an unknown package) first.
	Confirm func(plan Plan, d policy.Decision, warnings []string) bool
}

// RequestDoc is the envelope's "request".
type RequestDoc struct {
	Text       string `json:"text"`
	Subcommand bool   `json:"subcommand,omitempty"`
	Source     string `json:"source"`
	Client     string `json:"client,omitempty"`
	// Folded is the text after NFKC when that differs (fullwidth "；" is ";"): the policy
	// looks for shell operators in it too (SPEC §6).
	Folded string `json:"folded,omitempty"`
}

// Plan says what an action will do, computed before anything runs (SPEC §3 "plan"): the
// exact commands, and for changes what they select. The policy judges it; Run does it.
type Plan struct {
	Mutates    bool       `json:"mutates"`
	Privileged bool       `json:"privileged"`
	Argv       [][]string `json:"argv"`
	Backend    string     `json:"backend,omitempty"`
	// Profile is the profile the action reads or changes; ProfileKind how it is managed
	// (install/remove: "nix-env" or "nix-profile").
	Profile     string `json:"profile,omitempty"`
	ProfileKind string `json:"profileKind,omitempty"`
	Package     string `json:"package,omitempty"`
	// From is the profile's current generation when planned; To the one a rollback
	// switches to.
	From *int `json:"from,omitempty"`
	To   *int `json:"to,omitempty"`
	// Deleted and Kept are a cleanup's generations, PredictedFreedBytes the sum of narSize
	// of the store paths the deletion leaves unreachable (SPEC §3).
	Deleted             []int   `json:"deleted,omitempty"`
	Kept                []int   `json:"kept,omitempty"`
	PredictedFreedBytes *uint64 `json:"predictedFreedBytes,omitempty"`
	// Paths are the store paths a read resolved its arguments to.
	Paths []string `json:"paths,omitempty"`
	// Note says why a change has nothing to do ("already at generation 3").
	Note string `json:"note,omitempty"`
	// Error is why planning failed; nothing runs (SPEC §3).
	Error string `json:"error,omitempty"`

	// state is the profile as planned (profileState); a change stops when it moved since.
	state string
	// dead are the store paths a cleanup's deletion leaves unreachable, with their sizes.
	dead map[string]uint64
}

// Metrics are per-phase timings (--show-metrics).
type Metrics struct {
	Parse, Rules, Policy, Backend time.Duration
	Cache                         string // "hit", "miss" or "off"
}

// Envelope is SPEC §3's object.
type Envelope struct {
	Request  RequestDoc       `json:"request"`
	Intent   intent.Intent    `json:"intent"`
	Plan     Plan             `json:"plan"`
	Decision *policy.Decision `json:"decision"`
	Result   Result           `json:"result"`
	// Candidates are every intent proposed for a natural-language request, best first,
	// when a rule module proposed one (SPEC §7 merging); the first is Intent.
	Candidates []intent.Intent `json:"candidates,omitempty"`
	// Warnings are things the user should know that do not stop the request, such as a
	// package name the index does not know ("did you mean").
	Warnings []string `json:"warnings,omitempty"`
	Metrics  Metrics  `json:"-"`

	args     Args // the intent's arguments as the action checked them
	progress func(step string, p nixlog.Progress)
}

// PolicyInput builds SPEC §6's input document for env.
func (e *Engine) PolicyInput(env *Envelope) map[string]any {
	groups := e.o.User.Groups
	if groups == nil {
		groups = []string{}
	}
	cfg := e.o.Config
	if cfg == nil {
		cfg = map[string]any{}
	}
	return map[string]any{
		"request": env.Request,
		"intent":  env.Intent,
		"plan":    env.Plan,
		"user": map[string]any{
			"uid": e.o.User.UID, "name": e.o.User.Name, "root": e.o.User.Root, "groups": groups,
		},
		"host": map[string]any{
			"nixos": e.o.Host.IsNixOS(), "store_dir": e.o.Host.Store.StoreDir, "time": e.o.Now().Format(time.RFC3339),
		},
		"config": cfg,
	}
}

// ErrCancelled is a confirmation declined at the prompt (exit 4): nothing changed.
var ErrCancelled = errors.New("cancelled, nothing changed")

// ErrProfileChanged is a profile that moved between the plan and the run.
var ErrProfileChanged = errors.New("changed since the plan; run again")

// Handle runs one request through the pipeline: intent, plan, policy, run. The returned
// envelope is filled as far as the request got, also when an error is returned.
func (e *Engine) Handle(ctx context.Context, req Request) (*Envelope, error) {
	env := &Envelope{Request: RequestDoc{Text: req.Text, Subcommand: req.Subcommand != "", Source: cmp.Or(req.Source, "cli"), Client: req.Client}}
	if f := norm.NFKC.String(req.Text); f != req.Text {
		env.Request.Folded = f
	}
	t0 := time.Now()
	if req.Subcommand != "" {
		args := req.Args
		if args == nil {
			args = map[string]any{}
		}
		env.Intent = intent.Intent{Action: req.Subcommand, Args: args, Rule: "builtin", Confidence: 1}
		env.Metrics.Parse = time.Since(t0)
	} else {
		env.Metrics.Parse = time.Since(t0)
		t1 := time.Now()
		env.Intent = e.recognize(ctx, env, req.Text)
		env.Metrics.Rules = time.Since(t1)
	}
	if env.Intent.Args == nil {
		env.Intent.Args = map[string]any{}
	}
	act, known := LookupAction(env.Intent.Action)
	if known && act.Profile != "" {
		switch {
		case req.Profile != "":
			env.Intent.Args["profile"] = req.Profile
		case env.Intent.Args["profile"] == nil && e.o.DefaultProfile != "":
			env.Intent.Args["profile"] = e.o.DefaultProfile
		}
	}
	lowConfidence := !known || env.Intent.Action == "unknown" || env.Intent.Confidence < intent.Threshold
	var planErr error
	env.Plan = Plan{Argv: [][]string{}}
	if !lowConfidence && req.Subcommand == "" {
		// A sentence's package is resolved against what exists (resolve.go).
		planErr = e.resolve(ctx, &env.Intent)
	}
	if !lowConfidence && planErr == nil {
		env.Plan, env.args, planErr = e.planArgs(ctx, act, env.Intent.Args, req.Yes)
	}

	t2 := time.Now()
	input := e.PolicyInput(env)
	if req.ShowInput {
		defer func() { env.Result = InputResult{Input: input} }()
	}
	d, err := e.policy.Decide(ctx, input)
	env.Metrics.Policy = time.Since(t2)
	if err != nil {
		return env, err
	}
	env.Decision = &d
	if d.Outcome == policy.Deny {
		return env, &DeniedError{Decision: d}
	}
	if lowConfidence {
		env.Result = suggestions(req.Text, env.Intent)
		env.Intent.Action = "unknown"
		if req.Explain {
			return env, nil
		}
		return env, ErrUnknownIntent
	}
	if planErr != nil {
		return env, planErr
	}
	if req.Explain {
		return env, nil
	}
	if act.Name == "install" {
		if w := e.checkPackage(env.Plan.Package); w != "" {
			env.Warnings = append(env.Warnings, w)
		}
	}
	if env.Plan.Mutates && (act.Name == "install" || act.Name == "update") {
		if w := e.lowSpaceWarning(ctx, env.Plan.Profile); w != "" {
			env.Warnings = append(env.Warnings, w)
		}
	}
	if req.DryRun && act.Mutates {
		env.Result = DryRunResult{Plan: env.Plan}
		return env, nil
	}
	if d.Outcome == policy.Confirm {
		switch {
		case req.Yes:
		case req.Confirm == nil:
			return env, fmt.Errorf("%w: %s", ErrNeedsConfirm, strings.Join(d.Reasons, "; "))
		case !req.Confirm(env.Plan, d, env.Warnings):
			return env, ErrCancelled
		}
	}
	if env.Plan.state != "" && profileState(env.Plan.Profile) != env.Plan.state {
		return env, fmt.Errorf("%s %w", env.Plan.Profile, ErrProfileChanged)
	}
	t3 := time.Now()
	env.progress = req.NixProgress
	res, err := act.Run(e.readsOnly(ctx, env.Plan), e, env)
	env.Metrics.Backend = time.Since(t3)
	if res != nil {
		env.Result = res
	}
	return env, err
}

// plan checks an intent's arguments against its action and plans it. A failed plan is
// still an envelope's plan (its error), for the policy and explain (SPEC §3).
func (e *Engine) plan(ctx context.Context, act *Action, raw map[string]any, apply bool) (Plan, error) {
	p, _, err := e.planArgs(ctx, act, raw, apply)
	return p, err
}

func (e *Engine) planArgs(ctx context.Context, act *Action, raw map[string]any, apply bool) (Plan, Args, error) {
	args, err := act.check(raw)
	if err == nil && act.Name == "update" && apply {
		args["apply"] = true // without --yes an update only shows what it would change
	}
	var p Plan
	if err == nil {
		p, err = act.Plan(ctx, e, args)
	}
	if p.Argv == nil {
		p.Argv = [][]string{}
	}
	if err != nil {
		return Plan{Mutates: act.Mutates, Argv: [][]string{}, Profile: p.Profile, Error: err.Error()}, args, err
	}
	return p, args, nil
}

// InputResult is `policy eval`'s result: the policy's input document.
type InputResult struct {
	Input map[string]any `json:"input"`
}

// recognize asks the built-in recogniser and the rule modules that want the text, and
// ranks their proposals (rules.Rank). A faulty module costs a warning, not the request.
func (e *Engine) recognize(ctx context.Context, env *Envelope, text string) intent.Intent {
	builtin := intent.Recognize(text)
	cands := []intent.Intent{builtin}
	for _, o := range e.rules.Propose(ctx, intent.Normalize(text)) {
		switch {
		case o.Err != nil:
			env.Warnings = append(env.Warnings, o.Warning())
		case o.Proposal != nil:
			cands = append(cands, *o.Proposal)
		}
		e.o.Debugf("rule module %s: %s%s", o.Module, outcomeText(o), map[bool]string{true: " (cached)"}[o.Cached])
	}
	if len(cands) == 1 {
		return builtin
	}
	env.Candidates = rules.Rank(cands)
	for i, c := range env.Candidates {
		e.o.Debugf("candidate %d: %s %s %v confidence %.2f", i+1, c.Rule, c.Action, c.Args, c.Confidence)
	}
	return env.Candidates[0]
}

func outcomeText(o rules.Outcome) string {
	switch {
	case o.Err != nil:
		return "fault: " + o.Err.Error()
	case o.Proposal == nil:
		return "no match in " + o.Elapsed.Round(time.Microsecond).String()
	}
	return fmt.Sprintf("proposes %s in %s", o.Proposal.Action, o.Elapsed.Round(time.Microsecond))
}

// buildCache keys rule results by the binary too: another build may parse them differently.
type buildCache struct {
	c     *cache.Cache
	build string
}

func (b buildCache) Get(key, stamp string) ([]byte, bool) { return b.c.Get(b.build+"\x00"+key, stamp) }
func (b buildCache) Put(key, stamp string, v []byte)      { b.c.Put(b.build+"\x00"+key, stamp, v) }

func str(v any) string { s, _ := v.(string); return s }

func strList(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		var out []string
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), n == float64(int(n))
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// store opens the store backend on first use.
func (e *Engine) store(ctx context.Context) (nixstore.Backend, error) {
	if e.backend != nil {
		return e.backend, nil
	}
	b, err := nixstore.Open(ctx, e.o.Host.Store, nixstore.OpenOptions{Enhanced: e.o.Enhanced, Env: e.o.NixEnv, Debugf: e.o.Debugf})
	if err != nil {
		return nil, err
	}
	e.backend = b
	return b, nil
}

func (e *Engine) backendName() string {
	if e.o.Enhanced {
		return "native"
	}
	return "nix-cli"
}

// storeDeps are the files a store read depends on: the database and, in WAL mode, its -wal
// file (the database file's mtime only moves at checkpoints).
func (e *Engine) storeDeps() []string {
	db := e.o.Host.Store.DBPath()
	return []string{db, db + "-wal"}
}

// CacheStats is `cache stats`.
func (e *Engine) CacheStats() cache.Stats { return e.cache.Stats() }

func argsKey(args map[string]any) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(args)) {
		v, _ := json.Marshal(args[k])
		fmt.Fprintf(&b, "%s=%s;", k, v)
	}
	return b.String()
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func profileDeps(profile string) []string {
	return []string{profile, filepath.Dir(profile)}
}
