// Command gen writes the recogniser's fallback classifier (engine/intent/classifier_data.go)
// trained on the phrasing corpus by engine/intent/internal/train:
//
//	go generate ./engine/intent
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/asknix/ask-nix/engine/intent/internal/train"
)

func main() {
	out := flag.String("o", "classifier_data.go", "output file")
	flag.Parse()
	src, err := train.Generate(flag.Args())
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
