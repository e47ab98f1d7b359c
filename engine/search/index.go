// Package search owns the package index (SPEC §5): the compact index format, the embedded
// default index, NixOS options, and ranking queries against them. Reading the package
// sets Nix publishes into an index is engine/search/ingest, run as its own program.
//
// An index file is text: a header line, then one line per package with tab-separated
// fields. Opening one maps it into memory and records where each line starts; strings
// handed out point into the mapping, so opening costs one pass over the bytes and one
// offset per package.
package search

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/klauspost/compress/zstd"
)

// Package is one entry of the index.
type Package struct {
	Attr        string `json:"attr"`
	Pname       string `json:"pname"`
	Version     string `json:"version"`
	Description string `json:"description"`
	// Ranking signals derived from the package set.
	Maintainers int    `json:"-"` // len(meta.maintainers): a proxy for how much a package is used
	Family      int    `json:"-"` // attributes whose name extends this one's (grafana-*, postgresql_16…)
	Category    string `json:"-"` // meta.position's directory, e.g. servers/http (empty for by-name)
	// Terms are the normalised words searched: name parts, pname, category, description,
	// each between spaces (" firefox web browser "). Computed when the index is built.
	Terms string `json:"-"`
	// Shown, not searched (index v6).
	Homepage        string `json:"homepage,omitempty"`
	MainProgram     string `json:"mainProgram,omitempty"`
	LongDescription string `json:"longDescription,omitempty"`
	// Rank holds what the package set says of this package's standing (index v6).
	Rank Rank `json:"-"`
}

// Rank is a package's place in its versioned family, computed when the index is built
// (engine/search/ingest). How large the package's set is, the index itself says: a set's
// members are neighbours in it (setSize).
type Rank struct {
	// Versions is how many top-level attributes share this one's name but for a version
	// (python310, python311, python312, python314: 4), 0 when none does; Newer is how many
	// of them are newer (a pre-release counts as older than every release).
	Versions, Newer int
}

// String is the index's form of a Rank: "VERSIONS NEWER", or "" for none.
func (r Rank) String() string {
	if r == (Rank{}) {
		return ""
	}
	return fmt.Sprintf("%d %d", r.Versions, r.Newer)
}

// parseRank reads Rank.String's form (by hand: fmt.Sscan was a sixth of a query's time).
func parseRank(s string) Rank {
	var n [2]int
	k := 0
	for i := 0; i < len(s) && k < 2; i++ {
		switch c := s[i]; {
		case c == ' ':
			k++
		case c >= '0' && c <= '9' && n[k] < 1<<30:
			n[k] = n[k]*10 + int(c-'0')
		}
	}
	return Rank{Versions: n[0], Newer: n[1]}
}

// Meta says where an index came from (SPEC §5 "index").
type Meta struct {
	Source   string    `json:"source"`
	Date     time.Time `json:"date,omitzero"` // of the data; absent when unknown (a file)
	Packages int       `json:"packages"`
	Path     string    `json:"path"`
}

// The fields of a package line, in order.
const (
	fAttr = iota
	fPname
	fVersion
	fMaintainers
	fFamily
	fCategory
	fRank // before the description: every scored package reads it
	fDescription
	nFields
)

// Index is an opened package index.
type Index struct {
	Meta  Meta
	data  []byte   // the package lines (mapped or decompressed); never modified
	lines []uint32 // where each package's line starts, then one past the last line: fields are found in their line when read
	accel *accel   // the acceleration trailer
	// details are the texts a result shows but no query searches (details.go).
	details details
	// linear scores every package even when the trailer could narrow the search (tests
	// compare both ways); it reads Terms from hays.
	linear bool
	hays   []string
}

// magic starts an index file. v6 stems its words (v5 did not), so an older file is not
// read: `index update` writes a new one.
const magic = "#ask-nix-index v6"

// ErrOldIndex marks an index file written by an older ask-nix.
var ErrOldIndex = errors.New("an index written by an older ask-nix; run 'ask-nix index update' (or delete it to use the embedded one)")

// ErrBadIndex marks an index file that cannot be read.
var ErrBadIndex = errors.New("bad package index")

