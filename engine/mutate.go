package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/internal/executor"
	"github.com/asknix/ask-nix/nixstore"
)

// RollbackResult is `rollback --json` (SPEC §3).
type RollbackResult struct {
	Plan     Plan   `json:"plan"`
	Executed bool   `json:"executed"`
	Profile  string `json:"profile"`
	From     int    `json:"from"`
	To       int    `json:"to"`
}

// rollback switches a profile to an earlier generation with nix-env (which takes the
// profile lock and replaces the link atomically) and, for a NixOS system, activates it.
func (e *Engine) rollback(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	profile := e.o.Host.ProfilePath(str(in.Args["profile"]))
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return nil, err
	}
	cur, _ := p.CurrentGeneration()
	to, err := rollbackTarget(profile, in.Args)
	if err != nil {
		return nil, err
	}
	res := RollbackResult{Plan: env.Plan, Profile: profile, From: cur.Generation, To: to}
	if _, err := e.run(ctx, env, env.Plan.Argv); err != nil {
		return nil, err
	}
	res.Executed = true
	return res, nil
}

// PackageResult is `install --json` and `remove --json` (SPEC §3).
type PackageResult struct {
	Plan     Plan   `json:"plan"`
	Executed bool   `json:"executed"`
	Profile  string `json:"profile"`
	Package  string `json:"package"`
	Action   string `json:"action"` // install or remove
}

// changePackage installs or removes a package with nix-env or nix profile, as planned.
func (e *Engine) changePackage(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	res := PackageResult{Plan: env.Plan, Package: str(in.Args["package"]), Profile: e.o.Host.ProfilePath(str(in.Args["profile"])), Action: in.Action}
	if str(in.Args["profile"]) == "" {
		res.Profile = e.o.Host.UserProfile()
	}
	if res.Package == "" || len(env.Plan.Argv) == 0 {
		return nil, fmt.Errorf("%w: %s needs a package", ErrInvalidArgument, in.Action)
	}
	if _, err := e.run(ctx, env, env.Plan.Argv); err != nil {
		return nil, err
	}
	res.Executed = true
	return res, nil
}

// UpdateResult is `update --json`: what an update would change and, with --yes, that it ran.
type UpdateResult struct {
	Plan     Plan         `json:"plan"`
	Executed bool         `json:"executed"`
	Kind     string       `json:"kind"` // "flake", "channels", "user", or "given" (update --to)
	Inputs   []FlakeInput `json:"inputs,omitempty"`
	Channels []Channel    `json:"channels,omitempty"`
	// Diff compares the profile's current generation with the given new one (--to).
	Diff *DiffResult `json:"diff,omitempty"`
}

// update previews an update (how old the channels or flake inputs are, and the plan) and,
// when the plan mutates (--yes), runs it.
func (e *Engine) update(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	cfg, err := e.config()
	if err != nil {
		return nil, err
	}
	res := UpdateResult{Plan: env.Plan, Kind: cfg.Kind, Inputs: cfg.Inputs, Channels: cfg.Channels}
	if !cfg.NixOS || cfg.Kind == "none" {
		res.Kind = "user"
	}
	if to := str(in.Args["new_system"]); to != "" {
		// A system (or profile content) built elsewhere: what switching to it changes.
		d, err := e.diffTo(ctx, e.o.Host.ProfilePath(str(in.Args["profile"])), to)
		if err != nil {
			return nil, err
		}
		res = UpdateResult{Plan: env.Plan, Kind: "given", Diff: d}
	}
	if !env.Plan.Mutates {
		return res, nil
	}
	if _, err := e.run(ctx, env, env.Plan.Argv); err != nil {
		return res, err
	}
	res.Executed = true
	return res, nil
}

// DiffResult is `diff --json` (SPEC §3).
type DiffResult struct {
	Profile string `json:"profile"`
	From    int    `json:"from"`
	To      int    `json:"to"`
	// ToPath is the store path compared with when it is not a generation (update --to).
	ToPath string `json:"toPath,omitempty"`
	nixstore.Diff
}

