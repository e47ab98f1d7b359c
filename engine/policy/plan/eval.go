package plan

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Levels returned by run: done means the block ran to its end; returnLevel means a
// ReturnLocalStmt ended the function; k ≥ 0 means "break out of k more blocks".
const (
	done        = -1
	returnLevel = 1 << 30
)

// maxDepth bounds recursion through plan functions (Rego forbids recursion; a hostile
// plan might not).
const maxDepth = 512

type evalError struct{ err error }

type evaluator struct {
	p       *Program
	ctx     context.Context
	results []Value
	ret     Value
	memo    map[*function]Value
	depth   int
	steps   int
	now     time.Time
}

func (e *evaluator) fail(format string, args ...any) {
	panic(evalError{fmt.Errorf(format, args...)})
}

func (e *evaluator) read(o operand, frame []Value) Value {
	switch o.kind {
	case 'l':
		return frame[o.local]
	case 's':
		return e.p.strings[o.str]
	case 'b':
		return Bool(o.b)
	}
	return nil
}

func (e *evaluator) location(s *stmt) string {
	if s.file >= 0 && int(s.file) < len(e.p.files) {
		return fmt.Sprintf("%s:%d", e.p.files[s.file], s.row)
	}
	return fmt.Sprintf("line %d", s.row)
}

// run executes a block; see done/returnLevel.
func (e *evaluator) run(b *block, frame []Value) int {
	for i := range b.stmts {
		s := &b.stmts[i]
		e.steps++
		if e.steps&1023 == 0 {
			if err := e.ctx.Err(); err != nil {
				panic(evalError{fmt.Errorf("evaluate policy: %w", err)})
			}
		}
		switch s.op {
		case opReturnLocal:
			e.ret = frame[s.a.local]
			return returnLevel
		case opResultSetAdd:
			e.results = append(e.results, frame[s.target])
		case opCall:
			args := make([]Value, len(s.more().args))
			for i, a := range s.more().args {
				args[i] = e.read(a, frame)
				if args[i] == nil {
					return 0
				}
			}
			var v Value
			if s.more().fn != nil {
				v = e.call(s.more().fn, args)
			} else {
				var err error
				v, err = s.more().builtin.fn(e, args)
				if err != nil {
					var h haltError
					if errors.As(err, &h) {
						e.fail("%s: %s: %v", e.location(s), s.more().builtin.name, err)
					}
					v = nil // as OPA without strict built-in errors: undefined
				}
			}
			if v == nil {
				return 0
			}
			frame[s.target] = v
		case opCallDynamic:
			path := make([]string, len(s.more().args))
			for i, a := range s.more().args {
				str, ok := e.read(a, frame).(String)
				if !ok {
					return 0
				}
				path[i] = string(str)
			}
			fn, ok := e.p.byPath[pathKey(path)]
			if !ok {
				return 0
			}
			args := make([]Value, len(s.more().dargs))
			for i, l := range s.more().dargs {
				args[i] = frame[l]
			}
			v := e.call(fn, args)
			if v == nil {
				return 0
			}
			frame[s.target] = v
		case opBlock:
			for _, inner := range s.more().blocks {
				if lvl := e.run(inner, frame); lvl == returnLevel {
					return lvl
				} else if lvl > 0 {
					return lvl - 1
				}
			}
		case opBreak:
			return int(s.index)
		case opDot:
			v := dot(e.read(s.a, frame), e.read(s.b, frame))
			if v == nil {
				return 0
			}
			frame[s.target] = v
		case opLen:
			n, ok := length(e.read(s.a, frame))
			if !ok {
				return 0
			}
			frame[s.target] = intNumber(n)
		case opScan:
			if lvl := e.scan(s, frame); lvl != done {
				return lvl
			}
		case opNot:
			switch lvl := e.run(s.more().blocks[0], frame); {
			case lvl == returnLevel:
				return lvl
			case lvl == done:
				return 0
			case lvl > 0:
				return lvl - 1
			}
		case opAssignInt, opMakeNumberInt:
			frame[s.target] = Number(fmt.Sprint(s.more().ival))
		case opAssignVar:
			frame[s.target] = e.read(s.a, frame)
		case opAssignVarOnce:
			v := e.read(s.a, frame)
			if old := frame[s.target]; old != nil && !equal(old, v) {
				e.fail("%s: eval_conflict_error: complete rules must not produce multiple outputs", e.location(s))
			}
			frame[s.target] = v
		case opResetLocal:
			frame[s.target] = nil
		case opMakeNull:
			frame[s.target] = Null{}
		case opMakeNumberRef:
			frame[s.target] = Number(e.p.strings[s.index])
		case opMakeArray:
			frame[s.target] = &Array{}
		case opMakeObject:
			frame[s.target] = newObject()
		case opMakeSet:
			frame[s.target] = newSet()
		case opEqual:
			if !equal(e.read(s.a, frame), e.read(s.b, frame)) {
				return 0
			}
		case opNotEqual:
			a, b := e.read(s.a, frame), e.read(s.b, frame)
			if a == nil || b == nil || equal(a, b) {
				return 0
			}
		case opIsArray:
			if _, ok := e.read(s.a, frame).(*Array); !ok {
				return 0
			}
		case opIsObject:
			if _, ok := e.read(s.a, frame).(*Object); !ok {
				return 0
			}
		case opIsSet:
			if _, ok := e.read(s.a, frame).(*Set); !ok {
				return 0
			}
		case opIsDefined:
			if frame[s.a.local] == nil {
				return 0
			}
		case opIsUndefined:
			if frame[s.a.local] != nil {
				return 0
			}
		case opArrayAppend:
			arr, ok := frame[s.target].(*Array)
			v := e.read(s.c, frame)
			if !ok || v == nil {
				e.fail("%s: array append to a non-array", e.location(s))
			}
			arr.elems = append(arr.elems, v)
		case opObjectInsert, opObjectInsertOnce:
			obj, ok := frame[s.target].(*Object)
			k, v := e.read(s.b, frame), e.read(s.c, frame)
			if !ok || k == nil || v == nil {
				e.fail("%s: object insert into a non-object", e.location(s))
			}
			if s.op == opObjectInsertOnce {
				if old := obj.get(k); old != nil && !equal(old, v) {
					e.fail("%s: eval_conflict_error: object keys must be unique", e.location(s))
				}
			}
			obj.put(k, v)
		case opObjectMerge:
			a, aok := frame[s.key].(*Object)
			b, bok := frame[s.value].(*Object)
			if !aok || !bok {
				e.fail("%s: eval_conflict_error: object merge of non-objects", e.location(s))
			}
			frame[s.target] = merge(a, b)
		case opSetAdd:
			set, ok := frame[s.target].(*Set)
			v := e.read(s.c, frame)
			if !ok || v == nil {
				e.fail("%s: set add to a non-set", e.location(s))
			}
			set.add(v)
		case opWith:
			saved := frame[s.target]
			savedMemo := e.memo
			e.memo = map[*function]Value{}
			v := e.read(s.c, frame)
			if len(s.more().path) == 0 {
				frame[s.target] = v
			} else {
				frame[s.target] = upsert(saved, s.more().path, e.p.strings, v)
			}
			lvl := e.run(s.more().blocks[0], frame)
			frame[s.target] = saved
			e.memo = savedMemo
			switch {
			case lvl == returnLevel:
				return lvl
			case lvl == done:
			case lvl == 0:
				return 0
			default:
				return lvl - 1
			}
		case opNop:
		}
	}
	return done
}

