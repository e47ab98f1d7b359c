package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
)

// Action is the whole definition of one action (SPEC §2): its name, whether it mutates,
// its typed arguments, which profile it takes, its help and examples, how it plans and how
// it runs. Each lives in a file of its own (act_*.go); kong's help texts, `help`, the
// recogniser's action list and `explain` are derived from them (TestActionsReachable holds
// kong, help, completion and the recogniser to this list).
type Action struct {
	Name     string
	Command  string   // the subcommand as typed ("cache stats"); "" when it is the name
	Summary  string   // one line, for help and --help
	Examples []string // what a person types; the first is help's
	Mutates  bool
	// Phrase: a sentence can ask for it, so the recogniser and rule modules may propose it.
	Phrase bool
	// Profile says which profile it takes: "" none, "reads" or "changes" (--profile).
	Profile string
	Args    []Arg
	// Plan computes everything the action will do before anything runs: the exact argv,
	// and the selection (generations, bytes, target). It may read, never change.
	Plan func(ctx context.Context, e *Engine, a Args) (Plan, error)
	// Run does what the plan the policy saw says, and nothing else.
	Run func(ctx context.Context, e *Engine, env *Envelope) (Result, error)
}

// Result is what an action returns: its --json shape is the value itself; Render writes
// it for a person.
type Result interface {
	Render(w io.Writer)
}

// WidthRenderer is a Result that lays itself out for a terminal's width (0: no limit).
type WidthRenderer interface {
	RenderWidth(w io.Writer, width int)
}

// Table marks a Result that is a table: it may be cut to a terminal's width. Anything else
// (a plan above all: the plan shown is the plan run) wraps instead.
type Table interface{ IsTable() }

// IsTable implements Table.
func (SearchResult) IsTable() {}

// IsTable implements Table.
func (OptionsSearchResult) IsTable() {}

// IsTable implements Table.
func (*GenerationsResult) IsTable() {}

// IsTable implements Table.
func (ErrorsResult) IsTable() {}

// IsTable implements Table.
func (*InstalledResult) IsTable() {}

// IsTable implements Table.
func (RulesListResult) IsTable() {}

// ArgKind is the type of an action's argument.
type ArgKind int

// Argument kinds.
const (
	String  ArgKind = iota
	Int             // a non-negative integer, at most an int64 and Max when set
	Bool            // a flag
	Strings         // a list of strings
	Age             // a duration as SPEC writes it: "30d", "12h" (at most 100 years)
)

// Arg is one typed argument of an action (SPEC §3 intent.args).
type Arg struct {
	Name string
	Kind ArgKind
	Help string
	Min  int64 // Int: the smallest value (generations start at 1)
	Max  int64 // Int: the largest value, 0 for any int64
}

// Args are an intent's arguments after they were checked against the action's Args.
type Args map[string]any

// String is a string argument, "" when absent.
func (a Args) String(k string) string { s, _ := a[k].(string); return s }

// Int is an integer argument and whether it was given.
func (a Args) Int(k string) (int, bool) { n, ok := a[k].(int); return n, ok }

// Bool is a flag.
func (a Args) Bool(k string) bool { b, _ := a[k].(bool); return b }

// Strings is a list argument.
func (a Args) Strings(k string) []string { l, _ := a[k].([]string); return l }

// ErrUsage is a malformed argument with no shell syntax in it (SPEC §10: exit 2); it names
// the expected form.
var ErrUsage = errors.New("usage")

// maxAgeDays bounds durations: 100 years (SPEC §10).
const maxAgeDays = 36525

// check reads raw intent arguments as the action declares them. Unknown names and wrong
// types are usage errors; so are numbers out of bounds (SPEC §10).
func (a *Action) check(raw map[string]any) (Args, error) {
	out := Args{}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := raw[k]
		if v == nil {
			continue
		}
		i := slices.IndexFunc(a.Args, func(x Arg) bool { return x.Name == k })
		if i < 0 {
			return nil, fmt.Errorf("%w: %s takes no argument %q", ErrUsage, a.Name, k)
		}
		spec := a.Args[i]
		switch spec.Kind {
		case String:
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%w: %s: %s must be text", ErrUsage, a.Name, k)
			}
			out[k] = s
		case Bool:
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("%w: %s: %s must be true or false", ErrUsage, a.Name, k)
			}
			out[k] = b
		case Strings:
			l := strList(v)
			if l == nil && v != nil {
				if _, isList := v.([]string); !isList {
					if _, isAny := v.([]any); !isAny {
						return nil, fmt.Errorf("%w: %s: %s must be a list of text", ErrUsage, a.Name, k)
					}
				}
			}
			out[k] = l
		case Int:
			n, ok := intArg(v)
			hi := spec.Max
			if hi == 0 {
				hi = math.MaxInt64
			}
			if !ok || int64(n) < spec.Min || int64(n) > hi {
				return nil, fmt.Errorf("%w: %s: %s must be a whole number from %d to %d", ErrUsage, a.Name, strings.ReplaceAll(k, "_", "-"), spec.Min, hi)
			}
			out[k] = n
		case Age:
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%w: %s: %s must be a duration like 30d or 12h", ErrUsage, a.Name, k)
			}
			if _, err := parseAge(s); err != nil {
				return nil, err
			}
			out[k] = s
		}
	}
	return out, nil
}

// Common arguments.
var (
	argProfile = Arg{Name: "profile", Kind: String, Help: "system, user or a profile path"}
	argPackage = Arg{Name: "package", Kind: String, Help: "a package attribute name"}
)

// Actions lists every action, in the order help shows them. The list is made once per
// process; callers must not change it.
func Actions() []*Action {
	actions.once.Do(func() { actions.list = allActions() })
	return actions.list
}

// actions is the list, made on first use (its constructors name Help, which lists them).
var actions struct {
	once sync.Once
	list []*Action
}

func allActions() []*Action {
	return []*Action{
		actSearch(), actInstall(), actRemove(), actInstalled(), actGenerations(), actDiff(), actRollback(),
		actCleanup(), actUpdate(), actDisk(), actInfo(), actConfig(), actCacheStats(), actCacheClear(),
		actErrors(), actHelp(),
		actPathInfo(), actVerify(), actIndexUpdate(), actPolicyTest(), actPolicyCompile(), actRulesList(), actRulesTest(),
	}
}

// LookupAction finds an action by name.
func LookupAction(name string) (*Action, bool) {
	for _, a := range Actions() {
		if a.Name == name {
			return a, true
		}
	}
	return nil, false
}

// CommandLine is the subcommand that runs the action ("cache stats").
func (a *Action) CommandLine() string {
	if a.Command != "" {
		return a.Command
	}
	return a.Name
}

// HelpVars are the actions' summaries for kong's help tags (help:"${action_install}").
func HelpVars() map[string]string {
	out := map[string]string{}
	for _, a := range Actions() {
		out["action_"+strings.ReplaceAll(a.Name, "-", "_")] = strings.ToUpper(a.Summary[:1]) + a.Summary[1:] + "."
	}
	return out
}
