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
	for off < size {
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
