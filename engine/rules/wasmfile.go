package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// TriggersSection is the custom section naming a module's trigger words (SPEC §7).
const TriggersSection = "asknix.triggers"

var wasmMagic = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// ErrNotWasm is returned for a file that does not start with WebAssembly's magic and version.
var ErrNotWasm = errors.New("not a WebAssembly module")

// ReadTriggers walks the section headers of the module in r (size bytes) without reading
// the code, and returns the words of its asknix.triggers section: nil when the module has
// none (it is called for every request). It reads a few bytes per section.
func ReadTriggers(r io.ReaderAt, size int64) ([]string, error) {
	head := make([]byte, 8)
	if _, err := r.ReadAt(head, 0); err != nil || string(head) != string(wasmMagic) {
		return nil, ErrNotWasm
	}
	off := int64(8)
	var buf [16]byte
	for sections := 0; off < size; sections++ {
		if sections >= MaxSections {
			return nil, fmt.Errorf("more than %d sections", MaxSections)
		}
		n, err := r.ReadAt(buf[:], off)
		if n == 0 {
			return nil, fmt.Errorf("section header at byte %d: %w", off, err)
		}
		id := buf[0]
		secLen, k, err := uleb32(buf[1:n])
		if err != nil {
			return nil, fmt.Errorf("section at byte %d: %w", off, err)
		}
		body := off + 1 + int64(k)
		if body+int64(secLen) > size {
			return nil, fmt.Errorf("section at byte %d runs past the end of the file", off)
		}
		if id == 0 {
			sec := make([]byte, min(int64(secLen), 1+5+int64(len(TriggersSection))))
			if _, err := r.ReadAt(sec, body); err != nil {
				return nil, fmt.Errorf("custom section at byte %d: %w", off, err)
			}
			nameLen, k2, err := uleb32(sec)
			if err == nil && int(nameLen) == len(TriggersSection) && k2+int(nameLen) <= len(sec) &&
				string(sec[k2:k2+int(nameLen)]) == TriggersSection {
				data := make([]byte, int(secLen)-k2-int(nameLen))
				if _, err := r.ReadAt(data, body+int64(k2)+int64(nameLen)); err != nil && len(data) > 0 {
					return nil, fmt.Errorf("%s section: %w", TriggersSection, err)
				}
				return ParseTriggers(data)
			}
		}
		off = body + int64(secLen)
	}
	return nil, nil
}

// MaxSections bounds the sections of a module, custom ones included (millions of empty
// custom sections cost seconds a request). A real module has about a dozen.
const MaxSections = 1000

// MaxTableEntries bounds a table's declared size and its maximum: a table must declare a
// maximum, so that table.grow cannot reach gigabytes (wazero allows 2^27 entries).
const MaxTableEntries = 1 << 17

// CapTables returns module with every table's maximum at most MaxTableEntries, before
// anything is compiled: a table the module declares without a maximum (Go's linker writes
// one) gets MaxTableEntries, so that table.grow cannot reach gigabytes (wazero alone allows
// 2^27 entries). A table declared larger, or an imported one without a maximum, is
// refused; so is a module of more than MaxSections sections.
func CapTables(module []byte) ([]byte, error) {
	if len(module) < 8 || string(module[:8]) != string(wasmMagic) {
		return nil, ErrNotWasm
	}
	out := append([]byte(nil), module[:8]...)
	b := module[8:]
	for sections := 0; len(b) > 0; sections++ {
		if sections >= MaxSections {
			return nil, fmt.Errorf("more than %d sections", MaxSections)
		}
		id := b[0]
		n, k, err := uleb32(b[1:])
		if err != nil || uint64(1+k)+uint64(n) > uint64(len(b)) {
			return nil, errors.New("malformed section header")
		}
		whole, body := b[:1+k+int(n)], b[1+k:1+k+int(n)]
		b = b[1+k+int(n):]
		switch id {
		case 2:
			if err := checkImports(body); err != nil {
				return nil, err
			}
		case 4:
			nb, err := capTableSection(body)
			if err != nil {
				return nil, err
			}
			out = append(out, 4)
			out = append(out, uleb(uint32(len(nb)))...)
			out = append(out, nb...)
			continue
		}
		out = append(out, whole...)
	}
	return out, nil
}

// wasmReader reads the parts of a section body CheckTables needs.
type wasmReader struct {
	b   []byte
	err error
}

