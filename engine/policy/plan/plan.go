// Package plan evaluates Rego policies compiled by OPA's planner (`opa build -t plan`, the
// intermediate representation OPA's Wasm compiler also starts from) natively in Go,
// without linking OPA. Loading refuses a plan that uses a statement or built-in function
// it does not implement, so a caller can fall back to OPA itself; evaluation mirrors
// OPA's topdown built-ins (same regexp engine, same sprintf) and is tested against it.
package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// ErrUnsupported marks a plan that uses something this evaluator does not implement.
var ErrUnsupported = errors.New("plan uses an unsupported feature")

type opcode uint8

const (
	opReturnLocal opcode = iota + 1
	opCall
	opCallDynamic
	opBlock
	opBreak
	opDot
	opLen
	opScan
	opNot
	opAssignInt
	opAssignVar
	opAssignVarOnce
	opResetLocal
	opMakeNull
	opMakeNumberInt
	opMakeNumberRef
	opMakeArray
	opMakeObject
	opMakeSet
	opEqual
	opNotEqual
	opIsArray
	opIsObject
	opIsSet
	opIsDefined
	opIsUndefined
	opArrayAppend
	opObjectInsert
	opObjectInsertOnce
	opObjectMerge
	opSetAdd
	opWith
	opNop
	opResultSetAdd
)

var opcodes = map[string]opcode{
	"ReturnLocalStmt": opReturnLocal, "CallStmt": opCall, "CallDynamicStmt": opCallDynamic,
	"BlockStmt": opBlock, "BreakStmt": opBreak, "DotStmt": opDot, "LenStmt": opLen,
	"ScanStmt": opScan, "NotStmt": opNot, "AssignIntStmt": opAssignInt,
	"AssignVarStmt": opAssignVar, "AssignVarOnceStmt": opAssignVarOnce,
	"ResetLocalStmt": opResetLocal, "MakeNullStmt": opMakeNull,
	"MakeNumberIntStmt": opMakeNumberInt, "MakeNumberRefStmt": opMakeNumberRef,
	"MakeArrayStmt": opMakeArray, "MakeObjectStmt": opMakeObject, "MakeSetStmt": opMakeSet,
	"EqualStmt": opEqual, "NotEqualStmt": opNotEqual, "IsArrayStmt": opIsArray,
	"IsObjectStmt": opIsObject, "IsSetStmt": opIsSet, "IsDefinedStmt": opIsDefined,
	"IsUndefinedStmt": opIsUndefined, "ArrayAppendStmt": opArrayAppend,
	"ObjectInsertStmt": opObjectInsert, "ObjectInsertOnceStmt": opObjectInsertOnce,
	"ObjectMergeStmt": opObjectMerge, "SetAddStmt": opSetAdd, "WithStmt": opWith,
	"NopStmt": opNop, "ResultSetAddStmt": opResultSetAdd,
}

// operand is a local, a string constant or a boolean constant.
type operand struct {
	kind  uint8 // 'l', 's', 'b'
	b     bool
	local int32
	str   int32
}

// stmt is one statement. A plan holds a thousand or more, decoded by every ask-nix process
// that evaluates a policy, so the fields most statements lack live in ext (nil for most):
// 72 bytes a statement instead of 248 (RATIONALE, "Start-up is page faults").
type stmt struct {
	op                 opcode
	a, b, c            operand // source/key/value, a/b
	target, key, value int32   // locals
	index              int32   // break index, string index
	row, file          int32
	ext                *stmtExt
}

// stmtExt holds what calls, blocks, with and number statements add.
type stmtExt struct {
	ival    int64
	blocks  []*block
	args    []operand
	dargs   []int
	path    []int
	fn      *function
	builtin *builtinFn
}

// noExt is what more returns for a statement without ext; it is never written.
var noExt stmtExt

// more reads s's extension (empty when it has none).
func (s *stmt) more() *stmtExt {
	if s.ext != nil {
		return s.ext
	}
	return &noExt
}

// x is s's extension for writing, made on first use.
func (s *stmt) x() *stmtExt {
	if s.ext == nil {
		s.ext = &stmtExt{}
	}
	return s.ext
}

type block struct{ stmts []stmt }

type function struct {
	name   string
	params []int
	ret    int
	blocks []*block
	path   []string
	nloc   int
}

// Program is a loaded plan, ready to evaluate; safe for concurrent use.
type Program struct {
	strings []String
	files   []string
	funcs   map[string]*function
	byPath  map[string]*function
	plans   map[string]*function
	nloc    int
	mu      sync.Mutex
	regexes map[string]*regexp.Regexp
}

