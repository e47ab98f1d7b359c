// Package policy owns the Rego decision (SPEC §6) in the main binary, which does not link
// OPA: it gathers the three policy layers — the embedded defaults (package asknix),
// administrator files (asknix.admin) and user files (asknix.user) — has them compiled to
// OPA's plan form once per change of their contents (by the ask-nix-policy helper, cached
// on disk by the SHA-256 of the sources), evaluates the plan natively (package plan) and
// turns its answer into allow, confirm or deny. A plan using something the native
// evaluator lacks is evaluated by OPA itself through the helper.
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/asknix/ask-nix/engine/internal/atomicfile"

	"github.com/asknix/ask-nix/engine/policy/plan"
	"github.com/asknix/ask-nix/policies"
)

// Layer packages.
const (
	DefaultPackage  = "asknix"
	AdminPackage    = "asknix.admin"
	UserPackage     = "asknix.user"
	InternalPackage = "asknix_internal"
)

// Entrypoint is the rule a decision evaluates.
const Entrypoint = "asknix_internal/decision"

// Outcomes.
const (
	Allow   = "allow"
	Confirm = "confirm"
	Deny    = "deny"
)

// Decision is SPEC §3's "decision".
type Decision struct {
	Outcome string   `json:"outcome"`
	Reasons []string `json:"reasons"`
	IDs     []string `json:"ids"`
}

// ErrPolicy marks a policy file that is refused; the error text names file and line.
var ErrPolicy = errors.New("policy refused")

// File is one policy source and the package its layer requires.
type File struct {
	Name    string `json:"name"`
	Source  string `json:"source"`
	Package string `json:"package"`
}

// Compiler does what needs OPA: compiling the layers to a plan, evaluating with OPA's own
// evaluator, running Rego tests. Helper (the ask-nix-policy program) is the default;
// tests pass package compiler's in-process implementation.
type Compiler interface {
	Compile(ctx context.Context, files []File) ([]byte, error)
	Decide(ctx context.Context, files []File, input []byte) (Decision, error)
	Test(ctx context.Context, o Options, dirs []string) (TestReport, error)
}

// Options says where the administrator and user layers are, where compiled plans are
// kept and who compiles them.
type Options struct {
	AdminDirs []string // /etc/ask-nix/policies
	UserDirs  []string // $XDG_CONFIG_HOME/ask-nix/policies and --policy-dir
	CacheDir  string   // compiled plans; "" keeps them in memory only
	// SharedDirs hold plans compiled ahead for everyone (`policy compile --out`: the
	// package's share/ask-nix/plans, the NixOS module's /etc/ask-nix/plans), read after
	// CacheDir when they belong to root or to this user and nobody else can write them.
	SharedDirs []string
	Compiler   Compiler // nil: the ask-nix-policy helper
}

// Engine evaluates requests against the compiled policy.
type Engine struct {
	prog     *plan.Program // nil: OPA through the compiler decides
	files    []File
	compiler Compiler
	// Fallback says why OPA evaluates instead of the native plan ("" when it does not).
	Fallback string
	// Cached is true when the plan came from the on-disk cache; CachedFrom names the
	// directory it was read from.
	Cached     bool
	CachedFrom string
}

// Internal combines the layers: an administrator may waive a default by id; nothing the
// user layer says can drop anything.
const Internal = `package asknix_internal

waived contains id if some id in data.asknix.admin.waive

denials contains d if {
	some d in data.asknix.deny
	not waived[d.id]
}
denials contains d if some d in data.asknix.admin.deny
denials contains d if some d in data.asknix.user.deny

confirmations contains d if {
	some d in data.asknix.confirm
	not waived[d.id]
}
confirmations contains d if some d in data.asknix.admin.confirm
confirmations contains d if some d in data.asknix.user.confirm

decision := {"deny": denials, "confirm": confirmations}
`

// Sources reads every layer: the combining module, the embedded defaults, then the
// administrator and user directories. Test files (*_test.rego) are not part of decisions.
func Sources(o Options) ([]File, error) {
	files := []File{{Name: "asknix_internal.rego", Source: Internal, Package: InternalPackage}}
	defs, err := defaults()
	if err != nil {
		return nil, err
	}
	files = append(files, defs...)
	for _, layer := range []struct {
		dirs []string
		pkg  string
	}{{o.AdminDirs, AdminPackage}, {o.UserDirs, UserPackage}} {
		for _, dir := range layer.dirs {
			fs, err := readDir(dir, layer.pkg)
			if err != nil {
				return nil, err
			}
			files = append(files, fs...)
		}
	}
	return files, nil
}

