package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/asknix/ask-nix/engine/internal/atomicfile"
	"github.com/asknix/ask-nix/internal/executor"
)

// HelperName is the program that links OPA; it is looked up beside the running
// executable first, then on PATH.
const HelperName = "ask-nix-policy"

// Request is what the main binary sends the helper on stdin (one JSON document).
type Request struct {
	Op    string          `json:"op"`    // compile, decide or test
	Files []File          `json:"files"` // compile, decide: the sources; test: the defaults with their tests
	Input json.RawMessage `json:"input,omitempty"`
	Admin []string        `json:"admin,omitempty"` // test: the layer directories
	User  []string        `json:"user,omitempty"`
	Dirs  []string        `json:"dirs,omitempty"` // test: more directories to test
}

// Response is the helper's answer on stdout. Refused marks an ErrPolicy.
type Response struct {
	Plan     json.RawMessage `json:"plan,omitempty"`
	Decision *Decision       `json:"decision,omitempty"`
	Report   *TestReport     `json:"report,omitempty"`
	Error    string          `json:"error,omitempty"`
	Refused  bool            `json:"refused,omitempty"`
}

// Helper runs the ask-nix-policy program; Path "" finds it.
type Helper struct{ Path string }

func (h Helper) path() (string, error) {
	if h.Path != "" {
		return h.Path, nil
	}
	return executor.Beside("the policy compiler", HelperName, os.Environ())
}

func (h Helper) call(ctx context.Context, req Request) (Response, error) {
	p, err := h.path()
	if err != nil {
		return Response{}, err
	}
	in, err := json.Marshal(req)
	if err != nil {
		return Response{}, err
	}
	out, err := executor.Run(ctx, executor.Cmd{Argv: []string{p}, Env: os.Environ(), Stdin: bytes.NewReader(in)})
	if err != nil {
		if ctx.Err() != nil {
			return Response{}, ctx.Err()
		}
		return Response{}, fmt.Errorf("policy compiler: %w", err)
	}
	var resp Response
	if err := json.Unmarshal(out, &resp); err != nil {
		return Response{}, fmt.Errorf("%s %s: unreadable answer: %w", HelperName, req.Op, err)
	}
	if resp.Refused {
		return resp, fmt.Errorf("%w: %s", ErrPolicy, resp.Error)
	}
	if resp.Error != "" {
		return resp, fmt.Errorf("%s %s: %s", HelperName, req.Op, resp.Error)
	}
	return resp, nil
}

// Compile implements Compiler.
func (h Helper) Compile(ctx context.Context, files []File) ([]byte, error) {
	resp, err := h.call(ctx, Request{Op: "compile", Files: files})
	if err != nil {
		return nil, err
	}
	return resp.Plan, nil
}

// Decide implements Compiler.
func (h Helper) Decide(ctx context.Context, files []File, input []byte) (Decision, error) {
	resp, err := h.call(ctx, Request{Op: "decide", Files: files, Input: input})
	if err != nil {
		return Decision{}, err
	}
	if resp.Decision == nil {
		return Decision{}, fmt.Errorf("%s decide: no decision", HelperName)
	}
	return *resp.Decision, nil
}

// Test implements Compiler.
func (h Helper) Test(ctx context.Context, o Options, dirs []string) (TestReport, error) {
	defs, err := DefaultTestFiles()
	if err != nil {
		return TestReport{}, err
	}
	resp, err := h.call(ctx, Request{Op: "test", Files: defs, Admin: o.AdminDirs, User: o.UserDirs, Dirs: dirs})
	if err != nil {
		return TestReport{}, err
	}
	if resp.Report == nil {
		return TestReport{}, fmt.Errorf("%s test: no report", HelperName)
	}
	return *resp.Report, nil
}

// planFormat changes when the plan evaluator or the sources' layout changes meaning.
const planFormat = "ask-nix-plan-1"

// Key names the compiled form of files: the SHA-256 of every file's package, base name and
// source. The directory is left out, so a plan compiled where /etc/ask-nix lies elsewhere
// (the NixOS module's build) names the same sources as the installed files.
func Key(files []File) string {
	h := sha256.New()
	h.Write([]byte(planFormat))
	for _, f := range files {
		for _, s := range []string{f.Package, filepath.Base(f.Name), f.Source} {
			fmt.Fprintf(h, "\x00%d:%s", len(s), s)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// private reports whether st belongs to this user (or, shared, also to root) and nobody
// else can write it: a plan decides what runs, so one that another account could have
// written is not read.
func private(st os.FileInfo, shared bool) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && (int(sys.Uid) == os.Geteuid() || shared && sys.Uid == 0) && st.Mode().Perm()&0o022 == 0
}

// readCache reads the plan named key from dir; shared dirs may also belong to root.
func readCache(dir, key string, shared bool) ([]byte, bool) {
	if dir == "" {
		return nil, false
	}
	p := filepath.Join(dir, key+".plan")
	dst, err := os.Stat(dir)
	if err != nil || !private(dst, shared) {
		return nil, false
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || !private(st, shared) {
		return nil, false
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, false
	}
	return b, true
}

func writeCache(dir, key string, data []byte) {
	if dir == "" {
		return
	}
	_ = atomicfile.Write(filepath.Join(dir, key+".plan"), data, 0o600)
}
