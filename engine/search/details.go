package search

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Details are the texts a result shows and no query searches: homepage, main program and
// long description. They are a third of the package set's text, so the index keeps them
// zstd-compressed in blocks of detailsBlock packages after the package lines: showing a
// package decompresses one block (~20 KB), and the index file stays small.
//
//	"ask-nix-details-1\n", u32 blocks, u32 offset per block + 1 (from the first block),
//	then each block: a zstd frame of one line per package, "HOMEPAGE\tMAINPROGRAM\tLONG\n".

const (
	detailsMagic = "ask-nix-details-1\n"
	detailsBlock = 256
)

var errDetails = errors.New("bad details section")

type details struct {
	offs   []byte // u32 per block + 1
	frames []byte
	n      int // packages
	cache  *blockCache
}

// blockCache holds the last block decompressed.
type blockCache struct {
	mu   sync.Mutex
	dec  *zstd.Decoder
	last int    // the block in buf, +1 (0: none)
	buf  []byte // its lines
}

// writeDetails is the details section of pkgs.
func writeDetails(pkgs []Package) []byte {
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	defer enc.Close()
	blocks := (len(pkgs) + detailsBlock - 1) / detailsBlock
	le := binary.LittleEndian
	out := le.AppendUint32([]byte(detailsMagic), uint32(blocks))
	var offs, frames, plain []byte
	for b := range blocks {
		plain = plain[:0]
		for _, p := range pkgs[b*detailsBlock : min(len(pkgs), (b+1)*detailsBlock)] {
			plain = append(plain, clean(p.Homepage)...)
			plain = append(plain, '\t')
			plain = append(plain, clean(p.MainProgram)...)
			plain = append(plain, '\t')
			plain = append(plain, clean(p.LongDescription)...)
			plain = append(plain, '\n')
		}
		offs = le.AppendUint32(offs, uint32(len(frames)))
		frames = enc.EncodeAll(plain, frames)
	}
	offs = le.AppendUint32(offs, uint32(len(frames)))
	out = append(out, offs...)
	return append(out, frames...)
}

// readDetails reads the details section of n packages at the start of b and returns the
// bytes after it.
func readDetails(b []byte, n int) (details, []byte, error) {
	rest, ok := bytes.CutPrefix(b, []byte(detailsMagic))
	if !ok || len(rest) < 4 {
		return details{}, nil, errDetails
	}
	blocks := int(binary.LittleEndian.Uint32(rest))
	if blocks != (n+detailsBlock-1)/detailsBlock || len(rest) < 4+4*(blocks+1) {
		return details{}, nil, errDetails
	}
	offs := rest[4 : 4+4*(blocks+1)]
	rest = rest[4+4*(blocks+1):]
	size := int(u32(offs, blocks))
	if size > len(rest) {
		return details{}, nil, errDetails
	}
	for i := range blocks {
		if u32(offs, i) > u32(offs, i+1) {
			return details{}, nil, errDetails
		}
	}
	return details{offs: offs, frames: rest[:size], n: n, cache: &blockCache{}}, rest[size:], nil
}

// of is package i's homepage, main program and long description ("" where the index has
// none, or its block cannot be read).
func (d *details) of(i int) (homepage, mainProgram, long string) {
	if i < 0 || i >= d.n || d.offs == nil {
		return "", "", ""
	}
	c := d.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	b := i / detailsBlock
	if c.last != b+1 {
		c.last = 0
		if c.dec == nil {
			dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
			if err != nil {
				return "", "", ""
			}
			c.dec = dec
		}
		buf, err := c.dec.DecodeAll(d.frames[u32(d.offs, b):u32(d.offs, b+1)], c.buf[:0])
		if err != nil {
			return "", "", ""
		}
		c.buf, c.last = buf, b+1
	}
	line := c.buf
	for range i % detailsBlock {
		nl := bytes.IndexByte(line, '\n')
		if nl < 0 {
			return "", "", ""
		}
		line = line[nl+1:]
	}
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	f := strings.SplitN(string(line), "\t", 3)
	for len(f) < 3 {
		f = append(f, "")
	}
	return f[0], f[1], f[2]
}