// Len is the number of packages.
func (idx *Index) Len() int { return max(len(idx.lines)-1, 0) }

// field is field f of package i, found by its tabs: only the packages a query can score
// are read, so the offsets of every field of 129,815 packages (5 MB, a fresh page fault
// every 4 KB) are not worth keeping (RATIONALE, "Start-up is page faults").
func (idx *Index) field(i, f int) string {
	line := idx.data[idx.lines[i] : idx.lines[i+1]-1] // without its newline
	for range f {
		t := bytes.IndexByte(line, '\t')
		if t < 0 {
			return ""
		}
		line = line[t+1:]
	}
	if t := bytes.IndexByte(line, '\t'); t >= 0 && f < nFields-1 {
		line = line[:t] // the last field runs to the end of the line, as it always did
	}
	if len(line) == 0 {
		return ""
	}
	return unsafe.String(&line[0], len(line))
}

func (idx *Index) intField(i, f int) int {
	n, _ := strconv.Atoi(idx.field(i, f))
	return n
}

// lowerAttr is the attribute in lower case (v4 files carry it; v5 lowers on demand, as
// only candidates are scored). An ASCII attribute is lowered into scratch: the result is
// valid until the next call with the same scratch.
func (idx *Index) lowerAttr(i int, scratch *[]byte) string {
	return lowered(idx.field(i, fAttr), scratch)
}

// head is a package's fields up to its Rank, found in one pass over its line (score reads
// most of them).
type head [fRank + 1]string

func (idx *Index) head(i int) (h head) {
	line := idx.data[idx.lines[i] : idx.lines[i+1]-1]
	for f := range h {
		t := bytes.IndexByte(line, '\t')
		if t < 0 {
			t = len(line)
		}
		if t > 0 {
			h[f] = unsafe.String(&line[0], t)
		}
		if t == len(line) {
			return h
		}
		line = line[t+1:]
	}
	return h
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// lowered is attribute a in lower case.
func lowered(a string, scratch *[]byte) string {
	upper := false
	for j := 0; j < len(a); j++ {
		c := a[j]
		if c >= 0x80 {
			return strings.ToLower(a)
		}
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if !upper {
		return a
	}
	b := append((*scratch)[:0], a...)
	for j, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[j] = c + 'a' - 'A'
		}
	}
	*scratch = b
	return unsafe.String(&b[0], len(b))
}

// terms is package i's Terms (" word word … "), for linear scoring (tests): the index
// does not keep them, so they are computed from its fields, all at once.
func (idx *Index) terms(i int) string {
	if idx.hays == nil {
		idx.hays = make([]string, idx.Len())
		stems := map[string]string{}
		for j := range idx.hays {
			p := idx.fields(j)
			idx.hays[j] = termsOf(&p, stems)
		}
	}
	return idx.hays[i]
}

// fields is package i's indexed fields (no Terms, no details).
func (idx *Index) fields(i int) Package {
	h := idx.head(i)
	return Package{Attr: h[fAttr], Pname: h[fPname], Version: h[fVersion], Maintainers: atoi(h[fMaintainers]),
		Family: atoi(h[fFamily]), Category: h[fCategory], Rank: parseRank(h[fRank]), Description: idx.field(i, fDescription)}
}

// At returns package i, with its Terms and details. Its strings share the index's memory
// but for the details.
func (idx *Index) At(i int) Package {
	p := idx.fields(i)
	p.Terms = termsOf(&p, map[string]string{})
	p.Homepage, p.MainProgram, p.LongDescription = idx.details.of(i)
	return p
}

