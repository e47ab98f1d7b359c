// Command addtriggers appends an asknix.triggers custom section (SPEC §7) to a rule
// module: the Go compiler and Debian's wat2wasm cannot write custom sections.
//
//	go run ./rules-wasm/addtriggers -o out.wasm in.wasm word...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/asknix/ask-nix/engine/rules"
)

func main() {
	out := flag.String("o", "", "output file (default: rewrite the input)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: addtriggers [-o OUT.wasm] IN.wasm WORD...")
	}
	flag.Parse()
	if flag.NArg() < 2 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, flag.Args()[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "addtriggers: error: %v\n", err)
		os.Exit(1)
	}
}

func run(in, out string, words []string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if t, err := rules.ReadTriggers(bytes.NewReader(b), int64(len(b))); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	} else if t != nil {
		return fmt.Errorf("%s already has an %s section", in, rules.TriggersSection)
	}
	b, err = rules.AppendTriggers(b, words)
	if err != nil {
		return err
	}
	if out == "" {
		out = in
	}
	// Write next to the target and rename, so a failure never leaves half a module.
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