// Load gathers the layers and prepares their plan: from the cache when the sources are
// unchanged, else compiled by the compiler (a refused file is ErrPolicy with file:line).
func Load(ctx context.Context, o Options) (*Engine, error) {
	files, err := Sources(o)
	if err != nil {
		return nil, err
	}
	c := o.Compiler
	if c == nil {
		c = Helper{}
	}
	e := &Engine{files: files, compiler: c}
	key := Key(files)
	for i, dir := range append([]string{o.CacheDir}, o.SharedDirs...) {
		data, ok := readCache(dir, key, i > 0)
		if !ok {
			continue
		}
		if reason, isMarker := strings.CutPrefix(string(data), unsupportedMarker); isMarker {
			e.Fallback, e.Cached, e.CachedFrom = reason, true, dir
			return e, nil
		}
		if prog, err := plan.Decode(data); err == nil {
			e.prog, e.Cached, e.CachedFrom = prog, true, dir
			return e, nil
		}
		// A corrupt or stale entry is compiled again (and replaced in CacheDir).
	}
	data, prog, fallback, err := compile(ctx, c, files)
	if err != nil {
		return nil, err
	}
	e.prog, e.Fallback = prog, fallback
	writeCache(o.CacheDir, key, data)
	return e, nil
}

// compile has the compiler compile files and returns what the cache keeps: the plan in
// binary form, or the marker saying why OPA must evaluate these sources (fallback).
func compile(ctx context.Context, c Compiler, files []File) (data []byte, prog *plan.Program, fallback string, err error) {
	raw, err := c.Compile(ctx, files)
	if err != nil {
		return nil, nil, "", err
	}
	prog, err = plan.Load(raw)
	switch {
	case errors.Is(err, plan.ErrUnsupported):
		return []byte(unsupportedMarker + err.Error()), nil, err.Error(), nil
	case err != nil:
		return nil, nil, "", fmt.Errorf("load compiled policy: %w", err)
	}
	data, err = prog.MarshalBinary()
	if err != nil {
		return nil, nil, "", fmt.Errorf("encode compiled policy: %w", err)
	}
	return data, prog, "", nil
}

// CompileShared compiles the layers every user shares — the defaults and the
// administrator's, not a user's own — and writes their plan into dir, readable by all,
// where Load finds it through SharedDirs (`policy compile --out DIR`). It returns the
// file written.
func CompileShared(ctx context.Context, o Options, dir string) (string, error) {
	files, err := Sources(Options{AdminDirs: o.AdminDirs})
	if err != nil {
		return "", err
	}
	c := o.Compiler
	if c == nil {
		c = Helper{}
	}
	data, _, _, err := compile(ctx, c, files)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("compiled plans: %w", err)
	}
	p := filepath.Join(dir, Key(files)+".plan")
	if err := atomicfile.Write(p, data, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return p, nil
}

// unsupportedMarker starts a cache entry that records why OPA must evaluate these
// sources (so the helper is not asked to compile them again).
const unsupportedMarker = "ask-nix-plan-unsupported\n"

// Files lists the policy files in force.
func (e *Engine) Files() []string {
	var out []string
	for _, f := range e.files {
		if f.Package != InternalPackage {
			out = append(out, f.Name)
		}
	}
	return out
}

// Test runs the *_test.rego files with OPA's tester (through the compiler), as `opa
// test` does: the layers in o with their tests and every .rego file under dirs.
func Test(ctx context.Context, o Options, dirs []string) (TestReport, error) {
	c := o.Compiler
	if c == nil {
		c = Helper{}
	}
	return c.Test(ctx, o, dirs)
}

// TestResult is one Rego test's outcome (`policy test --json`).
type TestResult struct {
	Package  string `json:"package"`
	Name     string `json:"name"`
	File     string `json:"file"`
	Pass     bool   `json:"pass"`
	Error    string `json:"error,omitempty"`
	Duration string `json:"duration"`
}

// TestReport is the result of `policy test`.
type TestReport struct {
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	Results []TestResult `json:"results"`
}

