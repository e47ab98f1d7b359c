package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/rules"
)

func actRulesTest() *Action {
	return &Action{
		Name: "rules-test", Command: "rules test", Summary: "ask one rule module about TEXT and show the policy's decision",
		Examples: []string{`ask-nix rules test ./german.wasm "zeige generationen"`},
		Args: []Arg{
			{Name: "module", Kind: String, Help: "the .wasm module"},
			{Name: "text", Kind: String, Help: "a request in plain words"},
		},
		Plan: func(context.Context, *Engine, Args) (Plan, error) { return Plan{}, nil },
		Run: func(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
			return e.rulesTest(ctx, env.args.String("module"), env.args.String("text"))
		},
	}
}

// RulesTestResult is `rules test`: what the module proposed and what the policy would
// decide about that proposal.
type RulesTestResult struct {
	Module       rules.Module     `json:"module"`
	Proposal     *intent.Intent   `json:"proposal"`
	Decision     *policy.Decision `json:"decision,omitempty"`
	Error        string           `json:"error,omitempty"`
	ElapsedNanos time.Duration    `json:"elapsedNanos"`
}

// Render implements Result.
func (r RulesTestResult) Render(w io.Writer) {
	if r.Proposal == nil {
		fmt.Fprintf(w, "%s: no match (%s)\n", r.Module.Name, msText(r.ElapsedNanos))
		return
	}
	args, _ := json.Marshal(r.Proposal.Args)
	fmt.Fprintf(w, "%s proposes: %s %s (confidence %.2f, %s)\n", r.Module.Name, r.Proposal.Action, args, r.Proposal.Confidence, msText(r.ElapsedNanos))
	if r.Decision != nil {
		fmt.Fprintf(w, "policy decision: %s", r.Decision.Outcome)
		if len(r.Decision.Reasons) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(r.Decision.Reasons, "; "))
		}
		fmt.Fprintln(w)
	}
}

// ErrRuleFault is a rule module that failed under `rules test` (exit 1).
var ErrRuleFault = errors.New("rule module failed")

func (e *Engine) rulesTest(ctx context.Context, module, text string) (Result, error) {
	o, m := e.rules.TestModule(ctx, module, text)
	res := RulesTestResult{Module: *m, Proposal: o.Proposal, ElapsedNanos: o.Elapsed}
	if o.Err != nil {
		res.Error = o.Err.Error()
		return res, fmt.Errorf("%w: %s", ErrRuleFault, o.Warning())
	}
	if o.Proposal != nil {
		probe := &Envelope{Request: RequestDoc{Text: text, Source: "cli"}, Intent: *o.Proposal, Plan: Plan{Argv: [][]string{}}}
		if act, ok := LookupAction(probe.Intent.Action); ok {
			probe.Plan, _ = e.plan(ctx, act, probe.Intent.Args, false)
		}
		d, err := e.policy.Decide(ctx, e.PolicyInput(probe))
		if err != nil {
			return nil, err
		}
		res.Decision = &d
	}
	return res, nil
}
