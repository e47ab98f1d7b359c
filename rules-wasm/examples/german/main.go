//go:build !wasip1

package main

import (
	"fmt"
	"os"
	"strings"
)

// main prints the module's trigger words (-triggers) when run natively; in WebAssembly
// the host calls asknix_match instead and main never runs.
func main() {
	if len(os.Args) == 2 && os.Args[1] == "-triggers" {
		fmt.Println(strings.Join(Triggers, " "))
	}
}
