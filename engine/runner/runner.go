// Package runner owns running a plan's commands (SPEC §2, §8): each one exactly as the plan
// the policy judged says (internal/executor refuses anything else), with live progress from
// Nix's internal-json log, retries with backoff when Nix fails for the network, a message
// that says what to run when the operating system refuses, and the audit log and error
// journal in ask-nix's state directory.
package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/internal/executor"
	"github.com/asknix/ask-nix/internal/private"
)

// Options configure a Runner.
type Options struct {
	Env      []string // the caller's environment; the executor reduces it
	StateDir string   // $XDG_STATE_HOME/ask-nix: audit.jsonl, errors.jsonl ("" keeps no logs)
	Now      func() time.Time
	Debugf   func(format string, args ...any)
	// RetryDelays are the waits between attempts of a command that failed for the network
	// (nil: 1 s, 2 s, 4 s).
	RetryDelays []time.Duration
	// Args is the command line as typed, for hints that say what to run again.
	Args []string
	// Progress receives the live progress of a command; step names it ("[1/2] nix-env …").
	Progress func(step string, p nixlog.Progress)
	// Record sees each argv as it starts (tests compare it with the plan).
	Record func(argv []string)
}

// Runner runs plans. It holds no state between calls but its options.
type Runner struct{ o Options }

// New returns a Runner.
func New(o Options) *Runner {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	if o.RetryDelays == nil {
		o.RetryDelays = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	}
	return &Runner{o: o}
}

// Request is what the audit log says a command ran for.
type Request struct {
	Text     string // the request as typed
	Decision string // the policy's outcome
	Source   string // "cli" or "mcp"
	Client   string // the MCP client, name/version
	// Progress, when set, receives this request's progress instead of Options.Progress.
	Progress func(step string, p nixlog.Progress)
}

// Run executes plan's commands in order, exactly as written, and returns the last one's
// output. It stops at the first failure. Each command is in the audit log.
func (r *Runner) Run(ctx context.Context, req Request, plan [][]string) ([]byte, error) {
	ctx = executor.WithPlan(ctx, plan, r.o.Record)
	var out []byte
	for i, argv := range plan {
		step := fmt.Sprintf("[%d/%d] %s", i+1, len(plan), Display(argv))
		var err error
		for attempt := 0; ; attempt++ {
			var msg string
			out, msg, err = r.runOne(ctx, req, step, argv)
			if err == nil {
				break
			}
			cmd := Display(argv)
			switch {
			case ctx.Err() != nil:
				return out, &InterruptedError{Cmd: cmd, Err: ctx.Err()}
			case errors.Is(err, executor.ErrNotPlanned):
				return out, err
			case IsNetworkError(msg) && attempt < len(r.o.RetryDelays):
				d := r.o.RetryDelays[attempt]
				r.o.Debugf("%s failed for the network (%s); retrying in %s", cmd, msg, d)
				select {
				case <-ctx.Done():
					return out, &InterruptedError{Cmd: cmd, Err: ctx.Err()}
				case <-time.After(d):
				}
				continue
			case IsNetworkError(msg):
				return out, &NetworkError{Cmd: cmd, Msg: msg, Attempts: attempt + 1}
			case isPermission(msg):
				return out, &PermissionError{Cmd: cmd, Msg: msg, hint: permissionHint(msg, r.o.Args)}
			}
			return out, fmt.Errorf("%s: %s", cmd, msg)
		}
	}
	return out, nil
}

// Display is a command as a plan shows it in a progress line: without the log-format
// flags, which only feed the progress display.
func Display(argv []string) string {
	var out []string
	for i := 0; i < len(argv); i++ {
		if argv[i] == "--log-format" && i+1 < len(argv) {
			i++
			continue
		}
		out = append(out, argv[i])
	}
	return strings.Join(out, " ")
}

// runOne runs one command with live progress; on failure msg is Nix's own message: the
// last error event, else the last plain line of stderr.
func (r *Runner) runOne(ctx context.Context, req Request, step string, argv []string) (out []byte, msg string, err error) {
	tr := nixlog.NewTracker()
	progress := r.o.Progress
	if req.Progress != nil {
		progress = req.Progress
	}
	w := nixlog.NewWriter(tr, func(p nixlog.Progress) {
		if progress != nil {
			progress(step, p)
		}
	})
	// The record is written before the command starts and completed after it, so that a
	// command whose ask-nix was killed meanwhile is still on record.
	r.audit(req, argv, "started", nil)
	out, err = executor.Run(ctx, executor.Cmd{Argv: argv, Env: r.o.Env, Stderr: w})
	w.Close()
	r.audit(req, argv, "finished", err)
	if err == nil {
		return out, "", nil
	}
	msg = err.Error()
	if errors.Is(err, executor.ErrNotPlanned) {
		return out, msg, err
	}
	if errs := tr.Progress().Errors; len(errs) > 0 {
		msg = errs[len(errs)-1]
	} else if pl := w.Plain(); len(pl) > 0 {
		msg = pl[len(pl)-1]
	}
	return out, strings.TrimPrefix(msg, "error: "), err
}

