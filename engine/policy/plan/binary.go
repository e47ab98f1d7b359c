package plan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"sort"
)

// The compact form a loaded plan is cached in: decoding OPA's JSON costs ~6 ms a process
// (reflection, a RawMessage per statement); this costs a tenth of that. Integers are
// varints; a string is its length and bytes.
const binaryMagic = "ask-nix-plan\x02"

// ErrCorrupt marks a compact plan that does not decode.
var ErrCorrupt = errors.New("corrupt compiled plan")

type writer struct{ b []byte }

func (w *writer) int(i int)    { w.b = binary.AppendVarint(w.b, int64(i)) }
func (w *writer) i64(i int64)  { w.b = binary.AppendVarint(w.b, i) }
func (w *writer) str(s string) { w.int(len(s)); w.b = append(w.b, s...) }

func (w *writer) operand(o operand) {
	w.b = append(w.b, o.kind)
	switch o.kind {
	case 'l':
		w.int(int(o.local))
	case 's':
		w.int(int(o.str))
	case 'b':
		if o.b {
			w.int(1)
		} else {
			w.int(0)
		}
	}
}

// MarshalBinary encodes the program in its compact form.
func (p *Program) MarshalBinary() ([]byte, error) {
	w := &writer{b: []byte(binaryMagic)}
	w.int(p.nloc)
	w.int(len(p.strings))
	for _, s := range p.strings {
		w.str(string(s))
	}
	w.int(len(p.files))
	for _, s := range p.files {
		w.str(s)
	}
	names := make([]string, 0, len(p.funcs))
	for n := range p.funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	index := map[*function]int{}
	for i, n := range names {
		index[p.funcs[n]] = i
	}
	w.int(len(names))
	for _, n := range names {
		fn := p.funcs[n]
		w.str(fn.name)
		w.int(len(fn.params))
		for _, x := range fn.params {
			w.int(x)
		}
		w.int(fn.ret)
		w.int(len(fn.path))
		for _, s := range fn.path {
			w.str(s)
		}
	}
	var writeBlock func(b *block)
	writeBlock = func(b *block) {
		w.int(len(b.stmts))
		for i := range b.stmts {
			s := &b.stmts[i]
			x := s.more()
			w.b = append(w.b, byte(s.op))
			w.int(int(s.row))
			w.int(int(s.file))
			w.operand(s.a)
			w.operand(s.b)
			w.operand(s.c)
			w.int(int(s.target))
			w.int(int(s.key))
			w.int(int(s.value))
			w.int(int(s.index))
			w.i64(x.ival)
			w.int(len(x.args))
			for _, a := range x.args {
				w.operand(a)
			}
			w.int(len(x.dargs))
			for _, x := range x.dargs {
				w.int(x)
			}
			w.int(len(x.path))
			for _, x := range x.path {
				w.int(x)
			}
			switch {
			case x.fn != nil:
				w.int(1)
				w.int(index[x.fn])
			case x.builtin != nil:
				w.int(2)
				w.str(x.builtin.name)
			default:
				w.int(0)
			}
			w.int(len(x.blocks))
			for _, sb := range x.blocks {
				writeBlock(sb)
			}
		}
	}
	for _, n := range names {
		fn := p.funcs[n]
		w.int(len(fn.blocks))
		for _, b := range fn.blocks {
			writeBlock(b)
		}
	}
	plans := make([]string, 0, len(p.plans))
	for n := range p.plans {
		plans = append(plans, n)
	}
	sort.Strings(plans)
	w.int(len(plans))
	for _, n := range plans {
		w.str(n)
		w.int(len(p.plans[n].blocks))
		for _, b := range p.plans[n].blocks {
			writeBlock(b)
		}
	}
	return w.b, nil
}

type reader struct {
	b   []byte
	all string // the same bytes as one string: strings are cut from it, not copied
	err error
	ext []stmtExt // the current chunk statement extensions are cut from
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
	r.b = nil
}

func (r *reader) i64() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("truncated number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int() int {
	v := r.i64()
	if v < -1<<31 || v >= 1<<31 {
		r.fail("number out of range")
		return 0
	}
	return int(v)
}

// count reads a length that must be small enough for the bytes left (each element takes
// at least one byte), so hostile lengths cannot allocate.
func (r *reader) count() int {
	n := r.int()
	if n < 0 || n > len(r.b) {
		r.fail("bad length")
		return 0
	}
	return n
}

func (r *reader) str() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	start := len(r.all) - len(r.b)
	r.b = r.b[n:]
	return r.all[start : start+n]
}

// newExt stores x in a chunk shared by many statements: one allocation per 128 extensions
// instead of one each.
func (r *reader) newExt(x stmtExt) *stmtExt {
	if len(r.ext) == cap(r.ext) {
		r.ext = make([]stmtExt, 0, 128)
	}
	r.ext = append(r.ext, x)
	return &r.ext[len(r.ext)-1]
}

