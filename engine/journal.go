package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ErrorRecord is one line of errors.jsonl (SPEC §3 `errors`).
type ErrorRecord struct {
	Time    time.Time `json:"time"`
	Request string    `json:"request"`
	Error   string    `json:"error"`
}

const maxErrorRecords = 200

// LogError appends err to $XDG_STATE_HOME/ask-nix/errors.jsonl. Failing to log is not an
// error of the request; it is reported under --debug.
func (e *Engine) LogError(request string, err error) {
	if e.o.StateDir == "" || err == nil {
		return
	}
	e.appendJSONL("errors.jsonl", ErrorRecord{Time: e.o.Now().UTC().Truncate(time.Second), Request: request, Error: err.Error()})
}

// appendJSONL appends rec as one JSON line to a log in the state directory (errors.jsonl,
// audit.jsonl). A log that cannot be written is said under --debug, never an error.
func (e *Engine) appendJSONL(name string, rec any) {
	if e.o.StateDir == "" {
		return
	}
	line, err := json.Marshal(rec)
	if err == nil {
		err = os.MkdirAll(e.o.StateDir, 0o700)
	}
	var f *os.File
	if err == nil {
		f, err = os.OpenFile(filepath.Join(e.o.StateDir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	}
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		e.o.Debugf("%s: %v", name, err)
	}
}

func (e *Engine) readErrors() ([]ErrorRecord, error) {
	out := []ErrorRecord{}
	if e.o.StateDir == "" {
		return out, nil
	}
	f, err := os.Open(filepath.Join(e.o.StateDir, "errors.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var r ErrorRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	if len(out) > maxErrorRecords {
		out = out[len(out)-maxErrorRecords:]
	}
	// newest first
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
