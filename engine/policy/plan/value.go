package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Value is a Rego value: Null, Bool, Number, String, *Array, *Object or *Set. A nil Value is
// undefined.
type Value any

// Null is Rego's null.
type Null struct{}

// Bool is a Rego boolean.
type Bool bool

// Number keeps a number's text, as OPA does: sprintf formats 1.0 and 1 differently.
type Number string

// String is a Rego string.
type String string

// Array is a Rego array.
type Array struct{ elems []Value }

// Object is a Rego object; keys may be any value.
type Object struct {
	keys, vals []Value
	idx        map[string]int
}

// Set is a Rego set.
type Set struct {
	elems []Value
	idx   map[string]int
}

func newObject() *Object { return &Object{idx: map[string]int{}} }
func newSet() *Set       { return &Set{idx: map[string]int{}} }

func (o *Object) get(k Value) Value {
	if i, ok := o.idx[key(k)]; ok {
		return o.vals[i]
	}
	return nil
}

func (o *Object) put(k, v Value) {
	h := key(k)
	if i, ok := o.idx[h]; ok {
		o.vals[i] = v
		return
	}
	o.idx[h] = len(o.keys)
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *Object) copy() *Object {
	c := newObject()
	for i, k := range o.keys {
		c.put(k, o.vals[i])
	}
	return c
}

func (s *Set) has(v Value) bool { _, ok := s.idx[key(v)]; return ok }

func (s *Set) add(v Value) {
	h := key(v)
	if _, ok := s.idx[h]; ok {
		return
	}
	s.idx[h] = len(s.elems)
	s.elems = append(s.elems, v)
}

// sorted returns the set's elements in Rego's order.
func (s *Set) sorted() []Value {
	out := append([]Value(nil), s.elems...)
	sort.SliceStable(out, func(i, j int) bool { return compare(out[i], out[j]) < 0 })
	return out
}

// sortedKeys returns the object's key positions in Rego's key order.
func (o *Object) sortedKeys() []int {
	out := make([]int, len(o.keys))
	for i := range out {
		out[i] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return compare(o.keys[out[i]], o.keys[out[j]]) < 0 })
	return out
}

func (n Number) float() float64 {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		if r, ok := new(big.Float).SetString(string(n)); ok {
			f, _ = r.Float64()
		}
	}
	return f
}

// int returns the number as an int when it is one.
func (n Number) int() (int, bool) {
	f := n.float()
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
}

func intNumber(i int) Number { return Number(strconv.Itoa(i)) }

func floatNumber(f float64) Number {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return Number(strconv.FormatInt(int64(f), 10))
	}
	return Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// key is a canonical text for hashing: equal values (1 and 1.0 too) have equal keys.
func key(v Value) string {
	var b strings.Builder
	writeKey(&b, v)
	return b.String()
}

func writeKey(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case Null:
		b.WriteByte('n')
	case Bool:
		if x {
			b.WriteByte('t')
		} else {
			b.WriteByte('f')
		}
	case Number:
		b.WriteByte('#')
		b.WriteString(numberKey(x))
		b.WriteByte(';')
	case String:
		b.WriteByte('s')
		b.WriteString(strconv.Itoa(len(x)))
		b.WriteByte(':')
		b.WriteString(string(x))
	case *Array:
		b.WriteByte('[')
		for _, e := range x.elems {
			writeKey(b, e)
		}
		b.WriteByte(']')
	case *Object:
		b.WriteByte('{')
		for _, i := range x.sortedKeys() {
			writeKey(b, x.keys[i])
			writeKey(b, x.vals[i])
		}
		b.WriteByte('}')
	case *Set:
		b.WriteByte('<')
		for _, e := range x.sorted() {
			writeKey(b, e)
		}
		b.WriteByte('>')
	}
}

func rank(v Value) int {
	switch v.(type) {
	case Null:
		return 0
	case Bool:
		return 1
	case Number:
		return 2
	case String:
		return 3
	case *Array:
		return 4
	case *Object:
		return 5
	case *Set:
		return 6
	}
	return 7
}

