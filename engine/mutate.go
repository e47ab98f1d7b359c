package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/executor"
	"github.com/asknix/ask-nix/engine/intent"
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
	if err := e.run(ctx, env, env.Plan.Argv); err != nil {
		return nil, err
	}
	res.Executed = true
	return res, nil
}

// run executes a plan's commands in order, through the executor, recording each in the
// audit log; it stops at the first failure.
func (e *Engine) run(ctx context.Context, env *Envelope, plan [][]string) error {
	for _, argv := range plan {
		_, err := executor.Run(ctx, executor.Cmd{Argv: argv, Env: e.o.NixEnv})
		e.audit(env, argv, err)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
	}
	return nil
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
	line, _ := json.Marshal(rec)
	if err := os.MkdirAll(e.o.StateDir, 0o700); err != nil {
		e.o.Debugf("audit log: %v", err)
		return
	}
	f, err := os.OpenFile(filepath.Join(e.o.StateDir, "audit.jsonl"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		e.o.Debugf("audit log: %v", err)
		return
	}
	defer f.Close()
	f.Write(append(line, '\n'))
}
