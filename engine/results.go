package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/runner"
	"github.com/asknix/ask-nix/engine/units"
	"github.com/asknix/ask-nix/internal/executor"
)

// DryRunResult is a mutation's result under --dry-run (SPEC §3): the plan, and what it
// selected, with nothing executed.
type DryRunResult struct {
	Plan                Plan    `json:"plan"`
	Executed            bool    `json:"executed"`
	Profile             string  `json:"profile,omitempty"`
	Deleted             []int   `json:"deleted,omitempty"`
	Kept                []int   `json:"kept,omitempty"`
	PredictedFreedBytes *uint64 `json:"predictedFreedBytes,omitempty"`
	From                *int    `json:"from,omitempty"`
	To                  *int    `json:"to,omitempty"`
}

// MarshalJSON fills the selection from the plan.
func (r DryRunResult) MarshalJSON() ([]byte, error) {
	type plain DryRunResult
	p := r.Plan
	v := plain{Plan: p, Profile: p.Profile, Deleted: p.Deleted, Kept: p.Kept, PredictedFreedBytes: p.PredictedFreedBytes, From: p.From, To: p.To}
	if p.Deleted != nil || p.Kept != nil {
		if v.Deleted == nil {
			v.Deleted = []int{}
		}
		if v.Kept == nil {
			v.Kept = []int{}
		}
	}
	return json.Marshal(v)
}

// Render implements Result.
func (r DryRunResult) Render(w io.Writer) {
	if len(r.Plan.Argv) == 0 && r.Plan.Note != "" {
		fmt.Fprintf(w, "dry run: %s; nothing to do.\n", r.Plan.Note)
		return
	}
	fmt.Fprintln(w, "dry run: nothing was changed. The plan:")
	r.Plan.Describe(w, "  ")
}

// Describe writes a plan for a person: its commands and what they select (the dry run,
// the confirmation prompt, explain).
func (p Plan) Describe(w io.Writer, indent string) {
	printArgv(w, p.Argv, indent)
	if p.Deleted != nil && len(p.Deleted) == 0 {
		fmt.Fprintf(w, "%sdeletes no generation of %s (keeps %s), then collects garbage", indent, p.Profile, genList(p.Kept))
		if p.PredictedFreedBytes != nil {
			fmt.Fprintf(w, "; frees %s", units.Bytes(*p.PredictedFreedBytes))
		}
		fmt.Fprintln(w)
	} else if p.Deleted != nil {
		fmt.Fprintf(w, "%sdeletes generations %s of %s, keeps %s", indent, genList(p.Deleted), p.Profile, genList(p.Kept))
		if p.PredictedFreedBytes != nil {
			fmt.Fprintf(w, "; frees %s", units.Bytes(*p.PredictedFreedBytes))
		}
		fmt.Fprintln(w)
	}
	if p.From != nil && p.To != nil && len(p.Argv) > 0 {
		fmt.Fprintf(w, "%sswitches %s from generation %d to %d\n", indent, p.Profile, *p.From, *p.To)
	}
}

// Render implements Result.
func (r InputResult) Render(w io.Writer) {
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Fprintln(w, string(b))
}

// Render implements Result.
func (s Suggestions) Render(w io.Writer) {
	fmt.Fprintf(w, "Understood: %s. Did you mean:\n", s.Understood)
	for _, x := range s.Suggestions {
		fmt.Fprintf(w, "  %s\n", x)
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

// truncate shortens s to n characters, the last one an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// cachedAs answers from the cache when the entry's stamp still matches deps, else computes
// and stores. The value is the same type either way.
func cachedAs[T Result](e *Engine, env *Envelope, key string, deps []string, compute func() (T, error)) (T, error) {
	if e.cacheOff() {
		env.Metrics.Cache = "off"
		return compute()
	}
	stamp := cache.Stamp(deps...)
	full := e.o.Build + "\x00" + e.backendName() + "\x00" + e.o.Host.Root + "\x00" + e.o.Host.Store.StoreDir + "\x00" + key
	if b, ok := e.cache.Get(full, stamp); ok {
		var out T
		if err := json.Unmarshal(b, &out); err == nil {
			env.Metrics.Cache = "hit"
			return out, nil
		}
	}
	env.Metrics.Cache = "miss"
	v, err := compute()
	if err != nil {
		return v, err
	}
	if b, err := json.Marshal(v); err == nil {
		e.cache.Put(full, stamp, b)
	}
	return v, nil
}

// cacheOff reports that results are not cached (--no-cache, a TTL of 0).
func (e *Engine) cacheOff() bool { return e.cache == nil || e.o.CacheTTL <= 0 }

// run executes the plan the policy judged, and only that (the runner's executor refuses
// any other argv).
func (e *Engine) run(ctx context.Context, env *Envelope) ([]byte, error) {
	req := runner.Request{Text: env.Request.Text, Source: env.Request.Source, Client: env.Request.Client, Progress: env.progress}
	if env.Decision != nil {
		req.Decision = env.Decision.Outcome
	}
	return e.runner.Run(ctx, req, env.Plan.Argv)
}

// readsOnly confines a nix CLI read to its plan: the backend may run the planned commands
// and nothing else.
func (e *Engine) readsOnly(ctx context.Context, p Plan) context.Context {
	if p.Backend != "nix-cli" {
		return ctx
	}
	return executor.WithPlan(ctx, p.Argv, e.o.Record)
}
