package asknix

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The SDK reads and writes its JSON by hand instead of with encoding/json: reflection
// roughly doubles a guest's size, and every megabyte of guest costs load time in each
// ask-nix process that calls it.

var errSyntax = errors.New("asknix: malformed input JSON")

// DecodeInput parses the host's input document {"text", "normalized", "tokens"}.
// Unknown fields are skipped, so a newer host may send more.
func DecodeInput(b []byte) (Input, error) {
	var in Input
	d := decoder{b: b}
	d.space()
	if !d.eat('{') {
		return in, errSyntax
	}
	d.space()
	if d.eat('}') {
		return in, d.end()
	}
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return in, errSyntax
		}
		d.space()
		if !d.eat(':') {
			return in, errSyntax
		}
		d.space()
		switch key {
		case "text":
			if in.Text, ok = d.str(); !ok {
				return in, errSyntax
			}
		case "normalized":
			if in.Normalized, ok = d.str(); !ok {
				return in, errSyntax
			}
		case "tokens":
			if in.Tokens, ok = d.strs(); !ok {
				return in, errSyntax
			}
		default:
			if !d.skip(0) {
				return in, errSyntax
			}
		}
		d.space()
		if d.eat('}') {
			return in, d.end()
		}
		if !d.eat(',') {
			return in, errSyntax
		}
	}
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *decoder) eat(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *decoder) end() error {
	d.space()
	if d.i != len(d.b) {
		return errSyntax
	}
	return nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(n), err == nil
}

func (d *decoder) str() (string, bool) {
	if !d.eat('"') {
		return "", false
	}
	var out []byte
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			return "", false
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(d.b[d.i:])
			if !ok {
				return "", false
			}
			d.i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					r2, ok = hex4(d.b[d.i+2:])
				}
				if ok {
					d.i += 6
					r = utf16.DecodeRune(r, r2)
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (d *decoder) strs() ([]string, bool) {
	if !d.eat('[') {
		return nil, false
	}
	out := []string{}
	d.space()
	if d.eat(']') {
		return out, true
	}
	for {
		d.space()
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		d.space()
		if d.eat(']') {
			return out, true
		}
		if !d.eat(',') {
			return nil, false
		}
	}
}

// skip passes over one JSON value of any type.
func (d *decoder) skip(depth int) bool {
	if depth > 64 || d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		_, ok := d.str()
		return ok
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		d.i++
		d.space()
		if d.eat(closer) {
			return true
		}
		for {
			d.space()
			if c == '{' {
				if _, ok := d.str(); !ok {
					return false
				}
				d.space()
				if !d.eat(':') {
					return false
				}
				d.space()
			}
			if !d.skip(depth + 1) {
				return false
			}
			d.space()
			if d.eat(closer) {
				return true
			}
			if !d.eat(',') {
				return false
			}
		}
	default:
		start := d.i
		for d.i < len(d.b) && d.b[d.i] != ',' && d.b[d.i] != '}' && d.b[d.i] != ']' && d.b[d.i] != ' ' && d.b[d.i] != '\n' && d.b[d.i] != '\t' && d.b[d.i] != '\r' {
			d.i++
		}
		lit := string(d.b[start:d.i])
		if lit == "true" || lit == "false" || lit == "null" {
			return true
		}
		return isNumber(lit)
	}
}

// isNumber reports whether s is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// Encode writes p as the ABI's result JSON. Argument values may be strings, integers
// and booleans; anything else (or a NaN confidence) is an error.
func (p Intent) Encode() ([]byte, error) {
	if math.IsNaN(p.Confidence) || math.IsInf(p.Confidence, 0) {
		return nil, errors.New("asknix: confidence is not a number")
	}
	b := []byte(`{"action":`)
	b = appendString(b, p.Action)
	b = append(b, `,"args":{`...)
	keys := make([]string, 0, len(p.Args))
	for k := range p.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		switch v := p.Args[k].(type) {
		case string:
			b = appendString(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case int32:
			b = strconv.AppendInt(b, int64(v), 10)
		case bool:
			b = strconv.AppendBool(b, v)
		default:
			return nil, errors.New("asknix: argument " + strconv.Quote(k) + " is not a string, integer or boolean")
		}
	}
	b = append(b, `},"confidence":`...)
	b = strconv.AppendFloat(b, p.Confidence, 'g', -1, 64)
	return append(b, '}'), nil
}

func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		case r == utf8.RuneError:
			b = append(b, `\ufffd`...)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