// compare orders values as OPA does: null < booleans < numbers < strings < arrays <
// objects < sets.
func compare(a, b Value) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra - rb
	}
	switch x := a.(type) {
	case Bool:
		y := b.(Bool)
		switch {
		case x == y:
			return 0
		case !bool(x):
			return -1
		}
		return 1
	case Number:
		return compareNumbers(x, b.(Number))
	case String:
		return strings.Compare(string(x), string(b.(String)))
	case *Array:
		y := b.(*Array)
		for i := 0; i < len(x.elems) && i < len(y.elems); i++ {
			if c := compare(x.elems[i], y.elems[i]); c != 0 {
				return c
			}
		}
		return len(x.elems) - len(y.elems)
	case *Object:
		y := b.(*Object)
		ka, kb := x.sortedKeys(), y.sortedKeys()
		for i := 0; i < len(ka) && i < len(kb); i++ {
			if c := compare(x.keys[ka[i]], y.keys[kb[i]]); c != 0 {
				return c
			}
			if c := compare(x.vals[ka[i]], y.vals[kb[i]]); c != 0 {
				return c
			}
		}
		return len(ka) - len(kb)
	case *Set:
		ea, eb := x.sorted(), b.(*Set).sorted()
		for i := 0; i < len(ea) && i < len(eb); i++ {
			if c := compare(ea[i], eb[i]); c != 0 {
				return c
			}
		}
		return len(ea) - len(eb)
	}
	return 0
}

func equal(a, b Value) bool {
	if a == nil || b == nil {
		return false
	}
	return compare(a, b) == 0
}

// FromJSON decodes one JSON document into a Value (numbers keep their text).
func FromJSON(data []byte) (Value, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("decode input: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode input: trailing data")
	}
	return fromGo(x), nil
}

func fromGo(x any) Value {
	switch v := x.(type) {
	case nil:
		return Null{}
	case bool:
		return Bool(v)
	case json.Number:
		return Number(v)
	case string:
		return String(v)
	case []any:
		a := &Array{elems: make([]Value, len(v))}
		for i, e := range v {
			a.elems[i] = fromGo(e)
		}
		return a
	case map[string]any:
		o := newObject()
		ks := make([]string, 0, len(v))
		for k := range v {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			o.put(String(k), fromGo(v[k]))
		}
		return o
	}
	return Null{}
}

// ToGo converts a value to encoding/json's shapes; sets become sorted arrays and
// non-string object keys their JSON text, as OPA's result sets do.
func ToGo(v Value) any {
	switch x := v.(type) {
	case Null, nil:
		return nil
	case Bool:
		return bool(x)
	case Number:
		return json.Number(x)
	case String:
		return string(x)
	case *Array:
		out := make([]any, len(x.elems))
		for i, e := range x.elems {
			out[i] = ToGo(e)
		}
		return out
	case *Set:
		s := x.sorted()
		out := make([]any, len(s))
		for i, e := range s {
			out[i] = ToGo(e)
		}
		return out
	case *Object:
		out := make(map[string]any, len(x.keys))
		for i, k := range x.keys {
			ks, ok := k.(String)
			if !ok {
				b, _ := json.Marshal(ToGo(k))
				ks = String(b)
			}
			out[string(ks)] = ToGo(x.vals[i])
		}
		return out
	}
	return nil
}

// regoString formats a value as Rego prints it (sprintf's %v of a non-string).
func regoString(v Value) string {
	switch x := v.(type) {
	case Null:
		return "null"
	case Bool:
		if x {
			return "true"
		}
		return "false"
	case Number:
		return string(x)
	case String:
		return strconv.Quote(string(x))
	case *Array:
		parts := make([]string, len(x.elems))
		for i, e := range x.elems {
			parts[i] = regoString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Set:
		if len(x.elems) == 0 {
			return "set()"
		}
		s := x.sorted()
		parts := make([]string, len(s))
		for i, e := range s {
			parts[i] = regoString(e)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *Object:
		var parts []string
		for _, i := range x.sortedKeys() {
			parts = append(parts, regoString(x.keys[i])+": "+regoString(x.vals[i]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return ""
}