// Raw JSON shapes of OPA's IR (package ir's marshalling).
type rawPlan struct {
	Static struct {
		Strings      []struct{ Value string } `json:"strings"`
		BuiltinFuncs []struct{ Name string }  `json:"builtin_funcs"`
		Files        []struct{ Value string } `json:"files"`
	} `json:"static"`
	Plans struct {
		Plans []struct {
			Name   string     `json:"name"`
			Blocks []rawBlock `json:"blocks"`
		} `json:"plans"`
	} `json:"plans"`
	Funcs struct {
		Funcs []struct {
			Name   string     `json:"name"`
			Params []int      `json:"params"`
			Return int        `json:"return"`
			Blocks []rawBlock `json:"blocks"`
			Path   []string   `json:"path"`
		} `json:"funcs"`
	} `json:"funcs"`
}

type rawBlock struct {
	Stmts []struct {
		Type string          `json:"type"`
		Stmt json.RawMessage `json:"stmt"`
	} `json:"stmts"`
}

type rawOperand struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type rawStmt struct {
	Source   json.RawMessage `json:"source"`
	Key      json.RawMessage `json:"key"`
	Value    json.RawMessage `json:"value"`
	Target   int             `json:"target"`
	A        json.RawMessage `json:"a"`
	B        json.RawMessage `json:"b"`
	Index    int             `json:"index"`
	RefIndex int             `json:"Index"`
	IntValue int64           `json:"-"`
	Func     string          `json:"func"`
	Args     json.RawMessage `json:"args"`
	Result   int             `json:"result"`
	Path     json.RawMessage `json:"path"`
	Blocks   []rawBlock      `json:"blocks"`
	Block    *rawBlock       `json:"block"`
	Array    int             `json:"array"`
	Object   int             `json:"object"`
	Set      int             `json:"set"`
	Local    int             `json:"local"`
	Row      int             `json:"row"`
	File     int             `json:"file"`
}

// Load decodes a plan (JSON, as OPA's compile package writes it).
func Load(data []byte) (*Program, error) {
	var raw rawPlan
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	p := &Program{funcs: map[string]*function{}, byPath: map[string]*function{}, plans: map[string]*function{}, regexes: map[string]*regexp.Regexp{}}
	for _, s := range raw.Static.Strings {
		p.strings = append(p.strings, String(s.Value))
	}
	for _, f := range raw.Static.Files {
		p.files = append(p.files, f.Value)
	}
	for _, b := range raw.Static.BuiltinFuncs {
		if _, ok := builtins[b.Name]; !ok {
			return nil, fmt.Errorf("%w: built-in function %s", ErrUnsupported, b.Name)
		}
	}
	// Functions first (by name), so calls can be resolved while decoding bodies.
	for _, f := range raw.Funcs.Funcs {
		fn := &function{name: f.Name, params: f.Params, ret: f.Return, path: f.Path}
		p.funcs[f.Name] = fn
		if len(f.Path) > 0 {
			p.byPath[pathKey(f.Path)] = fn
		}
	}
	l := loader{p: p}
	for _, f := range raw.Funcs.Funcs {
		fn := p.funcs[f.Name]
		var err error
		if fn.blocks, err = l.blocks(f.Blocks); err != nil {
			return nil, fmt.Errorf("function %s: %w", f.Name, err)
		}
		for _, x := range append(append([]int{}, f.Params...), f.Return) {
			l.local(x)
		}
	}
	for _, pl := range raw.Plans.Plans {
		bs, err := l.blocks(pl.Blocks)
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", pl.Name, err)
		}
		p.plans[pl.Name] = &function{name: pl.Name, blocks: bs}
	}
	if l.max >= 1<<20 {
		return nil, fmt.Errorf("decode plan: %d locals", l.max)
	}
	p.nloc = max(l.max+1, 2)
	if len(p.plans) == 0 {
		return nil, errors.New("decode plan: no entrypoints")
	}
	return p, nil
}

func pathKey(path []string) string {
	b, _ := json.Marshal(path)
	return string(b)
}

// Entrypoints lists the plan's entrypoints.
func (p *Program) Entrypoints() []string {
	var out []string
	for n := range p.plans {
		out = append(out, n)
	}
	return out
}

type loader struct {
	p   *Program
	max int
}

func (l *loader) local(i int) int {
	if i > l.max {
		l.max = i
	}
	return i
}

// loc is local for the int32 fields of a statement. A number beyond int32 makes l.max,
// and so the plan's count of locals, too large: the plan is refused.
func (l *loader) loc(i int) int32 { return int32(l.local(i)) }

