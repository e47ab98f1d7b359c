// Command ask-nix-mcp is ask-nix's agent mode (SPEC §12): `ask-nix mcp` runs it. It serves
// the Model Context Protocol on stdin and stdout with one warm engine; everything it says
// for a person goes to stderr. It is a program of its own so that ask-nix does not pay the
// MCP SDK's start-up on every command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/asknix/ask-nix/cmd/internal/setup"
	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/agent"
)

var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// Main serves MCP on in and out until the client closes in or ctx ends.
func Main(ctx context.Context, args []string, in io.ReadCloser, out io.WriteCloser, stderr io.Writer, environ []string) int {
	fs := flag.NewFlagSet("ask-nix mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f setup.Flags
	var debug bool
	fs.StringVar(&f.Config, "config", "", "settings file")
	fs.Var((*list)(&f.PolicyDir), "policy-dir", "more user policy directories")
	fs.Var((*list)(&f.RulesDir), "rules-dir", "more WASM rule directories")
	fs.BoolVar(&f.NoCache, "no-cache", false, "neither read nor write the result cache")
	fs.StringVar(&f.Profile, "profile", "", "default profile: system, user or a path")
	fs.BoolVar(&debug, "debug", false, "explain what ask-nix does on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ask-nix: error: mcp takes no arguments, not %q\n", fs.Arg(0))
		return 2
	}
	getenv := func(k string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(environ[i], k+"="); ok {
				return v
			}
		}
		return ""
	}
	debugf := func(format string, a ...any) {
		if debug || getenv("DEBUG") == "true" || getenv("DEBUG") == "1" {
			fmt.Fprintf(stderr, "ask-nix: debug: "+format+"\n", a...)
		}
	}
	o, err := setup.EngineOptions(f, environ, getenv, debugf, "ask-nix-mcp "+version)
	if err != nil {
		fmt.Fprintf(stderr, "ask-nix: error: %v\n", err)
		if errors.Is(err, setup.ErrUsage) {
			return 2
		}
		return 1
	}
	eng, err := engine.New(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "ask-nix: error: %v\n", err)
		return 1
	}
	defer eng.Close()
	err = agent.New(eng, version).Run(ctx, &mcp.IOTransport{Reader: in, Writer: out})
	if err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
		fmt.Fprintf(stderr, "ask-nix: error: mcp: %v\n", err)
		return 1
	}
	return 0
}
