// Package nixlog owns reading Nix's `--log-format internal-json` stream: lines of
// `@nix {json}` describing activities (builds, substitutions, copies, downloads) and
// their results. A Tracker folds the events into a Progress — builds done of expected,
// paths copied, bytes transferred, the current step, the last build-log line and the
// error messages — which the command renders as a progress line on a TTY or as JSON lines.
package nixlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/asknix/ask-nix/engine/units"
)

// Activity types (Nix's src/libutil/logging.hh).
const (
	actCopyPath     = 100
	actFileTransfer = 101
	actRealise      = 102
	actCopyPaths    = 103
	actBuilds       = 104
	actBuild        = 105
	actSubstitute   = 108
)

// Result types.
const (
	resBuildLogLine = 101
	resSetPhase     = 104
	resProgress     = 105
	resSetExpected  = 106
)

// Event is one `@nix` line.
type Event struct {
	Action string            `json:"action"` // start, stop, result, msg
	ID     uint64            `json:"id"`
	Level  int               `json:"level"`
	Type   int               `json:"type"`
	Text   string            `json:"text"`
	Fields []json.RawMessage `json:"fields"`
	Msg    string            `json:"msg"`
	RawMsg string            `json:"raw_msg"`
}

// ErrNotNix is a line that is not an `@nix` event (plain output mixed into stderr).
var ErrNotNix = errors.New("not an @nix line")

// ParseLine reads one line of the stream.
func ParseLine(line []byte) (Event, error) {
	var e Event
	rest, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r\n"), []byte("@nix "))
	if !ok {
		return e, ErrNotNix
	}
	if err := json.Unmarshal(rest, &e); err != nil {
		return e, fmt.Errorf("bad @nix event: %w", err)
	}
	switch e.Action {
	case "start", "stop", "result", "msg":
		return e, nil
	}
	return e, fmt.Errorf("bad @nix event: unknown action %q", e.Action)
}

func (e Event) intField(i int) (int64, bool) {
	if i >= len(e.Fields) {
		return 0, false
	}
	var n int64
	if json.Unmarshal(e.Fields[i], &n) != nil {
		return 0, false
	}
	return n, true
}

func (e Event) strField(i int) string {
	if i >= len(e.Fields) {
		return ""
	}
	var s string
	json.Unmarshal(e.Fields[i], &s)
	return s
}

// Progress is the state of one Nix command.
type Progress struct {
	BuildsDone     int    `json:"buildsDone"`
	BuildsExpected int    `json:"buildsExpected"`
	BuildsRunning  int    `json:"buildsRunning"`
	BuildsFailed   int    `json:"buildsFailed"`
	CopiesDone     int    `json:"copiesDone"`
	CopiesExpected int    `json:"copiesExpected"`
	BytesDone      int64  `json:"bytesDone"`
	BytesExpected  int64  `json:"bytesExpected"`
	Current        string `json:"current,omitempty"`
	LastLog        string `json:"lastLog,omitempty"`
	// Errors are Nix's error messages (level 0), without colour codes.
	Errors []string `json:"errors,omitempty"`
}

type activity struct {
	typ        int
	text       string
	done, size int64
}

// Tracker folds events into a Progress. It is safe for one writer and concurrent readers.
type Tracker struct {
	mu     sync.Mutex
	acts   map[uint64]*activity
	p      Progress
	copied map[uint64]int64    // bytes of finished copies
	builds map[uint64][4]int64 // each actBuilds activity's done, expected, running, failed
	copies map[uint64][2]int64 // each actCopyPaths activity's done, expected
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker {
	return &Tracker{acts: map[uint64]*activity{}, copied: map[uint64]int64{}, builds: map[uint64][4]int64{}, copies: map[uint64][2]int64{}}
}

var ansi = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]") })

