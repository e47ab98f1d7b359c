package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Name is the program Main runs as.
const Name = "ask-nix-index"

// Main is ask-nix-index, which ask-nix runs for `index update`:
//
//	ask-nix-index --from SOURCE --to INDEX [--options] [--now RFC3339]
//
// It writes the index as Update does and prints the UpdateResult as JSON on stdout. While
// it reads, it writes "progress DONE TOTAL" lines on stderr; a failure is one line
// "ask-nix-index: error: …" on stderr and exit 1 (2 for a bad command line).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "a packages.json(.br|.zst) file or an http(s) URL")
	to := fs.String("to", "", "the index file to (re)write")
	options := fs.Bool("options", false, "the source is NixOS's options.json")
	now := fs.String("now", "", "the date for a source that has none (RFC 3339)")
	fail := func(code int, format string, a ...any) int {
		msg := strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", " ")
		fmt.Fprintf(stderr, "%s: error: %s\n", Name, msg)
		return code
	}
	if err := fs.Parse(args); err != nil {
		return fail(2, "%v", err)
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return fail(2, "usage: %s --from SOURCE --to INDEX [--options] [--now RFC3339] (ask-nix runs it for index update)", Name)
	}
	o := UpdateOptions{From: *from, To: *to, Options: *options,
		Progress: func(done, total int64) { fmt.Fprintf(stderr, "progress %d %d\n", done, total) }}
	if *now != "" {
		t, err := time.Parse(time.RFC3339Nano, *now)
		if err != nil {
			return fail(2, "--now: %v", err)
		}
		o.Now = func() time.Time { return t }
	}
	res, err := Update(ctx, o)
	if err != nil {
		return fail(1, "%v", err)
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}