func (r *reader) byte1() byte {
	if len(r.b) == 0 {
		r.fail("truncated")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// Decode reads a program from its compact form (MarshalBinary), checking every index.
func Decode(data []byte) (*Program, error) {
	if len(data) < len(binaryMagic) || string(data[:len(binaryMagic)]) != binaryMagic {
		return nil, fmt.Errorf("%w: not a compiled plan", ErrCorrupt)
	}
	all := string(data)
	r := &reader{b: data[len(binaryMagic):], all: all}
	p := &Program{funcs: map[string]*function{}, byPath: map[string]*function{}, plans: map[string]*function{}, regexes: map[string]*regexp.Regexp{}}
	p.nloc = r.int()
	if p.nloc < 2 || p.nloc > 1<<20 {
		return nil, fmt.Errorf("%w: %d locals", ErrCorrupt, p.nloc)
	}
	local := func(i int) int {
		if i < 0 || i >= p.nloc {
			r.fail("local out of range")
			return 0
		}
		return i
	}
	n := r.count()
	p.strings = make([]String, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		p.strings = append(p.strings, String(r.str()))
	}
	n = r.count()
	for i := 0; i < n && r.err == nil; i++ {
		p.files = append(p.files, r.str())
	}
	n = r.count()
	var funcs []*function
	for i := 0; i < n && r.err == nil; i++ {
		fn := &function{name: r.str()}
		np := r.count()
		for j := 0; j < np && r.err == nil; j++ {
			fn.params = append(fn.params, local(r.int()))
		}
		fn.ret = local(r.int())
		np = r.count()
		for j := 0; j < np && r.err == nil; j++ {
			fn.path = append(fn.path, r.str())
		}
		funcs = append(funcs, fn)
		p.funcs[fn.name] = fn
		if len(fn.path) > 0 {
			p.byPath[pathKey(fn.path)] = fn
		}
	}
	operand1 := func() operand {
		o := operand{kind: r.byte1()}
		switch o.kind {
		case 'l':
			o.local = int32(local(r.int()))
		case 's':
			if o.str = int32(r.int()); o.str < 0 || int(o.str) >= len(p.strings) {
				r.fail("string out of range")
			}
		case 'b':
			o.b = r.int() == 1
		case 0:
		default:
			r.fail("bad operand")
		}
		return o
	}
	depth := 0
	var readBlock func() *block
	readBlock = func() *block {
		depth++
		defer func() { depth-- }()
		if depth > 1000 {
			r.fail("blocks nest too deep")
			return &block{}
		}
		ns := r.count()
		b := &block{stmts: make([]stmt, 0, ns)}
		for i := 0; i < ns && r.err == nil; i++ {
			s := stmt{op: opcode(r.byte1())}
			if s.op < opReturnLocal || s.op > opResultSetAdd {
				r.fail("bad statement")
				break
			}
			s.row, s.file = int32(r.int()), int32(r.int())
			s.a, s.b, s.c = operand1(), operand1(), operand1()
			s.target, s.key, s.value = int32(local(r.int())), int32(local(r.int())), int32(local(r.int()))
			s.index = int32(r.int())
			var x stmtExt
			x.ival = r.i64()
			if na := r.count(); na > 0 {
				x.args = make([]operand, 0, na)
				for j := 0; j < na && r.err == nil; j++ {
					x.args = append(x.args, operand1())
				}
			}
			if na := r.count(); na > 0 {
				x.dargs = make([]int, 0, na)
				for j := 0; j < na && r.err == nil; j++ {
					x.dargs = append(x.dargs, local(r.int()))
				}
			}
			if na := r.count(); na > 0 {
				x.path = make([]int, 0, na)
				for j := 0; j < na && r.err == nil; j++ {
					i := r.int()
					if i < 0 || i >= len(p.strings) {
						r.fail("string out of range")
					}
					x.path = append(x.path, i)
				}
			}
			switch r.int() {
			case 0:
			case 1:
				fi := r.int()
				if fi < 0 || fi >= len(funcs) {
					r.fail("function out of range")
					break
				}
				x.fn = funcs[fi]
			case 2:
				name := r.str()
				bi, ok := builtins[name]
				if !ok && r.err == nil {
					r.err = fmt.Errorf("%w: built-in function %s", ErrUnsupported, name)
				}
				if ok && bi.arity >= 0 && bi.arity != len(x.args) {
					r.fail("wrong number of arguments")
				}
				x.builtin = bi
			default:
				r.fail("bad call")
			}
			if s.op == opCall && x.fn == nil && x.builtin == nil {
				r.fail("call without a function")
			}
			if s.op == opMakeNumberRef && (s.index < 0 || int(s.index) >= len(p.strings)) {
				r.fail("string out of range")
			}
			if nb := r.count(); nb > 0 {
				x.blocks = make([]*block, 0, nb)
				for j := 0; j < nb && r.err == nil; j++ {
					x.blocks = append(x.blocks, readBlock())
				}
			}
			switch s.op {
			case opScan, opNot, opWith:
				if len(x.blocks) != 1 {
					r.fail("statement without its block")
				}
			}
			if x.ival != 0 || x.args != nil || x.dargs != nil || x.path != nil || x.fn != nil || x.builtin != nil || x.blocks != nil {
				s.ext = r.newExt(x)
			}
			b.stmts = append(b.stmts, s)
		}
		return b
	}
	for _, fn := range funcs {
		nb := r.count()
		for j := 0; j < nb && r.err == nil; j++ {
			fn.blocks = append(fn.blocks, readBlock())
		}
	}
	n = r.count()
	for i := 0; i < n && r.err == nil; i++ {
		name := r.str()
		pl := &function{name: name}
		nb := r.count()
		for j := 0; j < nb && r.err == nil; j++ {
			pl.blocks = append(pl.blocks, readBlock())
		}
		p.plans[name] = pl
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", ErrCorrupt)
	}
	if len(p.plans) == 0 {
		return nil, fmt.Errorf("%w: no entrypoints", ErrCorrupt)
	}
	return p, nil
}