// Feed applies one event; it reports whether the visible progress changed.
func (t *Tracker) Feed(e Event) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	before := t.p.summary()
	switch e.Action {
	case "start":
		a := &activity{typ: e.Type, text: ansi().ReplaceAllString(e.Text, "")}
		t.acts[e.ID] = a
		switch e.Type {
		case actBuild:
			a.text = "building " + drvName(e.strField(0))
			t.p.Current = a.text
		case actSubstitute:
			a.text = "fetching " + storeName(e.strField(0))
			t.p.Current = a.text
		case actCopyPath:
			if f := e.strField(0); f != "" {
				a.text = "copying " + storeName(f)
			}
			t.p.Current = a.text
		case actFileTransfer:
			if f := e.strField(0); f != "" {
				a.text = "downloading " + path.Base(f)
			}
			t.p.Current = a.text
		}
	case "stop":
		if a, ok := t.acts[e.ID]; ok {
			if a.typ == actCopyPath {
				// A copy that stops has copied everything (a failure is an error message).
				t.copied[e.ID] = max(a.done, a.size)
			}
			if t.p.Current == a.text {
				t.p.Current = ""
			}
			delete(t.acts, e.ID)
		}
	case "result":
		a := t.acts[e.ID]
		switch e.Type {
		case resProgress:
			done, _ := e.intField(0)
			exp, _ := e.intField(1)
			running, _ := e.intField(2)
			failed, _ := e.intField(3)
			if a == nil {
				break
			}
			switch a.typ {
			case actBuilds:
				// A command may run several rounds (nix-env builds the package, then
				// the user environment): the counts add up over rounds.
				t.builds[e.ID] = [4]int64{done, exp, running, failed}
				var sum [4]int64
				for _, b := range t.builds {
					for i := range sum {
						sum[i] += b[i]
					}
				}
				t.p.BuildsDone, t.p.BuildsExpected, t.p.BuildsRunning, t.p.BuildsFailed = int(sum[0]), int(sum[1]), int(sum[2]), int(sum[3])
			case actCopyPaths:
				t.copies[e.ID] = [2]int64{done, exp}
				var sum [2]int64
				for _, c := range t.copies {
					sum[0], sum[1] = sum[0]+c[0], sum[1]+c[1]
				}
				t.p.CopiesDone, t.p.CopiesExpected = int(sum[0]), int(sum[1])
			case actCopyPath, actFileTransfer:
				a.done, a.size = done, exp
			}
		case resSetExpected:
			typ, _ := e.intField(0)
			n, _ := e.intField(1)
			if typ == actCopyPath && n > t.p.BytesExpected {
				t.p.BytesExpected = n
			}
		case resBuildLogLine:
			if line := strings.TrimSpace(ansi().ReplaceAllString(e.strField(0), "")); line != "" {
				t.p.LastLog = line
			}
		case resSetPhase:
			if a != nil {
				t.p.Current = a.text + " (" + e.strField(0) + ")"
			}
		}
	case "msg":
		if e.Level == 0 {
			msg := e.RawMsg
			if msg == "" {
				msg = strings.TrimPrefix(ansi().ReplaceAllString(e.Msg, ""), "error: ")
			}
			t.p.Errors = append(t.p.Errors, ansi().ReplaceAllString(msg, ""))
		}
	}
	var bytesDone int64
	for _, n := range t.copied {
		bytesDone += n
	}
	for _, a := range t.acts {
		if a.typ == actCopyPath {
			bytesDone += a.done
		}
	}
	t.p.BytesDone = bytesDone
	return t.p.summary() != before
}

// Progress returns a copy of the current state.
func (t *Tracker) Progress() Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.p
	p.Errors = append([]string(nil), t.p.Errors...)
	return p
}

// Summary is the one-line rendering: "2/3 built, 1 running · 1/1 copied (98 KiB) · building app-3.0".
func (p Progress) Summary() string { return p.summary() }

func (p Progress) summary() string {
	var parts []string
	if p.BuildsExpected > 0 || p.BuildsFailed > 0 {
		s := fmt.Sprintf("%d/%d built", p.BuildsDone, p.BuildsExpected)
		if p.BuildsRunning > 0 {
			s += fmt.Sprintf(", %d running", p.BuildsRunning)
		}
		if p.BuildsFailed > 0 {
			s += fmt.Sprintf(", %d failed", p.BuildsFailed)
		}
		parts = append(parts, s)
	}
	if p.CopiesExpected > 0 {
		s := fmt.Sprintf("%d/%d fetched", p.CopiesDone, p.CopiesExpected)
		if p.BytesExpected > 0 {
			s += fmt.Sprintf(" (%s of %s)", units.Bytes(uint64(max(p.BytesDone, 0))), units.Bytes(uint64(max(p.BytesExpected, 0))))
		}
		parts = append(parts, s)
	}
	if p.Current != "" {
		parts = append(parts, p.Current)
	}
	return strings.Join(parts, " · ")
}

// drvName is "app-3.0" for "/nix/store/<hash>-app-3.0.drv".
func drvName(p string) string { return strings.TrimSuffix(storeName(p), ".drv") }

func storeName(p string) string {
	base := path.Base(p)
	if i := strings.IndexByte(base, '-'); i == 32 {
		return base[33:]
	}
	return base
}

// Writer is an io.Writer for a command's stderr: it splits lines, feeds `@nix` events to
// the tracker and calls onChange when the summary changes. Other lines are kept as Plain.
type Writer struct {
	t        *Tracker
	onChange func(Progress)
	buf      []byte
	mu       sync.Mutex
	plain    []string
}

// NewWriter feeds t; onChange may be nil.
func NewWriter(t *Tracker, onChange func(Progress)) *Writer {
	return &Writer{t: t, onChange: onChange}
}

// Write implements io.Writer.
func (w *Writer) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) > 1<<20 { // a runaway line: keep the tail only
				w.buf = w.buf[len(w.buf)-4096:]
			}
			return len(b), nil
		}
		w.line(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

// Close processes a last line without a newline.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.line(w.buf)
		w.buf = nil
	}
	return nil
}

func (w *Writer) line(l []byte) {
	e, err := ParseLine(l)
	if err != nil {
		if s := strings.TrimSpace(string(l)); s != "" && len(w.plain) < 1000 {
			w.plain = append(w.plain, s)
		}
		return
	}
	if w.t.Feed(e) && w.onChange != nil {
		w.onChange(w.t.Progress())
	}
}

// Plain returns the lines that were not `@nix` events.
func (w *Writer) Plain() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.plain...)
}

// Replay feeds a recorded log to a tracker and returns every distinct summary in order.
func Replay(r io.Reader) (*Tracker, []string, error) {
	t := NewTracker()
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		e, err := ParseLine(sc.Bytes())
		if errors.Is(err, ErrNotNix) {
			continue
		}
		if err != nil {
			return t, lines, err
		}
		if t.Feed(e) {
			lines = append(lines, t.Progress().Summary())
		}
	}
	return t, lines, sc.Err()
}