func (l *loader) blocks(raw []rawBlock) ([]*block, error) {
	out := make([]*block, len(raw))
	for i := range raw {
		b, err := l.block(&raw[i])
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (l *loader) operand(raw json.RawMessage) (operand, error) {
	var o rawOperand
	if err := json.Unmarshal(raw, &o); err != nil {
		return operand{}, fmt.Errorf("operand: %w", err)
	}
	switch o.Type {
	case "local":
		var n int
		if err := json.Unmarshal(o.Value, &n); err != nil || n < 0 {
			return operand{}, fmt.Errorf("operand: bad local %s", o.Value)
		}
		return operand{kind: 'l', local: l.loc(n)}, nil
	case "string_index":
		var n int
		if err := json.Unmarshal(o.Value, &n); err != nil || n < 0 || n >= len(l.p.strings) {
			return operand{}, fmt.Errorf("operand: bad string index %s", o.Value)
		}
		return operand{kind: 's', str: int32(n)}, nil
	case "bool":
		var b bool
		if err := json.Unmarshal(o.Value, &b); err != nil {
			return operand{}, fmt.Errorf("operand: bad bool %s", o.Value)
		}
		return operand{kind: 'b', b: b}, nil
	}
	return operand{}, fmt.Errorf("%w: operand type %q", ErrUnsupported, o.Type)
}

func (l *loader) block(raw *rawBlock) (*block, error) {
	b := &block{stmts: make([]stmt, 0, len(raw.Stmts))}
	for _, rs := range raw.Stmts {
		op, ok := opcodes[rs.Type]
		if !ok {
			return nil, fmt.Errorf("%w: statement %s", ErrUnsupported, rs.Type)
		}
		var r rawStmt
		if err := json.Unmarshal(rs.Stmt, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", rs.Type, err)
		}
		s := stmt{op: op, row: int32(r.Row), file: int32(r.File)}
		var err error
		opnd := func(raw json.RawMessage) operand {
			if err != nil {
				return operand{}
			}
			var o operand
			o, err = l.operand(raw)
			return o
		}
		sub := func(rb *rawBlock) *block {
			if err != nil {
				return nil
			}
			if rb == nil {
				err = fmt.Errorf("%s: missing block", rs.Type)
				return nil
			}
			var x *block
			x, err = l.block(rb)
			return x
		}
		switch op {
		case opReturnLocal:
			var src int
			if e := json.Unmarshal(r.Source, &src); e != nil {
				return nil, fmt.Errorf("%s: source: %w", rs.Type, e)
			}
			s.a = operand{kind: 'l', local: l.loc(src)}
		case opCall:
			var args []json.RawMessage
			if e := json.Unmarshal(r.Args, &args); e != nil && r.Args != nil {
				return nil, fmt.Errorf("%s: args: %w", rs.Type, e)
			}
			for _, a := range args {
				s.x().args = append(s.x().args, opnd(a))
			}
			s.target = l.loc(r.Result)
			if fn, ok := l.p.funcs[r.Func]; ok {
				s.x().fn = fn
			} else if bi, ok := builtins[r.Func]; ok {
				if bi.arity >= 0 && bi.arity != len(args) {
					return nil, fmt.Errorf("%s: %s takes %d arguments, not %d", rs.Type, r.Func, bi.arity, len(args))
				}
				s.x().builtin = bi
			} else {
				return nil, fmt.Errorf("%w: function %s", ErrUnsupported, r.Func)
			}
		case opCallDynamic:
			var args []int
			var path []json.RawMessage
			if e := json.Unmarshal(r.Args, &args); e != nil {
				return nil, fmt.Errorf("%s: args: %w", rs.Type, e)
			}
			if e := json.Unmarshal(r.Path, &path); e != nil {
				return nil, fmt.Errorf("%s: path: %w", rs.Type, e)
			}
			for _, a := range args {
				s.x().dargs = append(s.x().dargs, l.local(a))
			}
			for _, p := range path {
				s.x().args = append(s.x().args, opnd(p))
			}
			s.target = l.loc(r.Result)
		case opBlock:
			for i := range r.Blocks {
				s.x().blocks = append(s.x().blocks, sub(&r.Blocks[i]))
			}
		case opBreak:
			if r.Index < 0 || r.Index > 1<<20 {
				return nil, fmt.Errorf("%s: bad index %d", rs.Type, r.Index)
			}
			s.index = int32(r.Index)
		case opDot:
			s.a, s.b, s.target = opnd(r.Source), opnd(r.Key), l.loc(r.Target)
		case opLen:
			s.a, s.target = opnd(r.Source), l.loc(r.Target)
		case opScan:
			var src int
			if e := json.Unmarshal(r.Source, &src); e != nil {
				return nil, fmt.Errorf("%s: source: %w", rs.Type, e)
			}
			var k, v int
			if e := json.Unmarshal(r.Key, &k); e != nil {
				return nil, fmt.Errorf("%s: key: %w", rs.Type, e)
			}
			if e := json.Unmarshal(r.Value, &v); e != nil {
				return nil, fmt.Errorf("%s: value: %w", rs.Type, e)
			}
			s.a = operand{kind: 'l', local: l.loc(src)}
			s.key, s.value = l.loc(k), l.loc(v)
			s.x().blocks = []*block{sub(r.Block)}
		case opNot:
			s.x().blocks = []*block{sub(r.Block)}
		case opAssignInt, opMakeNumberInt:
			var x struct {
				Value int64 `json:"value"`
			}
			if e := json.Unmarshal(rs.Stmt, &x); e != nil {
				return nil, fmt.Errorf("%s: %w", rs.Type, e)
			}
			s.x().ival, s.target = x.Value, l.loc(r.Target)
		case opAssignVar, opAssignVarOnce:
			s.a, s.target = opnd(r.Source), l.loc(r.Target)
		case opResetLocal, opMakeNull, opMakeArray, opMakeObject, opMakeSet:
			s.target = l.loc(r.Target)
		case opMakeNumberRef:
			if r.RefIndex < 0 || r.RefIndex >= len(l.p.strings) {
				return nil, fmt.Errorf("%s: bad string index %d", rs.Type, r.RefIndex)
			}
			s.index, s.target = int32(r.RefIndex), l.loc(r.Target)
		case opEqual, opNotEqual:
			s.a, s.b = opnd(r.A), opnd(r.B)
		case opIsArray, opIsObject, opIsSet:
			s.a = opnd(r.Source)
		case opIsDefined, opIsUndefined:
			var src int
			if e := json.Unmarshal(r.Source, &src); e != nil {
				return nil, fmt.Errorf("%s: source: %w", rs.Type, e)
			}
			s.a = operand{kind: 'l', local: l.loc(src)}
		case opArrayAppend:
			s.c, s.target = opnd(r.Value), l.loc(r.Array)
		case opObjectInsert, opObjectInsertOnce:
			s.b, s.c, s.target = opnd(r.Key), opnd(r.Value), l.loc(r.Object)
		case opObjectMerge:
			var a, b int
			if e := json.Unmarshal(r.A, &a); e != nil {
				return nil, fmt.Errorf("%s: a: %w", rs.Type, e)
			}
			if e := json.Unmarshal(r.B, &b); e != nil {
				return nil, fmt.Errorf("%s: b: %w", rs.Type, e)
			}
			s.key, s.value, s.target = l.loc(a), l.loc(b), l.loc(r.Target)
		case opSetAdd:
			s.c, s.target = opnd(r.Value), l.loc(r.Set)
		case opWith:
			if e := json.Unmarshal(r.Path, &s.x().path); e != nil && r.Path != nil {
				return nil, fmt.Errorf("%s: path: %w", rs.Type, e)
			}
			for _, i := range s.more().path {
				if i < 0 || i >= len(l.p.strings) {
					return nil, fmt.Errorf("%s: bad string index %d", rs.Type, i)
				}
			}
			s.target, s.c = l.loc(r.Local), opnd(r.Value)
			s.x().blocks = []*block{sub(r.Block)}
		case opResultSetAdd:
			var v int
			if e := json.Unmarshal(r.Value, &v); e != nil {
				return nil, fmt.Errorf("%s: value: %w", rs.Type, e)
			}
			s.target = l.loc(v)
		}
		if err != nil {
			return nil, err
		}
		b.stmts = append(b.stmts, s)
	}
	return b, nil
}

// Eval evaluates entrypoint (e.g. "asknix_internal/decision") with input and returns the
// entrypoint's value; ok is false when it is undefined.
func (p *Program) Eval(ctx context.Context, entrypoint string, input Value) (v Value, ok bool, err error) {
	pl, found := p.plans[entrypoint]
	if !found {
		return nil, false, fmt.Errorf("no entrypoint %s in the plan", entrypoint)
	}
	e := &evaluator{p: p, ctx: ctx, memo: map[*function]Value{}, now: time.Now()}
	frame := make([]Value, p.nloc)
	frame[0], frame[1] = input, newObject()
	defer func() {
		if r := recover(); r != nil {
			// A plan that breaks the evaluator's expectations is an error, never a crash:
			// the caller denies.
			v, ok = nil, false
			if ee, isEval := r.(evalError); isEval {
				err = ee.err
			} else {
				err = fmt.Errorf("evaluate policy: malformed plan: %v", r)
			}
		}
	}()
	for _, b := range pl.blocks {
		if lvl := e.run(b, frame); lvl > 0 {
			break
		}
	}
	if len(e.results) == 0 {
		return nil, false, nil
	}
	// The plan adds {"result": value} per solution; a rule has one.
	res, isObj := e.results[0].(*Object)
	if !isObj {
		return nil, false, errors.New("plan result is not an object")
	}
	v = res.get(String("result"))
	return v, v != nil, nil
}
