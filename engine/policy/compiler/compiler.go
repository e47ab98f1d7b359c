// Package compiler owns everything about policies that needs OPA, kept out of the main
// binary (OPA's package initialisation alone costs ~20 ms a process): compiling the
// layers to OPA's plan form (checking each file's package and reporting file:line),
// evaluating with OPA's own evaluator (the reference the native plan evaluator is tested
// against, and the fallback for plans it cannot run) and running Rego tests. Main is the
// ask-nix-policy helper program's protocol: one policy.Request on stdin, one
// policy.Response on stdout.
package compiler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/asknix/ask-nix/engine/policy"
)

// parse parses every file and checks its package against its layer.
func parse(files []policy.File) ([]*ast.Module, error) {
	var mods []*ast.Module
	for _, f := range files {
		mod, err := ast.ParseModuleWithOpts(f.Name, f.Source, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, refuse(err)
		}
		if got := strings.TrimPrefix(mod.Package.Path.String(), "data."); got != f.Package {
			return nil, fmt.Errorf("%w: %s:%d: package %s, but files here must be package %s", policy.ErrPolicy, f.Name, mod.Package.Location.Row, got, f.Package)
		}
		mods = append(mods, mod)
	}
	return mods, nil
}

func refuse(err error) error {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		first := errs[0]
		if first.Location != nil {
			return fmt.Errorf("%w: %s:%d: %s", policy.ErrPolicy, first.Location.File, first.Location.Row, first.Message)
		}
		return fmt.Errorf("%w: %s", policy.ErrPolicy, first.Message)
	}
	return fmt.Errorf("%w: %v", policy.ErrPolicy, err)
}

// Compile compiles files to a plan for policy.Entrypoint (OPA's `opa build -t plan`).
func Compile(ctx context.Context, files []policy.File) ([]byte, error) {
	mods, err := parse(files)
	if err != nil {
		return nil, err
	}
	// Type-check the way evaluation does, so errors name file and line.
	if _, err := prepare(ctx, mods); err != nil {
		return nil, err
	}
	b := &bundle.Bundle{Data: map[string]any{}}
	for i, m := range mods {
		b.Modules = append(b.Modules, bundle.ModuleFile{Path: files[i].Name, URL: files[i].Name, Raw: []byte(files[i].Source), Parsed: m})
	}
	c := compile.New().WithTarget(compile.TargetPlan).WithEntrypoints(policy.Entrypoint).
		WithBundle(b).WithRegoVersion(ast.RegoV1).WithOutput(io.Discard)
	if err := c.Build(ctx); err != nil {
		return nil, refuse(err)
	}
	out := c.Bundle()
	if len(out.PlanModules) != 1 {
		return nil, fmt.Errorf("compile policy: %d plans, want 1", len(out.PlanModules))
	}
	return out.PlanModules[0].Raw, nil
}

func prepare(ctx context.Context, mods []*ast.Module) (rego.PreparedEvalQuery, error) {
	opts := []func(*rego.Rego){rego.Query("data." + strings.ReplaceAll(policy.Entrypoint, "/", "."))}
	for _, m := range mods {
		opts = append(opts, rego.ParsedModule(m))
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return pq, refuse(err)
	}
	return pq, nil
}

// Topdown evaluates with OPA's own evaluator.
type Topdown struct{ query rego.PreparedEvalQuery }

// NewTopdown prepares files for OPA's evaluator.
func NewTopdown(ctx context.Context, files []policy.File) (*Topdown, error) {
	mods, err := parse(files)
	if err != nil {
		return nil, err
	}
	pq, err := prepare(ctx, mods)
	if err != nil {
		return nil, err
	}
	return &Topdown{query: pq}, nil
}

// Decide evaluates one input document (JSON).
func (t *Topdown) Decide(ctx context.Context, input []byte) (policy.Decision, error) {
	d := json.NewDecoder(bytes.NewReader(input))
	d.UseNumber()
	var in any
	if err := d.Decode(&in); err != nil {
		return policy.Decision{}, fmt.Errorf("evaluate policy: decode input: %w", err)
	}
	rs, err := t.query.Eval(ctx, rego.EvalInput(in))
	if err != nil {
		return policy.Decision{}, fmt.Errorf("evaluate policy: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return policy.Decision{Outcome: policy.Allow, Reasons: []string{}, IDs: []string{}}, errors.New("evaluate policy: no decision")
	}
	return policy.FromResult(rs[0].Expressions[0].Value)
}

// Local is policy.Compiler in this process (tests, and the helper itself).
type Local struct{}

// Compile implements policy.Compiler.
func (Local) Compile(ctx context.Context, files []policy.File) ([]byte, error) {
	return Compile(ctx, files)
}

// Decide implements policy.Compiler.
func (Local) Decide(ctx context.Context, files []policy.File, input []byte) (policy.Decision, error) {
	t, err := NewTopdown(ctx, files)
	if err != nil {
		return policy.Decision{}, err
	}
	return t.Decide(ctx, input)
}

// Test implements policy.Compiler.
func (Local) Test(ctx context.Context, o policy.Options, dirs []string) (policy.TestReport, error) {
	return Test(ctx, o, dirs, nil)
}

// Main is the ask-nix-policy program: it reads one policy.Request from stdin and writes
// one policy.Response to stdout. It exits 0 when it answered (errors travel in the
// response), 2 on a malformed request.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "--version", "version":
			fmt.Fprintln(stdout, policy.HelperName, "(OPA plan compiler for ask-nix)")
			return 0
		default:
			fmt.Fprintf(stderr, "%s: error: takes no arguments; it reads one JSON request on stdin (ask-nix runs it)\n", policy.HelperName)
			return 2
		}
	}
	var req policy.Request
	dec := json.NewDecoder(io.LimitReader(stdin, 64<<20))
	if err := dec.Decode(&req); err != nil {
		fmt.Fprintf(stderr, "%s: error: read request: %v\n", policy.HelperName, err)
		return 2
	}
	var resp policy.Response
	var err error
	switch req.Op {
	case "compile":
		resp.Plan, err = Compile(ctx, req.Files)
	case "decide":
		var d policy.Decision
		if d, err = (Local{}).Decide(ctx, req.Files, req.Input); err == nil {
			resp.Decision = &d
		}
	case "test":
		var rep policy.TestReport
		if rep, err = Test(ctx, policy.Options{AdminDirs: req.Admin, UserDirs: req.User}, req.Dirs, req.Files); err == nil {
			resp.Report = &rep
		}
	default:
		fmt.Fprintf(stderr, "%s: error: unknown op %q\n", policy.HelperName, req.Op)
		return 2
	}
	if err != nil {
		resp.Error = err.Error()
		if errors.Is(err, policy.ErrPolicy) {
			resp.Refused = true
			resp.Error = strings.TrimPrefix(err.Error(), policy.ErrPolicy.Error()+": ")
		}
	}
	if err := json.NewEncoder(stdout).Encode(resp); err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", policy.HelperName, err)
		return 1
	}
	return 0
}
