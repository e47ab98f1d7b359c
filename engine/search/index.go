// Package search owns the package index (SPEC §5): reading the package sets Nix publishes
// (the channel's packages.json.br, plain or zstd JSON of that shape, `nix search --json`,
// `nix-env -qaP --json --meta`), the compact index format, the embedded default index,
// and ranking queries against it.
package search

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Package is one entry of the index.
type Package struct {
	Attr        string `json:"attr"`
	Pname       string `json:"pname"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

// Meta says where an index came from (SPEC §5 "index").
type Meta struct {
	Source   string    `json:"source"`
	Date     time.Time `json:"date"`
	Packages int       `json:"packages"`
	Path     string    `json:"path"`
}

// Index is a loaded package index.
type Index struct {
	Meta     Meta
	Packages []Package
}

const magic = "#ask-nix-index v1"

// ErrBadIndex marks an index file that cannot be read.
var ErrBadIndex = errors.New("bad package index")

// Write writes idx in the compact format: zstd-compressed lines of tab-separated fields,
// after a header line with the provenance.
func Write(w io.Writer, idx *Index) error {
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	fmt.Fprintf(bw, "%s\t%s\t%s\t%d\n", magic, clean(idx.Meta.Source), idx.Meta.Date.UTC().Format(time.RFC3339), len(idx.Packages))
	for _, p := range idx.Packages {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\n", clean(p.Attr), clean(p.Pname), clean(p.Version), clean(p.Description))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// Read loads an index written by Write.
func Read(data []byte, path string) (*Index, error) {
	zr, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	raw, err := zr.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadIndex, path, err)
	}
	nl := bytes.IndexByte(raw, '\n')
	if nl < 0 {
		return nil, fmt.Errorf("%w: %s: no header", ErrBadIndex, path)
	}
	h := strings.Split(string(raw[:nl]), "\t")
	if len(h) != 4 || h[0] != magic {
		return nil, fmt.Errorf("%w: %s: not an ask-nix index", ErrBadIndex, path)
	}
	n, err := strconv.Atoi(h[3])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: %s: bad package count", ErrBadIndex, path)
	}
	date, _ := time.Parse(time.RFC3339, h[2])
	idx := &Index{Meta: Meta{Source: h[1], Date: date, Packages: n, Path: path}, Packages: make([]Package, 0, n)}
	body := string(raw[nl+1:])
	for len(body) > 0 {
		line := body
		if i := strings.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = ""
		}
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("%w: %s: bad line %q", ErrBadIndex, path, line)
		}
		idx.Packages = append(idx.Packages, Package{Attr: f[0], Pname: f[1], Version: f[2], Description: f[3]})
	}
	if len(idx.Packages) != n {
		return nil, fmt.Errorf("%w: %s: %d packages, header says %d", ErrBadIndex, path, len(idx.Packages), n)
	}
	return idx, nil
}
