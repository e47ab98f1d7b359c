package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/asknix/ask-nix/engine/units"
)

func actCleanup() *Action {
	return &Action{
		Name: "cleanup", Summary: "delete old generations and collect garbage, showing the space it frees first",
		Examples: []string{`ask-nix "clean up, keep the last 5 generations"`, "ask-nix cleanup --older-than 30d --dry-run"},
		Mutates:  true, Phrase: true, Profile: "changes",
		Args: []Arg{
			{Name: "keep", Kind: Int, Help: "keep the N newest generations"},
			{Name: "older_than", Kind: Age, Help: "delete generations older than this (30d, 12h)"},
			argProfile,
		},
		Plan: planCleanup,
		Run:  runCleanup,
	}
}

// planCleanup selects the generations to delete now, and predicts from the reference graph
// what deleting them and collecting garbage frees (SPEC §2). Run deletes exactly these.
func planCleanup(ctx context.Context, e *Engine, a Args) (Plan, error) {
	profile := e.profileFor(a)
	p := Plan{Mutates: true, Profile: profile, Argv: [][]string{}}
	sel, err := e.cleanupSelection(profile, a)
	if err != nil {
		return p, err
	}
	p.Deleted, p.Kept = sel.Delete, sel.Keep
	system := e.isSystem(a.String("profile"), profile)
	if len(sel.Delete) > 0 {
		del := []string{"nix-env", "-p", profile, "--delete-generations"}
		for _, n := range sel.Delete {
			del = append(del, strconv.Itoa(n))
		}
		p.Argv = append(p.Argv, e.step(&p, system, del...))
	}
	p.Argv = append(p.Argv, e.step(&p, system, "nix-store", "--gc"))
	if dead, sum, err := e.freedBy(ctx, profile, sel.Delete); err == nil {
		p.dead, p.PredictedFreedBytes = dead, &sum
	} else {
		e.o.Debugf("cleanup: no prediction of the space freed: %v", err)
	}
	p.state = profileState(profile)
	return p, nil
}

// CleanupResult is `cleanup --json` (SPEC §3).
type CleanupResult struct {
	Plan                Plan    `json:"plan"`
	Executed            bool    `json:"executed"`
	Profile             string  `json:"profile"`
	Deleted             []int   `json:"deleted"`
	Kept                []int   `json:"kept"`
	PredictedFreedBytes *uint64 `json:"predictedFreedBytes"`
	// FreedBytes is the sum of narSize of the store paths the run deleted.
	FreedBytes uint64 `json:"freedBytes"`
}

// Render implements Result.
func (r CleanupResult) Render(w io.Writer) {
	fmt.Fprintf(w, "%s: deleted generations %s, kept %s\n", r.Profile, genList(r.Deleted), genList(r.Kept))
	if r.PredictedFreedBytes != nil {
		fmt.Fprintf(w, "freed %s (predicted %s)\n", units.Bytes(r.FreedBytes), units.Bytes(*r.PredictedFreedBytes))
	}
}

func runCleanup(ctx context.Context, e *Engine, env *Envelope) (Result, error) {
	p := env.Plan
	res := CleanupResult{Plan: p, Profile: p.Profile, Deleted: p.Deleted, Kept: p.Kept, PredictedFreedBytes: p.PredictedFreedBytes}
	if res.Deleted == nil {
		res.Deleted = []int{}
	}
	if res.Kept == nil {
		res.Kept = []int{}
	}
	if _, err := e.run(ctx, env); err != nil {
		return res, err
	}
	res.Executed = true
	for path, size := range p.dead {
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			res.FreedBytes += size
		} else {
			e.o.Debugf("cleanup: %s was predicted unreachable but is still there", path)
		}
	}
	return res, nil
}

var ageForm = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]{1,9})([dh])$`) })

// parseAge reads SPEC's durations, "14d" or "12h", up to 100 years; "" is none.
func parseAge(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	m := ageForm().FindStringSubmatch(s)
	bad := fmt.Errorf("%w: older than %q: use a number of days or hours up to 100 years, like 30d or 12h", ErrUsage, s)
	if m == nil {
		return 0, bad
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	hours := n
	if m[2] == "d" {
		hours = n * 24
	}
	if hours > maxAgeDays*24 {
		return 0, bad
	}
	return time.Duration(hours) * time.Hour, nil
}

func genList(g []int) string {
	if len(g) == 0 {
		return "none"
	}
	return fmt.Sprint(g)
}
