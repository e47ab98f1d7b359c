package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
)

func actRollback() *Action {
	return &Action{
		Name: "rollback", Summary: "switch back to a previous generation",
		Examples: []string{`ask-nix "rollback one generation"`, "ask-nix rollback --to 42"},
		Mutates:  true, Phrase: true, Profile: "changes",
		Args: []Arg{
			{Name: "generation", Kind: Int, Min: 1, Help: "the generation to switch to"},
			{Name: "steps", Kind: Int, Min: 1, Help: "how many generations back (default 1)"},
			argProfile,
		},
		Plan: planRollback,
		Run:  runRollback,
	}
}

// planRollback finds the target generation now: a missing one is an error of the plan,
// the current one has nothing to do (SPEC §2). The profile is switched the way nix-env does
// it (its lock, the link replaced atomically); a NixOS system generation is activated too,
// as nixos-rebuild --rollback does.
func planRollback(_ context.Context, e *Engine, a Args) (Plan, error) {
	profile := e.profileFor(a)
	p := Plan{Mutates: true, Profile: profile, Argv: [][]string{}}
	to, err := rollbackTarget(profile, a)
	if err != nil {
		return p, err
	}
	cur, _ := currentGeneration(profile)
	p.From, p.To = &cur, &to
	if to == cur {
		p.Mutates, p.Note = false, fmt.Sprintf("%s is already at generation %d", profile, cur)
		return p, nil
	}
	system := e.isSystem(a.String("profile"), profile)
	p.Argv = append(p.Argv, e.step(&p, system, "nix-env", "-p", profile, "--switch-generation", strconv.Itoa(to)))
	link := fmt.Sprintf("%s-%d-link/bin/switch-to-configuration", profile, to)
	if _, err := os.Lstat(link); system || err == nil {
		p.Argv = append(p.Argv, e.step(&p, system, link, "switch"))
	}
	p.state = profileState(profile)
	return p, nil
}

// rollbackTarget is the generation a rollback switches to: the one asked for, or the one
// steps (default 1) generations before the current one, as nix-env --rollback counts
// (existing generations, by number).
func rollbackTarget(profile string, a Args) (int, error) {
	p, cur, err := generationsOf(profile)
	if err != nil {
		return 0, err
	}
	if n, ok := a.Int("generation"); ok {
		for _, g := range p.Generations {
			if g.Generation == n {
				if _, err := os.Lstat(g.Path); err != nil {
					return 0, fmt.Errorf("%w: generation %d of %s points at %s, which is not in the store", ErrInvalidArgument, n, profile, g.Path)
				}
				return n, nil
			}
		}
		return 0, fmt.Errorf("%w: %s has no generation %d", ErrInvalidArgument, profile, n)
	}
	steps := 1
	if s, ok := a.Int("steps"); ok && s > 0 {
		steps = s
	}
	for i, g := range p.Generations { // newest first: walk down from the current one
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

// RollbackResult is `rollback --json` (SPEC §3).
type RollbackResult struct {
	Plan     Plan   `json:"plan"`
	Executed bool   `json:"executed"`
	Profile  string `json:"profile"`
	From     int    `json:"from"`
	To       int    `json:"to"`
	Note     string `json:"note,omitempty"`
}

// Render implements Result.
func (r RollbackResult) Render(w io.Writer) {
	if r.Note != "" {
		fmt.Fprintln(w, r.Note)
		return
	}
	fmt.Fprintf(w, "%s: generation %d → %d\n", r.Profile, r.From, r.To)
}

func runRollback(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
	p := env.Plan
	res := RollbackResult{Plan: p, Profile: p.Profile, From: *p.From, To: *p.To, Note: p.Note}
	if len(p.Argv) == 0 {
		return res, nil
	}
	if _, err := e.run(ctx, env); err != nil {
		return nil, err
	}
	res.Executed = true
	if cur, ok := currentGeneration(p.Profile); !ok || cur != *p.To {
		return res, fmt.Errorf("%s did not switch %s to generation %d", p.Argv[0][0], p.Profile, *p.To)
	}
	return res, nil
}
