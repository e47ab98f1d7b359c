// Package tui owns the conversation between ask-nix and ask-nix-tui, the program that draws
// `ask-nix search -i` (bubbletea). The screen runs in its own process so that ask-nix does
// not link bubbletea and its terminal libraries: they cost every ask-nix start ~2.7 ms and
// ~120 fresh pages here (RATIONALE, "Start-up is page faults"). Every query the screen asks
// comes back through ask-nix's engine, and so through the policy, like any other request.
//
// The screen writes one JSON Message per line on file descriptor 3 ({"query": …} as the
// user types, {"install": ATTR} when they choose a package) and reads the answers
// ({"query", "results", "error"}), one per line, on file descriptor 4.
package tui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/asknix/ask-nix/internal/executor"
)

// Name is the screen's program, looked up beside ask-nix first, then on PATH.
const Name = "ask-nix-tui"

// Result is one search result as the screen shows it.
type Result struct {
	Attr        string `json:"attr"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

// Message is one line of the conversation, in either direction.
type Message struct {
	Query   string   `json:"query,omitempty"`
	Results []Result `json:"results,omitempty"`
	Error   string   `json:"error,omitempty"`
	Install string   `json:"install,omitempty"`
}

// maxLine bounds one message (50 results with their descriptions fit many times over).
const maxLine = 1 << 20

// Search answers one query.
type Search func(ctx context.Context, query string) ([]Result, error)

// Run draws the search screen on the terminal (stdin, stdout, stderr), starting with the
// query initial, answers its queries with search, and returns the attribute the user chose
// to install, or "".
func Run(ctx context.Context, initial string, color bool, stdin, stdout, stderr *os.File, search Search) (string, error) {
	prog, err := executor.Beside("the search screen", Name, os.Environ())
	if err != nil {
		return "", err
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return "", err
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return "", err
	}
	args := []string{"--pipes", "--query", initial}
	if !color {
		args = append(args, "--no-color")
	}
	screen, err := executor.Start(ctx, executor.Cmd{Argv: append([]string{prog}, args...), Env: os.Environ(), FullEnv: true,
		Stdin: stdin, Stdout: stdout, Stderr: stderr, ExtraFiles: []*os.File{reqW, respR}, Interrupt: true}) // 3 and 4 in the screen
	reqW.Close()
	respR.Close()
	if err != nil {
		reqR.Close()
		respW.Close()
		return "", err
	}
	install, serveErr := Serve(ctx, reqR, respW, search)
	reqR.Close()
	respW.Close()
	waitErr := screen.Wait()
	switch {
	case serveErr != nil:
		return "", serveErr // the cause; the screen then ends for want of answers
	case waitErr != nil && ctx.Err() == nil:
		return "", waitErr
	}
	return install, nil
}

// Serve answers the screen's queries (requests) on answers until it ends the conversation,
// and returns the attribute it chose to install, or "".
func Serve(ctx context.Context, requests io.Reader, answers io.Writer, search Search) (string, error) {
	sc := bufio.NewScanner(requests)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	enc := json.NewEncoder(answers)
	install := ""
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return "", fmt.Errorf("%s sent a malformed message: %w", Name, err)
		}
		if m.Install != "" {
			install = m.Install
			continue
		}
		a := Message{Query: m.Query}
		if rs, err := search(ctx, m.Query); err != nil {
			a.Error = err.Error()
		} else {
			a.Results = rs
		}
		if err := enc.Encode(a); err != nil {
			if errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, syscall.EPIPE) {
				break // the screen ended (esc) while a query was in flight: no one to answer
			}
			return "", fmt.Errorf("answer %s: %w", Name, err)
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", Name, err)
	}
	return install, nil
}

// Client is the screen's side: Ask sends a query, Choose the final choice, and Answers
// reads what ask-nix answers.
type Client struct {
	enc     *json.Encoder
	answers *bufio.Scanner
}

// NewClient talks to ask-nix over requests (descriptor 3) and answers (descriptor 4).
func NewClient(requests io.Writer, answers io.Reader) *Client {
	sc := bufio.NewScanner(answers)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	return &Client{enc: json.NewEncoder(requests), answers: sc}
}

// Ask sends one query.
func (c *Client) Ask(query string) error { return c.enc.Encode(Message{Query: query}) }

// Choose sends the attribute the user chose to install.
func (c *Client) Choose(attr string) error { return c.enc.Encode(Message{Install: attr}) }

// Next reads the next answer; it is false at the end of the conversation.
func (c *Client) Next() (Message, bool, error) {
	if !c.answers.Scan() {
		return Message{}, false, c.answers.Err()
	}
	var m Message
	if err := json.Unmarshal(c.answers.Bytes(), &m); err != nil {
		return Message{}, false, fmt.Errorf("ask-nix sent a malformed answer: %w", err)
	}
	return m, true, nil
}
