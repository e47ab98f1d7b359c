// Package policy owns the Rego decision (SPEC §6): it loads the three policy layers —
// the embedded defaults (package asknix), administrator files (asknix.admin) and user files
// (asknix.user) — refuses a file in the wrong package or one that does not compile, prepares
// one query per process and turns its answer into allow, confirm or deny.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/asknix/ask-nix/policies"
)

// Layer packages.
const (
	DefaultPackage = "asknix"
	AdminPackage   = "asknix.admin"
	UserPackage    = "asknix.user"
)

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

// Options says where the administrator and user layers are.
type Options struct {
	AdminDirs []string // /etc/ask-nix/policies
	UserDirs  []string // $XDG_CONFIG_HOME/ask-nix/policies and --policy-dir
}

// Engine evaluates requests against the prepared policy.
type Engine struct {
	query rego.PreparedEvalQuery
	files []string
}

// internal combines the layers: an administrator may waive a default by id; nothing the
// user layer says can drop anything.
const internal = `package asknix_internal

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

type file struct {
	name, src, pkg string
}

// Load reads and compiles every layer. Test files (*_test.rego) are not part of decisions.
func Load(ctx context.Context, o Options) (*Engine, error) {
	files, err := defaults()
	if err != nil {
		return nil, err
	}
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
	opts := []func(*rego.Rego){
		rego.Query("data.asknix_internal.decision"),
		rego.Module("asknix_internal.rego", internal),
	}
	var names []string
	for _, f := range files {
		mod, err := ast.ParseModuleWithOpts(f.name, f.src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, refuse(err)
		}
		if got := strings.TrimPrefix(mod.Package.Path.String(), "data."); got != f.pkg {
			return nil, fmt.Errorf("%w: %s:%d: package %s, but files here must be package %s", ErrPolicy, f.name, mod.Package.Location.Row, got, f.pkg)
		}
		opts = append(opts, rego.ParsedModule(mod))
		names = append(names, f.name)
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, refuse(err)
	}
	return &Engine{query: pq, files: names}, nil
}

// Files lists the policy files in force.
func (e *Engine) Files() []string { return slices.Clone(e.files) }

func refuse(err error) error {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		first := errs[0]
		if first.Location != nil {
			return fmt.Errorf("%w: %s:%d: %s", ErrPolicy, first.Location.File, first.Location.Row, first.Message)
		}
		return fmt.Errorf("%w: %s", ErrPolicy, first.Message)
	}
	return fmt.Errorf("%w: %v", ErrPolicy, err)
}

func defaults() ([]file, error) {
	entries, err := fs.ReadDir(policies.FS, ".")
	if err != nil {
		return nil, err
	}
	var out []file
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rego") || strings.HasSuffix(e.Name(), "_test.rego") {
			continue
		}
		b, err := fs.ReadFile(policies.FS, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, file{name: "policies/" + e.Name(), src: string(b), pkg: DefaultPackage})
	}
	return out, nil
}

// readDir reads the *.rego files (not tests) of one directory; a missing directory is empty.
func readDir(dir, pkg string) ([]file, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrPolicy, dir, err)
	}
	var out []file
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
		out = append(out, file{name: p, src: string(b), pkg: pkg})
	}
	return out, nil
}

// Decide evaluates input (SPEC §6's input document).
func (e *Engine) Decide(ctx context.Context, input any) (Decision, error) {
	rs, err := e.query.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return Decision{}, fmt.Errorf("evaluate policy: %w", err)
	}
	d := Decision{Outcome: Allow, Reasons: []string{}, IDs: []string{}}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return d, errors.New("evaluate policy: no decision")
	}
	m, ok := rs[0].Expressions[0].Value.(map[string]any)
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