// diff compares two generations of a profile (default: the one before the current one and
// the current one), natively.
func (e *Engine) diff(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	profile := e.o.Host.ProfilePath(str(in.Args["profile"]))
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return nil, err
	}
	path := map[int]string{}
	for _, g := range p.Generations {
		path[g.Generation] = g.Path
	}
	cur, ok := p.CurrentGeneration()
	if !ok {
		return nil, fmt.Errorf("%w: %s has no current generation", ErrInvalidArgument, profile)
	}
	to := cur.Generation
	if n, ok := intArg(in.Args["to"]); ok {
		to = n
	}
	from := -1
	if n, ok := intArg(in.Args["from"]); ok {
		from = n
	} else {
		for _, g := range p.Generations { // newest first: the first older than to
			if g.Generation < to {
				from = g.Generation
				break
			}
		}
	}
	for _, n := range []int{from, to} {
		if _, ok := path[n]; !ok {
			if n < 0 {
				return nil, fmt.Errorf("%w: %s has no generation before %d to compare with", ErrInvalidArgument, profile, to)
			}
			return nil, fmt.Errorf("%w: %s has no generation %d", ErrInvalidArgument, profile, n)
		}
	}
	deps := append(profileDeps(profile), e.storeDeps()...)
	out := &DiffResult{}
	return e.cached(env, fmt.Sprintf("diff\x00%s\x00%d\x00%d", profile, from, to), deps, out, func() (any, error) {
		b, err := e.store(ctx)
		if err != nil {
			return nil, err
		}
		d, err := nixstore.DiffClosures(ctx, b, path[from], path[to])
		if err != nil {
			return nil, err
		}
		return &DiffResult{Profile: profile, From: from, To: to, Diff: d}, nil
	})
}

// diffTo compares profile's current generation with the store path to, natively.
func (e *Engine) diffTo(ctx context.Context, profile, to string) (*DiffResult, error) {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return nil, err
	}
	cur, ok := p.CurrentGeneration()
	if !ok {
		return nil, fmt.Errorf("%w: %s has no current generation", ErrInvalidArgument, profile)
	}
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := b.PathInfo(ctx, []string{to}, false)
	if err != nil || len(infos) != 1 {
		return nil, fmt.Errorf("%w: --to %s is not a valid store path: %v", ErrInvalidArgument, to, err)
	}
	d, err := nixstore.DiffClosures(ctx, b, cur.Path, infos[0].Path)
	if err != nil {
		return nil, err
	}
	return &DiffResult{Profile: profile, From: cur.Generation, ToPath: infos[0].Path, Diff: d}, nil
}

// CleanupResult is `cleanup --json` (SPEC §3).
type CleanupResult struct {
	Plan       Plan   `json:"plan"`
	Executed   bool   `json:"executed"`
	Profile    string `json:"profile"`
	Deleted    []int  `json:"deleted"`
	Kept       []int  `json:"kept"`
	FreedBytes uint64 `json:"freedBytes"` // predicted from the reference graph before anything is deleted
	// ReportedFreedBytes is what nix-store --gc said it freed (it prints MiB with two
	// decimals).
	ReportedFreedBytes uint64 `json:"reportedFreedBytes"`
}

// protected are the store paths a cleanup never deletes the generation of: the booted
// system and the running one.
func (e *Engine) protected() []string {
	var out []string
	for _, l := range []string{"/run/booted-system", "/run/current-system"} {
		if sp, err := nixstore.ResolveStorePath(e.o.Host.Store, e.o.Host.HostPath(l)); err == nil {
			out = append(out, sp)
		}
	}
	return out
}

func (e *Engine) cleanupSelection(profile string, args map[string]any) (nixstore.CleanupSelection, error) {
	p, err := nixstore.ReadProfile(profile)
	if err != nil {
		return nixstore.CleanupSelection{}, err
	}
	keep := -1
	if k, ok := intArg(args["keep"]); ok {
		keep = k
	}
	var older time.Duration
	if d := str(args["older_than"]); d != "" {
		if older, err = parseAge(d); err != nil {
			return nixstore.CleanupSelection{}, err
		}
	}
	return nixstore.SelectCleanup(p, keep, older, e.o.Now(), e.protected()), nil
}

