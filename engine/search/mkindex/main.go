// Command mkindex builds ask-nix's embedded default package and options indexes:
//
//	go run ./engine/search/mkindex -o engine/search/default-index.zst ../shared/data/nixpkgs/packages.json.br
//	go run ./engine/search/mkindex -options -source "NixOS options, early 2025 (embedded)" -date 2025-03-01 \
//	    -o engine/search/default-options.zst ../shared/data/nixpkgs/options.json.zst
//
// The output depends only on the input file and -date, so the committed index can be
// rebuilt byte for byte.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/engine/search/ingest"
)

func main() {
	out := flag.String("o", "engine/search/default-index.zst", "output file")
	source := flag.String("source", "nixos-unstable 2025-09-27 (embedded)", "provenance recorded in the index")
	date := flag.String("date", "2025-09-27", "date of the package set")
	options := flag.Bool("options", false, "the input is NixOS's options.json (zstd or plain)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: mkindex [-o FILE] packages.json.br")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, *source, *date, *options); err != nil {
		fmt.Fprintln(os.Stderr, "mkindex:", err)
		os.Exit(1)
	}
}

func run(in, out, source, date string, options bool) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := ingest.Decompress(f, in)
	if err != nil {
		return err
	}
	parse := ingest.Parse
	if options {
		parse = ingest.ParseOptions
	}
	pkgs, err := parse(r)
	if err != nil {
		return err
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := search.WriteCompressed(&buf, search.Meta{Source: source, Date: d}, pkgs); err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d packages, %d bytes\n", filepath.Base(out), len(pkgs), buf.Len())
	return os.Rename(tmp, out)
}
