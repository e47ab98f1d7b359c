package compiler

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/engine/policy"
)

// adminPolicies are the administrator-style policies of testdata/admin: between them they
// call every built-in the plan evaluator implements, on numbers, strings, times, sets,
// arrays and objects from the input.
func adminPolicies(t testing.TB) []string {
	files, err := filepath.Glob("testdata/admin/*.rego")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d administrator policies in testdata/admin (%v), want at least 20", len(files), err)
	}
	return files
}

// edgeInputs are the inputs where a native evaluator most easily parts from OPA: integers
// past 2^53, fractions, infinities and NaN as text, -0, exponents, dates at the ends of
// what nanoseconds since 1970 hold, a range of two million.
func edgeInputs() []map[string]any {
	nums := []string{"0", "-0", "1", "2", "3", "7", "-1", "0.1", "0.3", "2.5", "1e3", "1E400", "1e-400", "9007199254740992",
		"9007199254740993", "9007199254740994", "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890",
		"0.30000000000000000001", "3.0", "1.000000000000000000001"}
	times := []string{"2026-11-27T10:00:00Z", "2026-11-28T03:00:00Z", "1677-09-21T00:12:43.145224192Z", "1677-09-21T00:12:43.145224191Z",
		"2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775808Z", "1970-01-01T00:00:00Z", "not a time", "2026-02-30T00:00:00Z"}
	texts := []string{"max", "inf", "-Infinity", "NaN", "nan", "+1", "1e2", "0x10", " 5", "2000000", "1_000", ""}
	var out []map[string]any
	add := func(text string, args map[string]any, cfg map[string]any, when string) {
		out = append(out, map[string]any{
			"request": map[string]any{"text": text, "subcommand": false},
			"intent":  map[string]any{"action": "rollback", "args": args, "rule": "builtin", "confidence": 0.9},
			"plan":    map[string]any{"mutates": true, "privileged": true, "argv": []any{[]any{"sudo", "nix-env", "--rollback"}, []any{"curl", "x"}}},
			"user":    map[string]any{"uid": 1000, "name": "alice", "root": false, "groups": []any{"users", "wheel"}},
			"host":    map[string]any{"nixos": true, "store_dir": "/nix/store", "time": when},
			"config":  cfg,
		})
	}
	for i, a := range nums {
		b := nums[(i*7+3)%len(nums)]
		// (numbers.range is as large as asked, in OPA too: its bound stays sane here.)
		ranges := []string{"0", "1", "-1", "3.0", "2.5", "7", "2000000", "1e3"}
		cfg := map[string]any{"max_argv": texts[i%len(texts)], "max_generation": json.Number(ranges[i%len(ranges)]), "sizes": []any{json.Number(a), json.Number(b), json.Number("0.25")},
			"protected": []any{json.Number(b), json.Number(a)}, "limits": map[string]any{"keep": json.Number(b)}, "freeze_until": times[i%len(times)],
			"blocked": []any{"telnet", "steam"}, "banned_words": "evil;bad,,worse"}
		add("rollback to generation "+a+" keep "+b+" please sudo now 1 2 3", map[string]any{"generation": json.Number(a), "keep": json.Number(b), "package": "libsteam-unwrapped"}, cfg, times[(i+3)%len(times)])
	}
	for i, s := range texts {
		cfg := map[string]any{"max_argv": s, "max_generation": json.Number("2000000"), "freeze_until": times[i%len(times)], "banned_words": s}
		add("rollback "+s, map[string]any{"generation": json.Number("1999999"), "keep": json.Number("3")}, cfg, times[i%len(times)])
	}
	return out
}

// TestAdminPoliciesMatchOPA: with each administrator-style policy beside the defaults, the
// plan evaluator decides every edge input and every tenth corpus request, in every shape,
// exactly as OPA does. Any divergence fails the build.
func TestAdminPoliciesMatchOPA(t *testing.T) {
	lines := corpusLines(t)
	for _, file := range adminPolicies(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".rego"), func(t *testing.T) {
			dir := t.TempDir()
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, filepath.Base(file)), b, 0o644)
			p := newPair(t, policy.Options{AdminDirs: []string{dir}})
			for _, in := range edgeInputs() {
				p.check(t, in)
			}
			for i := 0; i < len(lines); i += 10 {
				for _, in := range inputs(lines[i]) {
					p.check(t, in)
				}
			}
		})
	}
}

// FuzzAdminPoliciesMatchOPA: all administrator-style policies at once, on arbitrary text,
// numbers written any way JSON allows and times: the plan evaluator decides as OPA does.
func FuzzAdminPoliciesMatchOPA(f *testing.F) {
	for _, s := range []string{"9007199254740993", "0.1", "1e400", "-0", "2.5", "123456789012345678901234567890"} {
		f.Add("rollback to generation 3", s, "3", "2026-11-28T03:00:00Z", "inf")
	}
	dir := f.TempDir()
	for _, file := range adminPolicies(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(file)), b, 0o644)
	}
	p := newPair(f, policy.Options{AdminDirs: []string{dir}})
	f.Fuzz(func(t *testing.T, text, gen, keep, when, max string) {
		for _, n := range []string{gen, keep} {
			var v any
			if strings.TrimSpace(n) != n || json.Unmarshal([]byte(n), &v) != nil {
				return
			}
			if _, ok := v.(float64); !ok {
				return
			}
		}
		cfg := map[string]any{"max_argv": max, "max_generation": json.Number("7"), "sizes": []any{json.Number(gen), json.Number(keep)},
			"protected": []any{json.Number(keep)}, "limits": map[string]any{"keep": json.Number(gen)}, "freeze_until": when,
			"blocked": []any{max}, "banned_words": max}
		p.check(t, map[string]any{
			"request": map[string]any{"text": text, "subcommand": false},
			"intent":  map[string]any{"action": "rollback", "args": map[string]any{"generation": json.Number(gen), "keep": json.Number(keep), "package": text}, "rule": "builtin", "confidence": 0.9},
			"plan":    map[string]any{"mutates": true, "privileged": true, "argv": []any{[]any{"nix-env"}}},
			"user":    map[string]any{"uid": 1000, "name": "alice", "root": false, "groups": []any{"wheel"}},
			"host":    map[string]any{"nixos": true, "store_dir": "/nix/store", "time": when},
			"config":  cfg,
		})
	})
}
