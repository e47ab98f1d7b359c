package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/cache"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/policy/compiler"
	"github.com/asknix/ask-nix/nixstore"
	"github.com/asknix/ask-nix/nixstore/nixtest"
)

// TestExecutedArgvIsThePlan runs every mutating action, and the reads of the nix CLI
// backend, against real Nix on a private store, and holds the argv the executor started
// to the plan.argv that explain showed and the policy judged.
func TestExecutedArgvIsThePlan(t *testing.T) {
	nixtest.Require(t)
	dir := t.TempDir()
	s := nixtest.NewStore(t, dir)
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".nix-defexpr", "nixpkgs"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The nixpkgs of ~/.nix-defexpr is a local stand-in: install builds from it.
	if err := os.WriteFile(filepath.Join(home, ".nix-defexpr", "nixpkgs", "default.nix"), []byte(`{ ... }: with import `+filepath.Join(dir, "lib.nix")+`; { hello = pkg "hello-2.12" []; }`), 0o644); err != nil {
		t.Fatal(err)
	}
	pkgs := s.Build(t, `[ (pkg "one-1" []) (pkg "two-1" []) (pkg "three-1" []) ]`)
	gens := filepath.Join(dir, "profiles", "gens")
	for _, p := range pkgs {
		s.SetProfile(t, gens, p)
	}
	user := filepath.Join(dir, "profiles", "user")
	s.Install(t, user, `[ (pkg "ripgrep-14.1.0" []) (pkg "jq-1.7" []) ]`)

	var ran [][]string
	newEngine := func(enhanced bool) *Engine {
		e, err := New(context.Background(), Options{
			Host:     nixstore.Host{Store: s.Config, Root: filepath.Join(dir, "root"), Home: home, User: "tester", UID: os.Getuid()},
			User:     User{UID: os.Getuid(), Name: "tester", Root: true},
			Enhanced: enhanced, NoCache: true, CacheTTL: cache.DefaultTTL,
			NixEnv: append(s.Env, "HOME="+home), StateDir: filepath.Join(dir, "state"),
			Policy: policy.Options{Compiler: compiler.Local{}},
			Record: func(argv []string) { ran = append(ran, argv) },
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}
	native, cli := newEngine(true), newEngine(false)
	for _, tc := range []struct {
		e    *Engine
		name string
		req  Request
	}{
		{native, "install", Request{Subcommand: "install", Args: map[string]any{"package": "hello", "profile": user}}},
		{native, "remove", Request{Subcommand: "remove", Args: map[string]any{"package": "jq", "profile": user}}},
		{native, "rollback", Request{Subcommand: "rollback", Args: map[string]any{"profile": gens}}},
		{native, "rollback --to", Request{Subcommand: "rollback", Args: map[string]any{"profile": gens, "generation": 3}}},
		{native, "cleanup", Request{Subcommand: "cleanup", Args: map[string]any{"profile": gens, "keep": 1}}},
		{native, "update --to", Request{Subcommand: "update", Args: map[string]any{"profile": gens, "new_system": pkgs[2]}}},
		{cli, "generations (nix CLI)", Request{Subcommand: "generations", Args: map[string]any{"profile": user}}},
		{cli, "path-info -S (nix CLI)", Request{Subcommand: "path-info", Args: map[string]any{"paths": []string{pkgs[2]}, "closure_size": true}}},
		{cli, "installed (nix CLI)", Request{Subcommand: "installed", Args: map[string]any{"profile": user}}},
		{cli, "diff (nix CLI)", Request{Subcommand: "diff", Args: map[string]any{"profile": user}}},
		{cli, "disk (nix CLI)", Request{Subcommand: "disk", Args: map[string]any{"profile": gens}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ex := tc.req
			ex.Explain = true
			shown, err := tc.e.Handle(ctx, ex)
			if err != nil {
				t.Fatalf("explain: %v", err)
			}
			ran = nil
			run := tc.req
			run.Yes = true
			env, err := tc.e.Handle(ctx, run)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if len(shown.Plan.Argv) == 0 {
				t.Fatalf("explain planned no command: %+v", shown.Plan)
			}
			if !reflect.DeepEqual(ran, shown.Plan.Argv) || !reflect.DeepEqual(env.Plan.Argv, shown.Plan.Argv) {
				t.Errorf("explain showed\n  %q\nthe executor ran\n  %q", shown.Plan.Argv, ran)
			}
		})
	}
}

// TestProfileChangedSinceThePlan: when the profile moves between the plan the person
// confirmed and the run (another nix-env meanwhile), nothing runs and the error says so.
func TestProfileChangedSinceThePlan(t *testing.T) {
	nixtest.Require(t)
	dir := t.TempDir()
	s := nixtest.NewStore(t, dir)
	pkgs := s.Build(t, `[ (pkg "one-1" []) (pkg "two-1" []) (pkg "three-1" []) ]`)
	prof := filepath.Join(dir, "profiles", "gens")
	for _, p := range pkgs[:2] {
		s.SetProfile(t, prof, p)
	}
	var ran [][]string
	e, err := New(context.Background(), Options{
		Host:     nixstore.Host{Store: s.Config, Root: filepath.Join(dir, "root"), Home: dir, User: "tester", UID: os.Getuid()},
		User:     User{UID: os.Getuid(), Name: "tester", Root: true},
		Enhanced: true, NoCache: true, CacheTTL: cache.DefaultTTL, NixEnv: s.Env,
		Policy: policy.Options{Compiler: compiler.Local{}},
		Record: func(argv []string) { ran = append(ran, argv) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i, action := range []string{"rollback", "cleanup"} {
		before, _ := os.Readlink(prof)
		_, err := e.Handle(context.Background(), Request{Subcommand: action, Args: map[string]any{"profile": prof},
			Confirm: func(Plan, policy.Decision, []string) bool {
				s.SetProfile(t, prof, pkgs[2-2*i]) // another nix-env while the person was reading the plan
				return true
			}})
		if !errors.Is(err, ErrProfileChanged) || !strings.Contains(err.Error(), prof+" changed since the plan; run again") {
			t.Errorf("%s: %v", action, err)
		}
		if len(ran) != 0 {
			t.Errorf("%s ran %q", action, ran)
		}
		if after, _ := os.Readlink(prof); after == before {
			t.Fatalf("the test's own change did not happen")
		}
	}
}
