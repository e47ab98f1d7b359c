// Command report prints the medians and ratios of hyperfine JSON exports written by
// bench/run.sh: one row per task, ask-nix against the nix CLI.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type export struct {
	Results []struct {
		Command string  `json:"command"`
		Median  float64 `json:"median"`
	} `json:"results"`
}

func main() {
	fmt.Printf("| task | ask-nix (median) | nix CLI (median) | speed-up |\n|---|---:|---:|---:|\n")
	for _, f := range os.Args[1:] {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var e export
		if err := json.Unmarshal(b, &e); err != nil || len(e.Results) != 2 {
			fmt.Fprintf(os.Stderr, "%s: not a two-command hyperfine export\n", f)
			os.Exit(1)
		}
		a, n := e.Results[0].Median, e.Results[1].Median
		fmt.Printf("| %s | %.1f ms | %.1f ms | %.1fx |\n", strings.TrimSuffix(filepath.Base(f), ".json"), a*1000, n*1000, n/a)
	}
}