func defaults() ([]File, error) { return embedded(false) }

// DefaultTestFiles are the combining module and the embedded defaults with their tests:
// what `policy test` tests, sent to the helper so that it tests this build's policy.
func DefaultTestFiles() ([]File, error) {
	files, err := embedded(true)
	if err != nil {
		return nil, err
	}
	return append([]File{{Name: "asknix_internal.rego", Source: Internal, Package: InternalPackage}}, files...), nil
}

func embedded(withTests bool) ([]File, error) {
	entries, err := fs.ReadDir(policies.FS, ".")
	if err != nil {
		return nil, err
	}
	var out []File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rego") || (!withTests && strings.HasSuffix(e.Name(), "_test.rego")) {
			continue
		}
		b, err := fs.ReadFile(policies.FS, e.Name())
		if err != nil {
			return nil, err
		}
		pkg := DefaultPackage
		if strings.HasSuffix(e.Name(), "_test.rego") {
			pkg += "_test"
		}
		out = append(out, File{Name: "policies/" + e.Name(), Source: string(b), Package: pkg})
	}
	return out, nil
}

// readDir reads the *.rego files (not tests) of one directory; a missing directory is empty.
func readDir(dir, pkg string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrPolicy, dir, err)
	}
	var out []File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".rego") || strings.HasSuffix(n, "_test.rego") {
			continue
		}
		p := filepath.Join(dir, n)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrPolicy, p, err)
		}
		out = append(out, File{Name: p, Source: string(b), Package: pkg})
	}
	return out, nil
}

// Decide evaluates input (SPEC §6's input document).
func (e *Engine) Decide(ctx context.Context, input any) (Decision, error) {
	raw, err := json.Marshal(input)
	if err != nil {
		return Decision{}, fmt.Errorf("evaluate policy: encode input: %w", err)
	}
	if e.prog == nil {
		return e.compiler.Decide(ctx, e.files, raw)
	}
	in, err := plan.FromJSON(raw)
	if err != nil {
		return Decision{}, fmt.Errorf("evaluate policy: %w", err)
	}
	v, ok, err := e.prog.Eval(ctx, Entrypoint, in)
	if err != nil {
		return Decision{}, fmt.Errorf("evaluate policy: %w", err)
	}
	if !ok {
		return Decision{Outcome: Allow, Reasons: []string{}, IDs: []string{}}, errors.New("evaluate policy: no decision")
	}
	return FromResult(plan.ToGo(v))
}

// FromResult shapes the value of the decision rule ({"deny": [...], "confirm": [...]}).
func FromResult(v any) (Decision, error) {
	d := Decision{Outcome: Allow, Reasons: []string{}, IDs: []string{}}
	m, ok := v.(map[string]any)
	if !ok {
		return d, errors.New("evaluate policy: decision is not an object")
	}
	denials, confirms := items(m["deny"]), items(m["confirm"])
	switch {
	case len(denials) > 0:
		d.Outcome = Deny
		d.Reasons, d.IDs = split(denials)
	case len(confirms) > 0:
		d.Outcome = Confirm
		d.Reasons, d.IDs = split(confirms)
	}
	return d, nil
}

type item struct{ id, msg string }

func items(v any) []item {
	list, _ := v.([]any)
	var out []item
	for _, x := range list {
		switch o := x.(type) {
		case map[string]any:
			id, _ := o["id"].(string)
			msg, _ := o["msg"].(string)
			if msg == "" {
				msg = id
			}
			out = append(out, item{id, msg})
		case string:
			out = append(out, item{o, o})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if pi, pj := priority(out[i].id), priority(out[j].id); pi != pj {
			return pi < pj
		}
		if out[i].id != out[j].id {
			return out[i].id < out[j].id
		}
		return out[i].msg < out[j].msg
	})
	return out
}

// priority puts the security denials first: they are what a user must read.
func priority(id string) int {
	switch {
	case id == "raw-command":
		return 0
	case id == "shell-syntax":
		return 1
	case strings.HasPrefix(id, "unicode-"):
		return 2
	}
	return 3
}

func split(list []item) (reasons, ids []string) {
	reasons, ids = []string{}, []string{}
	for _, it := range list {
		reasons = append(reasons, it.msg)
		if !slices.Contains(ids, it.id) {
			ids = append(ids, it.id)
		}
	}
	return reasons, ids
}
