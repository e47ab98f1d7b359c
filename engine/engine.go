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
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/nixstore"
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
}

// Engine runs requests. Create one per process with New; Close saves the cache.
type Engine struct {
	o       Options
	policy  *policy.Engine
	cache   *cache.Cache
	backend nixstore.Backend
	index   *search.Index
	rules   *rules.Host
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
	e := &Engine{o: o, policy: p}
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
	// Confirm asks the user interactively; nil when there is no TTY.
	// It is shown the warnings so far (low disk space, an unknown package) first.
	Confirm func(plan Plan, d policy.Decision, warnings []string) bool
}

// RequestDoc is the envelope's "request".
type RequestDoc struct {
	Text       string `json:"text"`
	Subcommand bool   `json:"subcommand,omitempty"`
}

// Plan says what would run or be read (SPEC §3 "plan").
type Plan struct {
	Mutates    bool       `json:"mutates"`
	Privileged bool       `json:"privileged"`
	Argv       [][]string `json:"argv"`
	Backend    string     `json:"backend,omitempty"`
	Reads      []string   `json:"reads,omitempty"`
}

// MutationResult is the result of a mutating action (SPEC §3); with --dry-run only the
// plan is filled.
type MutationResult struct {
	Plan     Plan `json:"plan"`
	Executed bool `json:"executed"`
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
	Result   any              `json:"result"`
	// Candidates are every intent proposed for a natural-language request, best first,
	// when a rule module proposed one (SPEC §7 merging); the first is Intent.
	Candidates []intent.Intent `json:"candidates,omitempty"`
	// Warnings are things the user should know that do not stop the request, such as a
	// package name the index does not know ("did you mean").
	Warnings []string `json:"warnings,omitempty"`
	Metrics  Metrics  `json:"-"`
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

// Handle runs one request through the pipeline. The returned envelope is filled as far
// as the request got, also when an error is returned.
func (e *Engine) Handle(ctx context.Context, req Request) (*Envelope, error) {
	env := &Envelope{Request: RequestDoc{Text: req.Text, Subcommand: req.Subcommand != ""}}
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
	if req.Profile == "" && e.o.DefaultProfile != "" && takesProfile(env.Intent.Action) && env.Intent.Args["profile"] == nil {
		env.Intent.Args["profile"] = e.o.DefaultProfile
	}
	if req.Profile != "" && takesProfile(env.Intent.Action) {
		env.Intent.Args["profile"] = req.Profile
	}
	env.Plan = e.plan(env.Intent)
	if env.Intent.Action == "update" && !req.Yes {
		// Without --yes an update only shows what it would change (SPEC §2).
		env.Plan.Mutates, env.Plan.Privileged = false, false
	}

	t2 := time.Now()
	input := e.PolicyInput(env)
	if req.ShowInput {
		defer func() { env.Result = map[string]any{"input": input} }()
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
	lowConfidence := env.Intent.Action == "unknown" || env.Intent.Confidence < intent.Threshold
	if lowConfidence {
		env.Result = suggestions(req.Text, env.Intent)
		env.Intent.Action = "unknown"
		if req.Explain {
			return env, nil
		}
		return env, ErrUnknownIntent
	}
	if req.Explain {
		return env, nil
	}
	if env.Intent.Action == "install" && !req.Explain {
		if w := e.checkPackage(str(env.Intent.Args["package"])); w != "" {
			env.Warnings = append(env.Warnings, w)
		}
	}
	if env.Plan.Mutates && (env.Intent.Action == "install" || env.Intent.Action == "update") {
		profile := e.o.Host.ProfilePath(str(env.Intent.Args["profile"]))
		if env.Intent.Action == "install" && str(env.Intent.Args["profile"]) == "" {
			profile = e.o.Host.UserProfile()
		}
		if w := e.lowSpaceWarning(ctx, profile); w != "" {
			env.Warnings = append(env.Warnings, w)
		}
	}
	if req.DryRun && env.Plan.Mutates {
		env.Result = MutationResult{Plan: env.Plan, Executed: false}
		return env, nil
	}
	if d.Outcome == policy.Confirm {
		ok := req.Yes || (req.Confirm != nil && req.Confirm(env.Plan, d, env.Warnings))
		if !ok {
			return env, fmt.Errorf("%w: %s", ErrNeedsConfirm, strings.Join(d.Reasons, "; "))
		}
	}
	t3 := time.Now()
	res, err := e.execute(ctx, env, req)
	env.Metrics.Backend = time.Since(t3)
	if err != nil {
		if res != nil {
			env.Result = res
		}
		return env, err
	}
	env.Result = res
	return env, nil
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

// plan describes what an intent would do before anything runs.
func (e *Engine) plan(in intent.Intent) Plan {
	p := Plan{Argv: [][]string{}, Mutates: intent.Mutating(in.Action)}
	switch in.Action {
	case "generations", "path-info", "disk", "info", "installed", "diff":
		p.Backend = "native"
		if !e.o.Enhanced {
			p.Backend = "nix-cli"
			p.Argv = e.cliArgv(in)
		}
	case "search":
		p.Backend = "index"
	}
	switch in.Action {
	case "install", "remove":
		if pkg, ok := in.Args["package"].(string); ok {
			p.Argv = [][]string{e.packageArgv(in, pkg)}
		}
	case "rollback", "cleanup", "update":
		p.Argv = e.mutationArgv(in, &p)
	}
	return p
}

// packageArgv installs or removes pkg the way the profile is managed: `nix profile` when
// it has a manifest.json, else nix-env (SPEC §2).
func (e *Engine) packageArgv(in intent.Intent, pkg string) []string {
	name := str(in.Args["profile"])
	profile := e.o.Host.ProfilePath(cmp.Or(name, "user"))
	if m, ok, _ := nixstore.ReadManifest(profile); ok {
		argv := []string{"nix", "profile", in.Action}
		if name != "" {
			argv = append(argv, "--profile", profile)
		}
		if in.Action == "install" {
			return append(argv, "nixpkgs#"+pkg)
		}
		if i := m.Find(pkg); i >= 0 {
			return append(argv, strconv.Itoa(i))
		}
		return append(argv, pkg) // nix matches it against attribute paths, and says so if none
	}
	if in.Action == "install" {
		return append(e.profileFlag(in), "-iA", "nixpkgs."+pkg)
	}
	return append(e.profileFlag(in), "-e", pkg)
}

// profileFlag is nix-env with -p PROFILE when a profile was named, else plain nix-env (the
// user's profile, ~/.nix-profile).
func (e *Engine) profileFlag(in intent.Intent) []string {
	if p := str(in.Args["profile"]); p != "" {
		return []string{"nix-env", "-p", e.o.Host.ProfilePath(p)}
	}
	return []string{"nix-env"}
}

// mutationArgv plans rollback, cleanup and update. Steps on the system profile run through
// the elevation command when ask-nix is not root.
func (e *Engine) mutationArgv(in intent.Intent, p *Plan) [][]string {
	name := str(in.Args["profile"])
	profile := e.o.Host.ProfilePath(name)
	system := name == "system" || (name == "" && e.o.Host.DefaultProfile() == "system") || profile == e.o.Host.SystemProfile()
	elevate := func(argv ...string) []string {
		if system && !e.o.User.Root {
			p.Privileged = true
			return append([]string{e.elevation()}, argv...)
		}
		return argv
	}
	switch in.Action {
	case "rollback":
		target := "previous"
		if t, err := rollbackTarget(profile, in.Args); err == nil {
			target = fmt.Sprint(t)
		}
		out := [][]string{elevate("nix-env", "-p", profile, "--switch-generation", target)}
		if target == "previous" {
			out[0] = elevate("nix-env", "-p", profile, "--rollback")
		}
		// A NixOS system generation is activated too (as nixos-rebuild --rollback does),
		// whatever the profile's path.
		link := profile + "/bin/switch-to-configuration"
		if target != "previous" {
			link = fmt.Sprintf("%s-%s-link/bin/switch-to-configuration", profile, target)
		}
		if system || fileExists(link) {
			out = append(out, elevate(link, "switch"))
		}
		return out
	case "cleanup":
		var out [][]string
		if sel, err := e.cleanupSelection(profile, in.Args); err == nil && len(sel.Delete) > 0 {
			del := []string{"nix-env", "-p", profile, "--delete-generations"}
			for _, n := range sel.Delete {
				del = append(del, fmt.Sprint(n))
			}
			out = append(out, elevate(del...))
		}
		return append(out, elevate("nix-store", "--gc"))
	case "update":
		if to := str(in.Args["new_system"]); to != "" {
			// Switch to a given build, as nixos-rebuild does after building it (a link
			// to it, such as ./result, is planned as the store path it points at).
			if real, err := filepath.EvalSymlinks(to); err == nil {
				to = real
			}
			out := [][]string{elevate("nix-env", "-p", profile, "--set", to)}
			if system || fileExists(to+"/bin/switch-to-configuration") {
				out = append(out, elevate(to+"/bin/switch-to-configuration", "switch"))
			}
			return out
		}
		if system {
			if fileExists(e.o.Host.HostPath("/etc/nixos/flake.nix")) {
				return [][]string{elevate("nix", "flake", "update", "--flake", "/etc/nixos"), elevate("nixos-rebuild", "switch", "--flake", "/etc/nixos")}
			}
			return [][]string{elevate("nix-channel", "--update"), elevate("nixos-rebuild", "switch")}
		}
		return [][]string{{"nix-channel", "--update"}, {"nix-env", "-p", profile, "-u"}}
	}
	return [][]string{}
}

// rollbackTarget is the generation a rollback switches to: the one asked for, or the one
// steps (default 1) generations before the current one, as nix-env --rollback counts
// (existing generations, by number). It fails when there is no such generation.
func rollbackTarget(profile string, args map[string]any) (int, error) {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return 0, err
	}
	cur, ok := p.CurrentGeneration()
	if !ok {
		return 0, fmt.Errorf("%w: %s has no current generation", ErrInvalidArgument, profile)
	}
	if n, ok := intArg(args["generation"]); ok {
		for _, g := range p.Generations {
			if g.Generation == n {
				if !fileExists(g.Path) {
					return 0, fmt.Errorf("%w: generation %d of %s points at %s, which is not in the store", ErrInvalidArgument, n, profile, g.Path)
				}
				return n, nil
			}
		}
		return 0, fmt.Errorf("%w: %s has no generation %d", ErrInvalidArgument, profile, n)
	}
	steps := 1
	if s, ok := intArg(args["steps"]); ok && s > 0 {
		steps = s
	}
	// Generations are newest first; walk down from the current one.
	for i, g := range p.Generations {
		if g.Generation == cur.Generation {
			if i+steps >= len(p.Generations) {
				if steps == 1 {
					return 0, fmt.Errorf("%w: %s has no generation older than the current one (%d)", ErrInvalidArgument, profile, cur.Generation)
				}
				return 0, fmt.Errorf("%w: %s has only %d generations older than the current one (%d), not %d", ErrInvalidArgument, profile, len(p.Generations)-1-i, cur.Generation, steps)
			}
			return p.Generations[i+steps].Generation, nil
		}
	}
	return 0, fmt.Errorf("%w: %s: current generation not found", ErrInvalidArgument, profile)
}

// elevation is the command privileged steps run through (SPEC §2): sudo unless configured.
func (e *Engine) elevation() string {
	if e.o.Elevation != "" {
		return e.o.Elevation
	}
	return "sudo"
}

func (e *Engine) cliArgv(in intent.Intent) [][]string {
	switch in.Action {
	case "generations":
		prof := e.o.Host.ProfilePath(str(in.Args["profile"]))
		out := [][]string{{"nix-env", "-p", prof, "--list-generations"}}
		if nosizes, _ := in.Args["no_sizes"].(bool); !nosizes {
			out = append(out, []string{"nix", "path-info", "--json", "-S", prof + "-*-link"})
		}
		return out
	case "path-info":
		argv := []string{"nix", "path-info", "--json"}
		if s, _ := in.Args["closure_size"].(bool); s {
			argv = append(argv, "-S")
		}
		return [][]string{append(argv, strList(in.Args["paths"])...)}
	case "disk":
		return [][]string{{"nix", "path-info", "--all", "--json"}, {"nix-store", "--gc", "--print-dead"}}
	}
	return [][]string{}
}

func takesProfile(action string) bool {
	switch action {
	case "generations", "diff", "rollback", "cleanup", "installed", "install", "remove":
		return true
	}
	return false
}

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

// cached answers from the cache when the entry's stamp still matches deps, else computes.
func (e *Engine) cached(env *Envelope, key string, deps []string, out any, compute func() (any, error)) (any, error) {
	if e.cache == nil || e.cache.Dir() == "" && e.o.CacheTTL <= 0 {
		env.Metrics.Cache = "off"
		return compute()
	}
	stamp := cache.Stamp(deps...)
	full := e.o.Build + "\x00" + e.backendName() + "\x00" + e.o.Host.Root + "\x00" + e.o.Host.Store.StoreDir + "\x00" + key
	if b, ok := e.cache.Get(full, stamp); ok {
		if err := json.Unmarshal(b, out); err == nil {
			env.Metrics.Cache = "hit"
			return out, nil
		}
	}
	env.Metrics.Cache = "miss"
	v, err := compute()
	if err != nil {
		return nil, err
	}
	if b, err := json.Marshal(v); err == nil {
		e.cache.Put(full, stamp, b)
	}
	return v, nil
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

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func argsKey(args map[string]any) string {
	var b strings.Builder
	for _, k := range sortedKeys(args) {
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
