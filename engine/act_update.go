package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func actUpdate() *Action {
	return &Action{
		Name: "update", Summary: "what an update would change; --yes applies it",
		Examples: []string{`ask-nix "update my system"`, "ask-nix update --to ./result"},
		Mutates:  true, Phrase: true, Profile: "changes",
		Args: []Arg{
			{Name: "new_system", Kind: String, Help: "a system already built (a store path or a link to one)"},
			{Name: "apply", Kind: Bool, Help: "run the update (set by --yes)"},
			argProfile,
		},
		Plan: planUpdate,
		Run:  runUpdate,
	}
}

// planUpdate writes what an update runs: on a flake-based NixOS `nix flake update` and
// `nixos-rebuild switch --flake`, on a channel-based one `nix-channel --update` and
// `nixos-rebuild switch`, elsewhere the user's channels and `nix-env -u`; with --to a
// system already built, the switch to it. Without --yes it changes nothing.
func planUpdate(_ context.Context, e *Engine, a Args) (Plan, error) {
	name := a.String("profile")
	profile := e.profileFor(a)
	p := Plan{Mutates: a.Bool("apply"), Profile: profile}
	system := e.isSystem(name, profile)
	step := func(argv ...string) []string { return e.step(&p, system, argv...) }
	switch to := a.String("new_system"); {
	case to != "":
		// A link to the build, such as ./result, is planned as the store path it points at.
		if real, err := filepath.EvalSymlinks(to); err == nil {
			to = real
		}
		p.Argv = [][]string{step("nix-env", "-p", profile, "--set", to)}
		if _, err := os.Lstat(to + "/bin/switch-to-configuration"); system || err == nil {
			p.Argv = append(p.Argv, step(to+"/bin/switch-to-configuration", "switch"))
		}
	case system && fileExists(e.o.Host.HostPath("/etc/nixos/flake.nix")):
		p.Argv = [][]string{step("nix", "flake", "update", "--flake", "/etc/nixos"), step("nixos-rebuild", "switch", "--flake", "/etc/nixos")}
	case system:
		p.Argv = [][]string{step("nix-channel", "--update"), step("nixos-rebuild", "switch")}
	default:
		p.Argv = [][]string{{"nix-channel", "--update"}, e.step(&p, false, "nix-env", "-p", profile, "-u")}
	}
	if !p.Mutates {
		p.Privileged = false
	} else {
		p.state = profileState(profile)
	}
	return p, nil
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

// Render implements Result.
func (r UpdateResult) Render(w io.Writer) {
	if r.Executed {
		fmt.Fprintln(w, "updated:")
	} else {
		fmt.Fprintln(w, "an update would run (add --yes to apply):")
	}
	printArgv(w, r.Plan.Argv, "  ")
	if r.Diff != nil {
		r.Diff.Render(w)
	}
	printSources(w, r.Inputs, r.Channels)
}

// runUpdate previews an update (how old the channels or flake inputs are, and the plan)
// and, when the plan mutates (--yes), runs it.
func runUpdate(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
	cfg, err := e.config()
	if err != nil {
		return nil, err
	}
	res := UpdateResult{Plan: env.Plan, Kind: cfg.Kind, Inputs: cfg.Inputs, Channels: cfg.Channels}
	if !cfg.NixOS || cfg.Kind == "none" {
		res.Kind = "user"
	}
	if to := str(env.Intent.Args["new_system"]); to != "" {
		d, err := e.diffTo(ctx, env.Plan.Profile, to)
		if err != nil {
			return nil, err
		}
		res = UpdateResult{Plan: env.Plan, Kind: "given", Diff: d}
	}
	if !env.Plan.Mutates {
		return res, nil
	}
	if _, err := e.run(ctx, env); err != nil {
		return res, err
	}
	res.Executed = true
	return res, nil
}
