// Package ingest owns reading package sets into ask-nix's index: Nix's JSON shapes
// (packages.json.br of a channel, nix-env -qa --json, nix search --json), compressed or
// not, from a file or a download. It runs in its own program, ask-nix-index, so that
// ask-nix does not link the HTTP and TLS stack, brotli and goccy/go-json: together they cost
// every ask-nix start ~3.5 ms here (RATIONALE, "Start-up is page faults").
package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	json "github.com/goccy/go-json"
	"io"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/asknix/ask-nix/engine/search"
)

// Decompress recognises zstd and plain JSON by their first bytes and brotli (which has no
// magic number) by the file name or by elimination.
func Decompress(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	case len(bytes.TrimLeft(head, " \t\r\n")) > 0 && (bytes.TrimLeft(head, " \t\r\n")[0] == '{' || bytes.TrimLeft(head, " \t\r\n")[0] == '['):
		return br, nil
	case strings.HasSuffix(name, ".br") || len(head) > 0:
		return ahead(brotli.NewReader(br)), nil
	}
	return nil, fmt.Errorf("%w: empty input", search.ErrBadInput)
}

// ahead decompresses on its own goroutine, so that decompression and JSON decoding share
// two cores (brotli is the slower half of reading packages.json.br). The reader returned
// delivers r's bytes and error in order; r is read to its end or to its first error.
func ahead(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 1<<20)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := pw.Write(buf[:n]); werr != nil {
					return // the reader gave up
				}
			}
			if err != nil {
				pw.CloseWithError(err) // io.EOF closes normally
				return
			}
		}
	}()
	return &aheadReader{Reader: bufio.NewReaderSize(pr, 1<<20), pr: pr}
}

// aheadReader's Close stops the decompressing goroutine when the reader gives up early.
type aheadReader struct {
	*bufio.Reader
	pr *io.PipeReader
}

func (a *aheadReader) Close() error { return a.pr.Close() }

// rawPackage covers the package shapes Nix writes, decoded in one pass.
type rawPackage struct {
	Name        string   `json:"name"`
	Pname       string   `json:"pname"`
	Version     string   `json:"version"`
	Description string   `json:"description"`
	Meta        *rawMeta `json:"meta"`
}

type rawMeta struct {
	Description     string        `json:"description"`
	LongDescription string        `json:"longDescription"`
	Homepage        homepageField `json:"homepage"` // a string, or a list of them
	MainProgram     string        `json:"mainProgram"`
	Maintainers     []struct{}    `json:"maintainers"` // counted; their fields are skipped
	Position        string        `json:"position"`
}

// homepageField is meta.homepage: a string, or a list whose first address is kept;
// anything else is no homepage.
type homepageField string

func (h *homepageField) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '[' {
		var l []string
		if json.Unmarshal(b, &l) == nil && len(l) > 0 {
			s = l[0]
		}
	} else if json.Unmarshal(b, &s) != nil {
		s = ""
	}
	*h = homepageField(s)
	return nil
}

// category turns meta.position ("pkgs/servers/http/nginx/generic.nix:311") into the
// directories between pkgs/ and the package's own ("servers/http"); by-name packages and
// package sets have none.
func category(position, attr string) string {
	p, _, _ := strings.Cut(position, ":")
	rest, ok := strings.CutPrefix(p, "pkgs/")
	if !ok || strings.HasPrefix(rest, "by-name/") {
		return ""
	}
	dirs := strings.Split(rest, "/")
	if len(dirs) < 3 {
		return ""
	}
	dirs = dirs[:len(dirs)-2] // the package's directory and file
	return strings.Join(dirs, "/")
}

// Parse reads a package set: the channel's {"version": 2, "packages": {ATTR: …}},
// `nix-env -qaP --json --meta` ({ATTR: {name, pname, version, meta}}) or
// `nix search --json` ({ATTRPATH: {pname, version, description}}).
func Parse(r io.Reader) ([]search.Package, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var out []search.Package
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "version":
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("%w: %v", search.ErrBadInput, err)
			}
			continue
		case "packages":
			if err := expectDelim(dec, '{'); err != nil {
				return nil, err
			}
			for dec.More() {
				attr, err := stringToken(dec)
				if err != nil {
					return nil, err
				}
				p, err := decodePackage(dec, attr)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
			}
			if err := expectDelim(dec, '}'); err != nil {
				return nil, err
			}
			continue
		}
		p, err := decodePackage(dec, key)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no packages", search.ErrBadInput)
	}
	slices.SortFunc(out, func(a, b search.Package) int { return strings.Compare(a.Attr, b.Attr) })
	addFamilies(out)
	addRanks(out)
	return out, nil
}

// addFamilies counts, for each top-level attribute, the attributes whose name extends it
// (postgresql: postgresql_16, postgresqlPackages…; grafana: grafana-loki…): large families
// belong to widely used software.
func addFamilies(pkgs []search.Package) {
	var names []string
	for _, p := range pkgs {
		names = append(names, strings.ToLower(p.Attr))
	}
	slices.Sort(names)
	for i := range pkgs {
		n := strings.ToLower(pkgs[i].Attr)
		if strings.Contains(n, ".") {
			continue
		}
		j, _ := slices.BinarySearch(names, n)
		count := 0
		for k := j + 1; k < len(names) && strings.HasPrefix(names[k], n); k++ {
			count++
		}
		pkgs[i].Family = min(count, 999)
	}
}

func decodePackage(dec *json.Decoder, attr string) (search.Package, error) {
	var rp rawPackage
	if err := dec.Decode(&rp); err != nil {
		return search.Package{}, fmt.Errorf("%w: package %q: %v", search.ErrBadInput, attr, err)
	}
	// `nix search --json` keys are "legacyPackages.x86_64-linux.NAME".
	for _, pre := range []string{"legacyPackages.", "packages."} {
		if strings.HasPrefix(attr, pre) {
			if parts := strings.SplitN(attr, ".", 3); len(parts) == 3 {
				attr = parts[2]
			}
		}
	}
	attr = strings.TrimPrefix(attr, "nixpkgs.")
	p := search.Package{Attr: attr, Pname: rp.Pname, Version: rp.Version, Description: rp.Description}
	if m := rp.Meta; m != nil {
		if p.Description == "" {
			p.Description = m.Description
		}
		p.Maintainers = min(len(m.Maintainers), 99)
		p.Category = category(m.Position, attr)
		p.Homepage = strings.TrimSpace(string(m.Homepage))
		p.MainProgram = strings.TrimSpace(m.MainProgram)
		p.LongDescription = strings.Join(strings.Fields(m.LongDescription), " ")
	}
	if p.Pname == "" {
		p.Pname = attr
	}
	p.Description = strings.Join(strings.Fields(p.Description), " ")
	if attr == "" {
		return search.Package{}, fmt.Errorf("%w: a package with an empty attribute name", search.ErrBadInput)
	}
	return p, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", search.ErrBadInput, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%w: expected %q, found %v", search.ErrBadInput, want, tok)
	}
	return nil
}

func stringToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("%w: %v", search.ErrBadInput, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%w: expected a key, found %v", search.ErrBadInput, tok)
	}
	return s, nil
}

// ParseOptions reads NixOS's options.json as search.ParseOptions does, decoding with
// goccy/go-json (index update --options of the shared set: 0.59 s; 0.69 s with encoding/json).
func ParseOptions(r io.Reader) ([]search.Package, error) {
	var raw map[string]search.RawOption
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", search.ErrBadInput, err)
	}
	return search.Options(raw)
}
