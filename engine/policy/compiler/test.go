package compiler

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/policies"
)

// Test runs the *_test.rego files with OPA's tester, as `opa test` does: the defaults with
// their tests, the layers in o, and every .rego file under dirs. The defaults are the
// calling ask-nix's (policy.DefaultTestFiles), so that a helper of another build tests the
// policy ask-nix decides with; without them, this program's embedded copy. Modules that do
// not parse are refused with file and line.
func Test(ctx context.Context, o policy.Options, dirs []string, defaults []policy.File) (policy.TestReport, error) {
	mods := map[string]*ast.Module{}
	add := func(name, src string) error {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return refuse(err)
		}
		mods[name] = m
		return nil
	}
	if len(defaults) > 0 {
		for _, f := range defaults {
			if err := add(f.Name, f.Source); err != nil {
				return policy.TestReport{}, err
			}
		}
	} else if err := addEmbedded(add); err != nil {
		return policy.TestReport{}, err
	}
	for _, dir := range append(append(append([]string{}, o.AdminDirs...), o.UserDirs...), dirs...) {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && p == dir && !contains(dirs, dir) {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".rego") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return add(p, string(b))
		})
		if err != nil {
			return policy.TestReport{}, fmt.Errorf("%w: %v", policy.ErrPolicy, err)
		}
	}
	ch, err := tester.NewRunner().SetModules(mods).RunTests(ctx, nil)
	if err != nil {
		return policy.TestReport{}, refuse(err)
	}
	rep := policy.TestReport{Results: []policy.TestResult{}}
	for r := range ch {
		tr := policy.TestResult{Package: strings.TrimPrefix(r.Package, "data."), Name: r.Name, Pass: r.Pass(), Duration: r.Duration.Round(time.Microsecond).String()}
		if r.Location != nil {
			tr.File = r.Location.File
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		if tr.Pass {
			rep.Passed++
		} else {
			rep.Failed++
		}
		rep.Results = append(rep.Results, tr)
	}
	return rep, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addEmbedded adds this program's own copy of the defaults and their tests.
func addEmbedded(add func(name, src string) error) error {
	if err := add("asknix_internal.rego", policy.Internal); err != nil {
		return err
	}
	return fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		return add("policies/"+p, string(b))
	})
}