func (r *wasmReader) u32() uint32 {
	if r.err != nil {
		return 0
	}
	v, k, err := uleb32(r.b)
	if err != nil {
		r.err = err
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *wasmReader) byte1() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errors.New("truncated section")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *wasmReader) skip(n uint32) {
	if r.err != nil || int(n) > len(r.b) || int(n) < 0 {
		r.err = errors.New("truncated section")
		return
	}
	r.b = r.b[n:]
}

// tableLimits reads a table's limits: its size, and its maximum when it has one.
func (r *wasmReader) tableLimits() (lo, hi uint32, hasMax bool, err error) {
	flag := r.byte1()
	lo = r.u32()
	if hasMax = flag&1 == 1; hasMax {
		hi = r.u32()
	}
	switch {
	case r.err != nil:
		return 0, 0, false, r.err
	case flag > 1:
		return 0, 0, false, fmt.Errorf("unknown table limits flag %#x", flag)
	case lo > MaxTableEntries || hi > MaxTableEntries:
		return 0, 0, false, fmt.Errorf("a table of %d entries (at most %d)", max(lo, hi), MaxTableEntries)
	}
	return lo, hi, hasMax, nil
}

// capTableSection re-encodes a table section with a maximum on every table.
func capTableSection(body []byte) ([]byte, error) {
	r := &wasmReader{b: body}
	n := r.u32()
	if r.err != nil || n > MaxSections {
		return nil, errors.New("malformed table section")
	}
	out := uleb(n)
	for ; n > 0; n-- {
		ref := r.byte1()
		lo, hi, hasMax, err := r.tableLimits()
		if err != nil {
			return nil, err
		}
		if !hasMax {
			hi = MaxTableEntries
		}
		out = append(out, ref, 1)
		out = append(out, uleb(lo)...)
		out = append(out, uleb(hi)...)
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errors.New("malformed table section")
	}
	return out, nil
}

func checkImports(body []byte) error {
	r := &wasmReader{b: body}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		r.skip(r.u32()) // module name
		r.skip(r.u32()) // field name
		switch r.byte1() {
		case 0: // function: type index
			r.u32()
		case 1: // table
			r.byte1()
			if _, _, hasMax, err := r.tableLimits(); err != nil {
				return err
			} else if !hasMax {
				return fmt.Errorf("an imported table without a maximum (at most %d entries)", MaxTableEntries)
			}
		case 2: // memory: limits (capped by the runtime)
			flag := r.byte1()
			r.u32()
			if flag&1 == 1 {
				r.u32()
			}
		case 3: // global: value type, mutability
			r.byte1()
			r.byte1()
		default:
			return errors.New("unknown import kind")
		}
	}
	return r.err
}

// maxTriggers bounds a triggers section: it is read on every request.
const maxTriggers = 1024

// ParseTriggers reads the JSON array of lowercase words of an asknix.triggers section.
func ParseTriggers(data []byte) ([]string, error) {
	if len(data) > 64<<10 {
		return nil, fmt.Errorf("%s section is %d bytes (at most 64 KiB)", TriggersSection, len(data))
	}
	var words []string
	if err := json.Unmarshal(data, &words); err != nil {
		return nil, fmt.Errorf("%s section is not a JSON array of strings: %w", TriggersSection, err)
	}
	if len(words) > maxTriggers {
		return nil, fmt.Errorf("%s section has %d words (at most %d)", TriggersSection, len(words), maxTriggers)
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w == "" || !utf8.ValidString(w) || strings.ContainsFunc(w, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) {
			return nil, fmt.Errorf("%s section: %q is not a single word", TriggersSection, w)
		}
		out = append(out, strings.ToLower(w))
	}
	return out, nil
}

// AppendTriggers returns module with an asknix.triggers custom section appended (custom
// sections may appear anywhere; Debian's wat2wasm and the Go compiler cannot write one).
func AppendTriggers(module []byte, words []string) ([]byte, error) {
	data, err := json.Marshal(words)
	if err != nil {
		return nil, err
	}
	if _, err := ParseTriggers(data); err != nil {
		return nil, err
	}
	payload := append(uleb(uint32(len(TriggersSection))), TriggersSection...)
	payload = append(payload, data...)
	out := append([]byte(nil), module...)
	out = append(out, 0)
	out = append(out, uleb(uint32(len(payload)))...)
	return append(out, payload...), nil
}

func uleb(v uint32) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// uleb32 decodes an unsigned LEB128 of at most 5 bytes; it returns the value and its length.
func uleb32(b []byte) (uint32, int, error) {
	var v uint32
	for i := 0; i < 5 && i < len(b); i++ {
		v |= uint32(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			if i == 4 && b[i] > 0x0f {
				return 0, 0, errors.New("LEB128 overflows 32 bits")
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("truncated LEB128")
}
