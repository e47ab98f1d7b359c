// Command ask-nix-policy is ask-nix's policy compiler: the only program of the flake that
// links OPA. ask-nix runs it when policy files change (to compile them to a plan it
// evaluates natively), for `policy test`, and for plans its evaluator cannot run.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/asknix/ask-nix/engine/policy/compiler"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := compiler.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
