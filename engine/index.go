package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/internal/executor"
)

// IndexHelper reads package sets into the index (engine/search/ingest); it is looked up
// beside ask-nix first, then on PATH.
const IndexHelper = "ask-nix-index"

// updateIndex runs ask-nix-index, which reads from (a file or a URL) and writes the index
// at to; its progress lines reach e.o.Progress and its error line becomes the error.
func (e *Engine) updateIndex(ctx context.Context, from, to string, options bool) (search.UpdateResult, error) {
	var res search.UpdateResult
	prog, err := executor.Beside("the index builder", IndexHelper, e.o.NixEnv)
	if err != nil {
		return res, err
	}
	argv := []string{prog, "--from", from, "--to", to}
	if options {
		argv = append(argv, "--options")
	}
	if e.o.Now != nil {
		argv = append(argv, "--now", e.o.Now().Format(time.RFC3339Nano))
	}
	lines := &helperLines{progress: e.o.Progress}
	out, err := executor.Run(ctx, executor.Cmd{Argv: argv, Env: e.o.NixEnv, FullEnv: true, Stderr: lines, Interrupt: true})
	lines.Close()
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if msg := strings.TrimPrefix(lines.last, IndexHelper+": error: "); msg != "" {
			return res, errors.New(msg)
		}
		return res, err
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return res, fmt.Errorf("%s answered: %w", IndexHelper, err)
	}
	return res, nil
}

// helperLines reads ask-nix-index's stderr: progress lines go to progress, the last other
// line is kept (its error).
type helperLines struct {
	progress func(done, total int64)
	partial  []byte
	last     string
}

func (h *helperLines) Write(p []byte) (int, error) {
	h.partial = append(h.partial, p...)
	for {
		i := bytes.IndexByte(h.partial, '\n')
		if i < 0 {
			break
		}
		h.line(string(h.partial[:i]))
		h.partial = h.partial[i+1:]
	}
	return len(p), nil
}

// Close reads a last line that has no newline.
func (h *helperLines) Close() error {
	if len(h.partial) > 0 {
		h.line(string(h.partial))
		h.partial = nil
	}
	return nil
}

func (h *helperLines) line(l string) {
	if f := strings.Fields(l); len(f) == 3 && f[0] == "progress" {
		done, err1 := strconv.ParseInt(f[1], 10, 64)
		total, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 == nil && err2 == nil {
			if h.progress != nil {
				h.progress(done, total)
			}
			return
		}
	}
	if strings.TrimSpace(l) != "" {
		h.last = l
	}
}
