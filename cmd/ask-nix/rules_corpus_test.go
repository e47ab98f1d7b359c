package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/policy/compiler"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/rules"
)

// TestExampleRulesLeaveEnglishAlone: with the example rule modules installed (German,
// the administrator's aliases, the WAT "gens"), every English phrasing of the intent
// corpus is understood exactly as the built-in recogniser alone understands it.
func TestExampleRulesLeaveEnglishAlone(t *testing.T) {
	rd := ruleModules(t)
	f, err := os.Open("../../engine/intent/testdata/phrases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	eng, err := engine.New(context.Background(), engine.Options{
		Rules:    rules.Options{Dirs: []string{filepath.Join(rd, "rules")}, CompileCacheDir: filepath.Join(dir, "wasm")},
		NoCache:  true,
		StateDir: filepath.Join(dir, "state"),
		Policy:   policy.Options{Compiler: compiler.Local{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	alone, err := engine.New(context.Background(), engine.Options{NoCache: true, StateDir: filepath.Join(dir, "state-alone"),
		Policy: policy.Options{Compiler: compiler.Local{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer alone.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		text, _, _ := strings.Cut(line, "\t")
		env, _ := eng.Handle(context.Background(), engine.Request{Text: text, Explain: true})
		wenv, _ := alone.Handle(context.Background(), engine.Request{Text: text, Explain: true})
		if env == nil || wenv == nil {
			t.Fatalf("%q: no envelope", text)
		}
		got, want := env.Intent, wenv.Intent
		if got.Action != want.Action || got.Action != "unknown" && (got.Rule != want.Rule || !reflect.DeepEqual(got.Args, want.Args)) {
			t.Errorf("%q: with the example rules %s %v (%s), alone %s %v", text, got.Action, got.Args, got.Rule, want.Action, want.Args)
		}
		n++
	}
	if n < 300 {
		t.Fatalf("only %d phrasings read", n)
	}
}
