// Package executor is the only place ask-nix starts programs. It runs an argv — never a
// command line, never through a shell — with the program resolved to an absolute path, in
// a minimal environment. Programs that are shells or interpreters are refused by name and
// by what their path resolves to, so no request can reach a shell through here.
package executor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrNotFound: the program is not on PATH.
var ErrNotFound = exec.ErrNotFound

// ErrRefused marks an argv the executor will not run.
var ErrRefused = errors.New("refused to run")

// refused are shells and interpreters: anything that would run text as code.
var refused = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true, "csh": true, "tcsh": true,
	"fish": true, "ash": true, "busybox": true, "toybox": true, "env": true, "xargs": true, "perl": true, "python": true,
	"python3": true, "ruby": true, "node": true, "lua": true, "php": true, "tclsh": true, "expect": true, "awk": true,
	"gawk": true, "mawk": true, "nawk": true, "sed": true, "eval": true, "exec": true, "nohup": true, "setsid": true,
	"script": true, "su": true, "nix-shell": true, "nix-build": true, "nix-instantiate": true, "osascript": true,
	"cmd": true, "cmd.exe": true, "powershell": true, "pwsh": true,
}

// Refused reports whether a program name or path names a shell or an interpreter.
func Refused(program string) bool {
	base := filepath.Base(program)
	if refused[base] || strings.HasPrefix(base, "python") || strings.HasPrefix(base, "perl") || strings.HasPrefix(base, "ruby") {
		return true
	}
	return false
}

// envKeys are the variables a child keeps; everything else is dropped.
var envKeys = []string{
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TERM", "NO_COLOR",
	"NIX_STORE_DIR", "NIX_STATE_DIR", "NIX_LOG_DIR", "NIX_CONF_DIR", "NIX_CONFIG", "NIX_PATH", "NIX_REMOTE",
	"NIX_SSL_CERT_FILE", "SSL_CERT_FILE", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME",
	"XDG_RUNTIME_DIR",
}

// Elevation reports whether a program is an elevation command (sudo, doas, run0).
func Elevation(program string) bool {
	switch filepath.Base(program) {
	case "sudo", "doas", "run0", "pkexec":
		return true
	}
	return false
}

// elevatedKeys are all a command run through the elevation command gets: NIX_CONFIG
// (post-build-hook = …), NIX_PATH, NIX_REMOTE, HOME or XDG_* from the caller would reach a
// root process. Anything else the command needs is an argument, in the plan.
var elevatedKeys = []string{"PATH", "LANG", "NIX_STORE_DIR", "NIX_STATE_DIR"}

// ElevatedEnv is the fixed minimal environment of an elevated command: PATH, LANG and the
// store's location.
func ElevatedEnv(env []string) []string {
	var out []string
	for _, k := range elevatedKeys {
		if v := lookup(env, k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// MinimalEnv keeps from env only the variables Nix needs.
func MinimalEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		for _, keep := range envKeys {
			if k == keep {
				out = append(out, kv)
				break
			}
		}
	}
	return out
}

// Resolve finds argv[0] on the PATH of env (or takes it as given when absolute) and
// refuses shells, also when a link resolves to one.
func Resolve(argv0 string, env []string) (string, error) {
	if argv0 == "" {
		return "", fmt.Errorf("%w: an empty program name", ErrRefused)
	}
	if Refused(argv0) {
		return "", fmt.Errorf("%w %s: shells and interpreters are never run", ErrRefused, argv0)
	}
	if strings.ContainsAny(argv0, " \t\n;&|`$<>") {
		return "", fmt.Errorf("%w %q: not a program name", ErrRefused, argv0)
	}
	path := argv0
	if !filepath.IsAbs(argv0) {
		if strings.Contains(argv0, "/") {
			return "", fmt.Errorf("%w %s: relative program paths are not run", ErrRefused, argv0)
		}
		found := ""
		for _, dir := range filepath.SplitList(lookup(env, "PATH")) {
			if dir == "" || !filepath.IsAbs(dir) {
				continue
			}
			p := filepath.Join(dir, argv0)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				found = p
				break
			}
		}
		if found == "" {
			return "", fmt.Errorf("%s: %w", argv0, exec.ErrNotFound)
		}
		path = found
	}
	if real, err := filepath.EvalSymlinks(path); err == nil && Refused(real) {
		return "", fmt.Errorf("%w %s: it is %s, a shell or interpreter", ErrRefused, argv0, real)
	}
	return path, nil
}

// ErrNoHelper marks one of ask-nix's helper programs that is not installed.
var ErrNoHelper = errors.New("not installed beside ask-nix or on PATH")