// Write writes an uncompressed index: meta's source and date, and pkgs.
func Write(w io.Writer, meta Meta, pkgs []Package) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "%s\t%s\t%s\t%d\n", magic, clean(meta.Source), meta.Date.UTC().Format(time.RFC3339), len(pkgs))
	// The trailer's parts are independent of the lines: the names dictionary starts at
	// once, each package's words are computed on every core, and the rest of the trailer
	// is built while the lines are written.
	cleaned := make([]Package, len(pkgs))
	for i := range pkgs {
		cleaned[i] = Package{Attr: clean(pkgs[i].Attr), Pname: clean(pkgs[i].Pname)}
	}
	names := make(chan []byte, 1)
	go func() { names <- namesDict(cleaned) }()
	words := make([][]string, len(pkgs))
	var wg sync.WaitGroup
	workers := max(1, runtime.NumCPU())
	for w := range workers {
		wg.Go(func() {
			// A contiguous share each: package sets are neighbours, so the workers'
			// vocabularies (and the words each stems) overlap less than interleaved.
			stems := map[string]string{}
			for i := w * len(pkgs) / workers; i < (w+1)*len(pkgs)/workers; i++ {
				words[i] = packageWords(&pkgs[i], stems)
			}
		})
	}
	wg.Wait()
	trailer := make(chan []byte, 1)
	go func() { trailer <- buildTrailer(words, <-names) }()
	dets := make(chan []byte, 1)
	go func() { dets <- writeDetails(pkgs) }()
	for i := range pkgs {
		p := &pkgs[i]
		// Terms are in the trailer's postings; attributes are lowered on demand.
		fmt.Fprintf(bw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", clean(p.Attr), clean(p.Pname), clean(p.Version),
			p.Maintainers, p.Family, clean(p.Category), p.Rank, clean(p.Description))
	}
	if _, err := bw.Write(<-dets); err != nil {
		return err
	}
	if _, err := bw.Write(<-trailer); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteCompressed writes the index zstd-compressed (the embedded default).
func WriteCompressed(w io.Writer, meta Meta, pkgs []Package) error {
	var buf bytes.Buffer
	if err := Write(&buf, meta, pkgs); err != nil {
		return err
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		return err
	}
	_, err = w.Write(enc.EncodeAll(buf.Bytes(), nil))
	return err
}

func clean(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// decompress returns data itself, or its zstd decompression.
func decompress(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, zstdMagic) {
		return data, nil
	}
	zr, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return zr.DecodeAll(data, nil)
}

// Read opens an index held in data (an index file's bytes, plain or zstd-compressed);
// path names it in errors and in Meta. data must not change afterwards.
func Read(data []byte, path string) (*Index, error) {
	raw, err := decompress(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadIndex, path, err)
	}
	nl := bytes.IndexByte(raw, '\n')
	if nl < 0 {
		return nil, fmt.Errorf("%w: %s: no header", ErrBadIndex, path)
	}
	h := strings.Split(string(raw[:nl]), "\t")
	if len(h) == 4 && strings.HasPrefix(h[0], "#ask-nix-index v") && h[0] < magic {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadIndex, path, ErrOldIndex)
	}
	if len(h) != 4 || h[0] != magic {
		return nil, fmt.Errorf("%w: %s: not an ask-nix index (or one of another version)", ErrBadIndex, path)
	}
	n, err := strconv.Atoi(h[3])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: %s: bad package count", ErrBadIndex, path)
	}
	if len(raw) >= 1<<32 {
		return nil, fmt.Errorf("%w: %s: too large", ErrBadIndex, path)
	}
	date, _ := time.Parse(time.RFC3339, h[2])
	idx := &Index{Meta: Meta{Source: h[1], Date: date, Packages: n, Path: path}, data: raw, lines: make([]uint32, 0, n+1)}
	pos := nl + 1
	for pos < len(raw) && len(idx.lines) < n {
		end := bytes.IndexByte(raw[pos:], '\n')
		if end < 0 {
			return nil, fmt.Errorf("%w: %s: truncated", ErrBadIndex, path)
		}
		end += pos
		if f := bytes.Count(raw[pos:end], []byte{'\t'}) + 1; f < nFields {
			return nil, fmt.Errorf("%w: %s: a line with %d fields, want %d", ErrBadIndex, path, f, nFields)
		}
		idx.lines = append(idx.lines, uint32(pos))
		pos = end + 1
	}
	idx.lines = append(idx.lines, uint32(pos))
	if idx.Len() != n {
		return nil, fmt.Errorf("%w: %s: %d packages, header says %d", ErrBadIndex, path, idx.Len(), n)
	}
	d, rest, err := readDetails(raw[pos:], n)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadIndex, path, err)
	}
	idx.details = d
	a, err := readTrailer(rest, n)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadIndex, path, err)
	}
	idx.accel = a
	return idx, nil
}
