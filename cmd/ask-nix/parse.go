package main

import (
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/alecthomas/kong"
)

// parse reads the command line into a cli. Building kong's model of every command is the
// largest part of a read-only request's start-up after the Go runtime (~4,000 allocations,
// ~130 fresh pages here), so when the command line names its command, kong sees only the
// global flags and that command: a struct type made of those two fields of cli by
// reflection, copied back into the cli after parsing. --version with only boolean flags is
// answered without a model; help, completion and anything parse cannot place get the whole
// model. TestPrunedParseMatchesFull holds them all to the same results and messages.
func parse(args []string, stdout, stderr io.Writer) (c *cli, kctx *kong.Context, code int, err error) {
	c = &cli{}
	if onlyVersion(args) {
		// What kong's version flag does (TestPrunedParseMatchesFull compares), without
		// building a model: this is ask-nix's start-up floor.
		fmt.Fprintln(stdout, versionString())
		return nil, nil, 0, nil
	}
	if name, ok := commandField(args); ok {
		t := reflect.TypeFor[cli]()
		fields := []string{"Globals"}
		if name != "" {
			fields = append(fields, name)
		}
		var sf []reflect.StructField
		for _, n := range fields {
			f, _ := t.FieldByName(n)
			f.Index, f.Offset = nil, 0
			sf = append(sf, f)
		}
		v := reflect.New(reflect.StructOf(sf))
		kctx, code, err = parseInto(v.Interface(), args, stdout, stderr)
		full := reflect.ValueOf(c).Elem()
		for i, n := range fields {
			full.FieldByName(n).Set(v.Elem().Field(i))
		}
	} else {
		kctx, code, err = parseInto(c, args, stdout, stderr)
	}
	if err != nil || kctx == nil {
		return nil, nil, code, err
	}
	return c, kctx, 0, nil
}

// commandField names the field of cli that args select: the command named by the first
// argument that is neither a flag nor a flag's value, or Ask (the default command) when
// that argument names none. With no such argument it is "" (the global flags alone) when
// --version is there, and false otherwise, as for help and completion: those need the
// whole model.
func commandField(args []string) (string, bool) {
	t := reflect.TypeFor[cli]()
	version, flags := false, true
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !flags:
		case a == "--":
			flags = false // what follows is positional, the command name too
			continue
		case a == "-h" || a == "--help":
			return "", false
		case a == "--version":
			version = true
			continue
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && globalTakesValue(a[2:]) {
				i++
			}
			continue
		case strings.HasPrefix(a, "-") && a != "-":
			if strings.Contains(a[1:], "h") {
				return "", false // -h among combined short flags
			}
			continue
		}
		if a == "completion" || a == "man" {
			return "", false // they print the whole model
		}
		for j := range t.NumField() {
			f := t.Field(j)
			if _, cmd := f.Tag.Lookup("cmd"); cmd && f.Name != "Ask" && kongName(f) == a {
				return f.Name, true
			}
		}
		return "Ask", true
	}
	return "", version
}

// onlyVersion reports whether args are --version and boolean global flags only.
func onlyVersion(args []string) bool {
	version := false
	for _, a := range args {
		name, ok := strings.CutPrefix(a, "--")
		if !ok || strings.Contains(name, "=") {
			return false
		}
		if name == "version" {
			version = true
			continue
		}
		f, ok := globalField(name)
		if !ok || f.Type.Kind() != reflect.Bool {
			return false
		}
	}
	return version
}

// globalField is the global flag --name.
func globalField(name string) (reflect.StructField, bool) {
	t := reflect.TypeFor[Globals]()
	for i := range t.NumField() {
		if f := t.Field(i); kongName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// globalTakesValue reports whether --name is a global flag followed by its value.
func globalTakesValue(name string) bool {
	f, ok := globalField(name)
	return ok && f.Type.Kind() != reflect.Bool && f.Type != reflect.TypeFor[kong.VersionFlag]()
}

// kongName is kong's name for a command or flag field: its name tag, or the field name in
// kebab case.
func kongName(f reflect.StructField) string {
	if n := f.Tag.Get("name"); n != "" {
		return n
	}
	var b strings.Builder
	for i, r := range f.Name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseInto runs kong over target (a *cli, or the pruned struct parse builds). A nil
// context with a nil error means kong already answered (--help, --version) with code.
func parseInto(target any, args []string, stdout, stderr io.Writer) (kctx *kong.Context, code int, err error) {
	defer func() {
		if r := recover(); r != nil {
			ec, ok := r.(exitCode)
			if !ok {
				panic(r)
			}
			code, err = int(ec), nil
			if code == 80 {
				code = 2
			}
			kctx = nil
		}
	}()
	k, err := kong.New(target,
		kong.Name("ask-nix"),
		kong.Description("Run Nix and NixOS in plain words: ask-nix \"list my generations\".\n\n"+
			"ask-nix recognises what a request asks for, plans it, asks the Rego policies in force "+
			"whether it may run, answers reads natively from the Nix store and runs changes through "+
			"Nix's own tools after showing the plan. Exit status: 0 success, 1 error, 2 usage, 3 "+
			"denied by policy, 4 confirmation needed or declined, 130 interrupted."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
		kong.Vars{"version": versionString()},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		return nil, 1, err
	}
	kctx, err = k.Parse(args)
	if err != nil {
		return nil, 2, fmt.Errorf("%w: %s", errUsage, rewriteKong(err.Error()))
	}
	return kctx, 0, nil
}

// kongMessages rewrite kong's parser errors in ask-nix's words: what is expected, in the
// form a user types.
var kongMessages = sync.OnceValue(func() []kongMessage {
	return []kongMessage{
		{regexp.MustCompile(`^--([a-z-]+): expected (?:string|int|path) value but got "EOL" \(<EOL>\)$`), "--$1 needs a value"},
		{regexp.MustCompile(`^--([a-z-]+): expected a valid 64 bit int but got "(.*)"$`), "--$1 takes a whole number, not \"$2\""},
		{regexp.MustCompile(`^--([a-z-]+): expected int value but got "(.*)".*$`), "--$1 takes a whole number, not \"$2\""},
		{regexp.MustCompile(`^\[?<([a-z-]+)>\]?: expected a valid 64 bit int but got "(.*)"$`), "$1 must be a generation number, not \"$2\""},
		{regexp.MustCompile(`^expected "<([a-z-]+)>(?: \.\.\.)?"$`), "missing $1"},
		{regexp.MustCompile(`^<([a-z-]+)> must be one of (.*) but got "(.*)"$`), "$1 must be one of $2, not \"$3\""},
		{regexp.MustCompile(`^unexpected argument (.*)$`), "unexpected argument $1"},
	}
})

type kongMessage struct {
	re   *regexp.Regexp
	with string
}

// rewriteKong says a kong error in ask-nix's own style.
func rewriteKong(msg string) string {
	for _, m := range kongMessages() {
		if m.re.MatchString(msg) {
			return m.re.ReplaceAllString(msg, m.with)
		}
	}
	return msg
}
