// Command ask-nix-index reads a package set into ask-nix's index; ask-nix runs it for
// `index update` (engine/search/ingest has the program and its protocol).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/asknix/ask-nix/engine/search/ingest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ingest.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