// scan iterates arrays (index, element), objects (key, value) and sets (element,
// element); a scalar has nothing to iterate.
func (e *evaluator) scan(s *stmt, frame []Value) int {
	body := s.more().blocks[0]
	step := func(k, v Value) (int, bool) {
		frame[s.key], frame[s.value] = k, v
		switch lvl := e.run(body, frame); {
		case lvl == returnLevel:
			return lvl, true
		case lvl == done, lvl == 0:
			return done, false
		case lvl == 1:
			return done, true
		default:
			return lvl - 2, true
		}
	}
	switch x := frame[s.a.local].(type) {
	case *Array:
		for i := 0; i < len(x.elems); i++ {
			if lvl, stop := step(intNumber(i), x.elems[i]); stop {
				return lvl
			}
		}
	case *Object:
		for _, i := range x.sortedKeys() {
			if lvl, stop := step(x.keys[i], x.vals[i]); stop {
				return lvl
			}
		}
	case *Set:
		for _, v := range x.sorted() {
			if lvl, stop := step(v, v); stop {
				return lvl
			}
		}
	}
	return done
}

func (e *evaluator) call(fn *function, args []Value) Value {
	memo := len(fn.params) == 2 && len(args) == 2
	if memo {
		if v, ok := e.memo[fn]; ok {
			return v
		}
	}
	if e.depth >= maxDepth {
		e.fail("evaluate policy: functions nest deeper than %d", maxDepth)
	}
	e.depth++
	defer func() { e.depth-- }()
	frame := make([]Value, e.p.nloc)
	for i, p := range fn.params {
		if i < len(args) {
			frame[p] = args[i]
		}
	}
	var v Value
	returned := false
	for _, b := range fn.blocks {
		if lvl := e.run(b, frame); lvl == returnLevel {
			v, returned = e.ret, true
			e.ret = nil
			break
		} else if lvl > 0 {
			break
		}
	}
	if !returned {
		v = frame[fn.ret]
	}
	if memo {
		e.memo[fn] = v
	}
	return v
}

func dot(src, k Value) Value {
	switch x := src.(type) {
	case *Array:
		n, ok := k.(Number)
		if !ok {
			return nil
		}
		i, ok := n.int()
		if !ok || i < 0 || i >= len(x.elems) {
			return nil
		}
		return x.elems[i]
	case *Object:
		if k == nil {
			return nil
		}
		return x.get(k)
	case *Set:
		if k != nil && x.has(k) {
			return k
		}
	}
	return nil
}

func length(v Value) (int, bool) {
	switch x := v.(type) {
	case *Array:
		return len(x.elems), true
	case *Object:
		return len(x.keys), true
	case *Set:
		return len(x.elems), true
	case String:
		return utf8.RuneCountInString(string(x)), true
	}
	return 0, false
}

func merge(a, b *Object) *Object {
	out := a.copy()
	for i, k := range b.keys {
		old := out.get(k)
		if old == nil {
			out.put(k, b.vals[i])
			continue
		}
		oa, aok := old.(*Object)
		ob, bok := b.vals[i].(*Object)
		if aok && bok {
			out.put(k, merge(oa, ob))
		}
	}
	return out
}

// upsert returns a copy of doc with value at path (string constants), creating objects.
func upsert(doc Value, path []int, strs []String, v Value) Value {
	obj, ok := doc.(*Object)
	if ok {
		obj = obj.copy()
	} else {
		obj = newObject()
	}
	k := strs[path[0]]
	if len(path) == 1 {
		obj.put(k, v)
		return obj
	}
	obj.put(k, upsert(obj.get(k), path[1:], strs, v))
	return obj
}