// Beside finds one of ask-nix's helper programs (ask-nix-policy, -tui, -index), what it is
// named in errors ("the policy compiler"): next to the running executable first, where a
// package installs them together, then on PATH. Not found, the error wraps ErrNoHelper.
func Beside(what, name string, env []string) (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := Resolve(name, env)
	if err != nil {
		return "", fmt.Errorf("%s %s is %w (%v)", what, name, ErrNoHelper, err)
	}
	return p, nil
}

func lookup(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// Cmd is one command to run.
type Cmd struct {
	Argv   []string
	Env    []string // the caller's environment; reduced with MinimalEnv unless FullEnv
	Stdin  io.Reader
	Stdout io.Writer // nil: captured and returned
	Stderr io.Writer // nil: captured, its last line goes into the error
	// FullEnv passes Env unchanged (the nix CLI backend: NIX_* overrides of tests).
	FullEnv bool
	// ExtraFiles become descriptors 3, 4, … of the program.
	ExtraFiles []*os.File
	// Interrupt: when ctx ends, the program gets SIGTERM and time to finish what it is
	// writing (ask-nix's own helpers), instead of SIGKILL; SIGKILL follows after a while.
	Interrupt bool
}

// interruptible makes cmd end with SIGTERM, then SIGKILL after ten seconds.
func interruptible(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
}

// Started is a program Start started.
type Started struct {
	cmd   *exec.Cmd
	argv0 string
}

// Wait waits for the program to end.
func (s *Started) Wait() error {
	if err := s.cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %w", s.argv0, err)
	}
	return nil
}

// command resolves c's program (refusing shells) and builds its exec.Cmd: argv, the
// environment, the end on cancellation and the standard streams as given.
func command(ctx context.Context, c Cmd) (*exec.Cmd, error) {
	if len(c.Argv) == 0 {
		return nil, fmt.Errorf("%w: an empty command", ErrRefused)
	}
	if err := checkPlan(ctx, c.Argv); err != nil {
		return nil, err
	}
	prog, err := Resolve(c.Argv[0], c.Env)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, prog, c.Argv[1:]...)
	cmd.Args[0] = c.Argv[0]
	if c.Interrupt {
		interruptible(cmd)
	}
	cmd.Env = c.Env
	switch {
	case Elevation(c.Argv[0]):
		cmd.Env = ElevatedEnv(c.Env)
	case !c.FullEnv:
		cmd.Env = MinimalEnv(c.Env)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	cmd.ExtraFiles = c.ExtraFiles
	return cmd, nil
}

// Start starts c without waiting for it, for a program that works beside ask-nix (the
// search screen): c's Stdin, Stdout and Stderr are the program's, and its ExtraFiles.
func Start(ctx context.Context, c Cmd) (*Started, error) {
	cmd, err := command(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Argv[0], err)
	}
	return &Started{cmd: cmd, argv0: c.Argv[0]}, nil
}

// Run runs c and returns its captured stdout.
func Run(ctx context.Context, c Cmd) ([]byte, error) {
	cmd, err := command(ctx, c)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	if c.Stdout == nil {
		cmd.Stdout = &stdout
	}
	if c.Stderr == nil {
		cmd.Stderr = &stderr
	}
	if err := cmd.Run(); err != nil {
		msg := lastLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.Bytes(), fmt.Errorf("%s: %s", c.Argv[0], msg)
	}
	return stdout.Bytes(), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return strings.TrimPrefix(l, "error: ")
		}
	}
	return ""
}

// Exec replaces this process with argv[0] (resolved as Resolve does: never a shell), for a
// helper that takes over ask-nix's standard streams (ask-nix mcp). It returns only on error.
func Exec(argv, env []string) error {
	prog, err := Resolve(argv[0], env)
	if err != nil {
		return err
	}
	return syscall.Exec(prog, argv, env)
}

// ErrNotPlanned marks a command that is not in the plan its request was judged on.
var ErrNotPlanned = errors.New("not in the plan the policy judged")

type planKey struct{}

// planned is the plan a context carries: the argvs that may run under it, and a recorder.
type planned struct {
	argv   [][]string
	record func(argv []string)
}

// WithPlan returns a context under which Run and Start run only an argv of plan, exactly
// as written there (SPEC §3: plan.argv is what runs): anything else fails with
// ErrNotPlanned and nothing starts. record, when not nil, sees each argv that starts.
func WithPlan(ctx context.Context, plan [][]string, record func(argv []string)) context.Context {
	return context.WithValue(ctx, planKey{}, &planned{argv: plan, record: record})
}

// checkPlan refuses argv when ctx carries a plan that does not hold it.
func checkPlan(ctx context.Context, argv []string) error {
	p, ok := ctx.Value(planKey{}).(*planned)
	if !ok {
		return nil
	}
	for _, a := range p.argv {
		if slices.Equal(a, argv) {
			if p.record != nil {
				p.record(slices.Clone(argv))
			}
			return nil
		}
	}
	return fmt.Errorf("%w: %s", ErrNotPlanned, strings.Join(argv, " "))
}