// WithLogFormat asks Nix's own tools (also behind an elevation command) for --log-format
// internal-json, whose events become live progress (engine/nixlog). Plans are written with
// it, so that the argv the policy judges is the argv that runs.
func WithLogFormat(argv []string) []string {
	at := 0
	if len(argv) > 1 && (argv[0] == "sudo" || argv[0] == "doas" || argv[0] == "run0") {
		at = 1
	}
	switch argv[at] {
	case "nix-env", "nix-store", "nix-build", "nix":
		out := append([]string{}, argv[:at+1]...)
		out = append(out, "--log-format", "internal-json")
		return append(out, argv[at+1:]...)
	}
	return argv
}

// InterruptedError is a command of a plan stopped because the request was cancelled
// (Ctrl-C): it names what was running.
type InterruptedError struct {
	Cmd string
	Err error // the context's error
}

func (e *InterruptedError) Error() string { return "interrupted while running " + e.Cmd }
func (e *InterruptedError) Unwrap() error { return e.Err }

type auditRecord struct {
	Time     time.Time `json:"time"`
	Request  string    `json:"request"`
	Source   string    `json:"source,omitempty"`
	Client   string    `json:"client,omitempty"`
	Argv     []string  `json:"argv"`
	Decision string    `json:"decision"`
	Phase    string    `json:"phase"` // "started", then "finished"
	Error    string    `json:"error,omitempty"`
}

// audit appends a command ask-nix ran, with its decision, to audit.jsonl (SPEC §8).
func (r *Runner) audit(req Request, argv []string, phase string, runErr error) {
	rec := auditRecord{Time: r.o.Now().UTC().Truncate(time.Second), Request: shorten(req.Text), Source: req.Source, Client: req.Client, Argv: argv, Decision: req.Decision, Phase: phase}
	if runErr != nil {
		rec.Error = runErr.Error()
	}
	r.appendJSONL("audit.jsonl", rec)
}

// ErrorRecord is one line of errors.jsonl (SPEC §3 `errors`).
type ErrorRecord struct {
	Time    time.Time `json:"time"`
	Request string    `json:"request"`
	Error   string    `json:"error"`
}

const maxErrorRecords = 200

// maxLogBytes caps errors.jsonl and audit.jsonl; past it a log is rotated to NAME.1.
const maxLogBytes = 1 << 20

// maxRecordBytes: a longer line (a request of 120,000 characters) is shortened.
const maxRecordBytes = 8 << 10

// LogError appends err to errors.jsonl. Failing to log is not an error of the request; it
// is reported under --debug.
func (r *Runner) LogError(request string, err error) {
	if err == nil {
		return
	}
	r.appendJSONL("errors.jsonl", ErrorRecord{Time: r.o.Now().UTC().Truncate(time.Second), Request: shorten(request), Error: shorten(err.Error())})
}

// appendJSONL appends rec as one JSON line to a log in the state directory. A log that
// cannot be written is said under --debug, never an error.
func (r *Runner) appendJSONL(name string, rec any) {
	if r.o.StateDir == "" {
		return
	}
	line, err := json.Marshal(rec)
	if err == nil {
		err = private.MkdirAll(r.o.StateDir)
	}
	path := filepath.Join(r.o.StateDir, name)
	var f *os.File
	if err == nil {
		f, err = private.Append(path)
	}
	if err == nil {
		if st, serr := f.Stat(); serr == nil && st.Size()+int64(len(line)) > maxLogBytes {
			// Rotated at a size cap: the older half is kept as NAME.1.
			f.Close()
			if err = os.Rename(path, path+".1"); err == nil {
				f, err = private.Append(path)
			}
		}
	}
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		r.o.Debugf("%s: %v", name, err)
	}
}

// Errors reads errors.jsonl, newest first (at most the last 200).
func (r *Runner) Errors() ([]ErrorRecord, error) {
	out := []ErrorRecord{}
	if r.o.StateDir == "" {
		return out, nil
	}
	f, err := private.Open(filepath.Join(r.o.StateDir, "errors.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than any ask-nix writes: skipped, not the end of the log.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			continue
		}
		var rec ErrorRecord
		if len(line) > 0 && json.Unmarshal(line, &rec) == nil {
			out = append(out, rec)
		}
		if err != nil {
			break
		}
	}
	if len(out) > maxErrorRecords {
		out = out[len(out)-maxErrorRecords:]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// shorten cuts a string a log record keeps to maxRecordBytes, on a rune boundary.
func shorten(s string) string {
	if len(s) <= maxRecordBytes {
		return s
	}
	cut := maxRecordBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