// parseAge reads SPEC's durations: "14d", "12h".
func parseAge(s string) (time.Duration, error) {
	var n int
	var unit string
	if _, err := fmt.Sscanf(s, "%d%s", &n, &unit); err != nil || n < 0 || (unit != "d" && unit != "h") {
		return 0, fmt.Errorf("%w: older than %q: use a number of days or hours, like 30d or 12h", ErrInvalidArgument, s)
	}
	if unit == "d" {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.Duration(n) * time.Hour, nil
}

// cleanup deletes the selected generations and collects garbage. What it frees is
// predicted first: the paths no root reaches once those generations' links are gone.
func (e *Engine) cleanup(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	profile := e.o.Host.ProfilePath(str(in.Args["profile"]))
	sel, err := e.cleanupSelection(profile, in.Args)
	if err != nil {
		return nil, err
	}
	res := CleanupResult{Plan: env.Plan, Profile: profile, Deleted: sel.Delete, Kept: sel.Keep}
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	if n, ok := b.(*nixstore.Native); ok {
		var gone []string
		for _, g := range sel.Delete {
			gone = append(gone, fmt.Sprintf("%s-%d-link", profile, g))
		}
		extra := []string{e.o.Host.HostPath("/run/current-system"), e.o.Host.HostPath("/run/booted-system")}
		if _, freed, err := n.DeadBytes(ctx, nixstore.GCRootsWithout(e.o.Host.Store, gone, extra...)); err == nil {
			res.FreedBytes = freed
		}
	}
	last, err := e.run(ctx, env, env.Plan.Argv)
	if err != nil {
		return res, err
	}
	var paths int
	var mib float64
	if _, err := fmt.Sscanf(lastLineOf(string(last)), "%d store paths deleted, %f MiB freed", &paths, &mib); err == nil {
		res.ReportedFreedBytes = uint64(mib * 1024 * 1024)
	}
	res.Executed = true
	return res, nil
}

func lastLineOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// run executes a plan's commands in order, through the executor, recording each in the
// audit log; it stops at the first failure and returns the last command's output.
func (e *Engine) run(ctx context.Context, env *Envelope, plan [][]string) ([]byte, error) {
	var out []byte
	for i, argv := range plan {
		step := fmt.Sprintf("[%d/%d] %s", i+1, len(plan), strings.Join(argv, " "))
		var err error
		for attempt := 0; ; attempt++ {
			var msg string
			out, msg, err = e.runOne(ctx, env, step, argv)
			if err == nil {
				break
			}
			cmd := strings.Join(argv, " ")
			switch {
			case ctx.Err() != nil:
				return out, &InterruptedError{Cmd: cmd, Err: ctx.Err()}
			case IsNetworkError(msg) && attempt < len(e.retryDelays()):
				d := e.retryDelays()[attempt]
				e.o.Debugf("%s failed for the network (%s); retrying in %s", cmd, msg, d)
				select {
				case <-ctx.Done():
					return out, &InterruptedError{Cmd: cmd, Err: ctx.Err()}
				case <-time.After(d):
				}
				continue
			case IsNetworkError(msg):
				return out, &NetworkError{Cmd: cmd, Msg: msg, Attempts: attempt + 1}
			case isPermission(msg):
				return out, &PermissionError{Cmd: cmd, Msg: msg, hint: permissionHint(msg, e.o.Args)}
			}
			return out, fmt.Errorf("%s: %s", cmd, msg)
		}
	}
	return out, nil
}

// runOne runs one command of a plan with live progress; on failure msg is Nix's own
// message: the last error event, else the last plain line of stderr.
func (e *Engine) runOne(ctx context.Context, env *Envelope, step string, argv []string) (out []byte, msg string, err error) {
	tr := nixlog.NewTracker()
	w := nixlog.NewWriter(tr, func(p nixlog.Progress) {
		if e.o.NixProgress != nil {
			e.o.NixProgress(step, p)
		}
	})
	run := withLogFormat(argv)
	out, err = executor.Run(ctx, executor.Cmd{Argv: run, Env: e.o.NixEnv, Stderr: w})
	w.Close()
	e.audit(env, run, err)
	if err == nil {
		return out, "", nil
	}
	msg = err.Error()
	if errs := tr.Progress().Errors; len(errs) > 0 {
		msg = errs[len(errs)-1]
	} else if pl := w.Plain(); len(pl) > 0 {
		msg = pl[len(pl)-1]
	}
	return out, strings.TrimPrefix(msg, "error: "), err
}

// InterruptedError is a command of a plan stopped because the request was cancelled
// (Ctrl-C): it names what was running.
type InterruptedError struct {
	Cmd string
	Err error // the context's error
}

func (e *InterruptedError) Error() string { return "interrupted while running " + e.Cmd }
func (e *InterruptedError) Unwrap() error { return e.Err }

// withLogFormat asks Nix's own tools for --log-format internal-json, whose events become
// live progress (engine/nixlog). The plan shows the command without it.
func withLogFormat(argv []string) []string {
	at := 0
	if len(argv) > 1 && (argv[0] == "sudo" || argv[0] == "doas" || argv[0] == "run0") {
		at = 1
	}
	switch argv[at] {
	case "nix-env", "nix-store", "nix-build", "nix":
		out := append([]string{}, argv[:at+1]...)
		out = append(out, "--log-format", "internal-json")
		return append(out, argv[at+1:]...)
	}
	return argv
}

type auditRecord struct {
	Time     time.Time `json:"time"`
	Request  string    `json:"request"`
	Argv     []string  `json:"argv"`
	Decision string    `json:"decision"`
	Error    string    `json:"error,omitempty"`
}

// audit appends a command ask-nix ran, with its decision, to audit.jsonl (SPEC §8).
func (e *Engine) audit(env *Envelope, argv []string, runErr error) {
	if e.o.StateDir == "" {
		return
	}
	rec := auditRecord{Time: e.o.Now().UTC().Truncate(time.Second), Request: env.Request.Text, Argv: argv}
	if env.Decision != nil {
		rec.Decision = env.Decision.Outcome
	}
	if runErr != nil {
		rec.Error = runErr.Error()
	}
	e.appendJSONL("audit.jsonl", rec)
}
