package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// haltError is a built-in error that stops evaluation instead of making the call
// undefined.
type haltError struct{ error }

type builtinFn struct {
	name  string
	arity int
	fn    func(e *evaluator, args []Value) (Value, error)
}

var errType = errors.New("operand has the wrong type")

func str(v Value) (string, error) {
	s, ok := v.(String)
	if !ok {
		return "", errType
	}
	return string(s), nil
}

func num(v Value) (Number, error) {
	n, ok := v.(Number)
	if !ok {
		return "", errType
	}
	return n, nil
}

func integer(v Value) (int, error) {
	n, ok := v.(Number)
	if !ok {
		return 0, errType
	}
	i, ok := n.int()
	if !ok {
		return 0, errType
	}
	return i, nil
}

func arr(v Value) (*Array, error) {
	a, ok := v.(*Array)
	if !ok {
		return nil, errType
	}
	return a, nil
}

// elements of an array or set (sets in Rego order).
func elements(v Value) ([]Value, error) {
	switch x := v.(type) {
	case *Array:
		return x.elems, nil
	case *Set:
		return x.sorted(), nil
	}
	return nil, errType
}

// strArray makes a Rego array of strings.
func strArray(list []string) *Array {
	out := &Array{elems: make([]Value, len(list))}
	for i, x := range list {
		out.elems[i] = String(x)
	}
	return out
}

// regexArgs reads a pattern and a subject and compiles the pattern (once per program).
func (e *evaluator) regexArgs(pat, subject Value) (*regexp.Regexp, string, error) {
	p, err1 := str(pat)
	s, err2 := str(subject)
	if err := errors.Join(err1, err2); err != nil {
		return nil, "", err
	}
	re, err := e.p.regex(p)
	return re, s, err
}

func strings1(f func(string) Value) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		s, err := str(a[0])
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func strings2(f func(a, b string) (Value, error)) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		x, err := str(a[0])
		if err != nil {
			return nil, err
		}
		y, err := str(a[1])
		if err != nil {
			return nil, err
		}
		return f(x, y)
	}
}

func cmpFn(ok func(int) bool) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) { return Bool(ok(compare(a[0], a[1]))), nil }
}

func typeIs(ok func(Value) bool) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		if !ok(a[0]) {
			return Bool(false), nil
		}
		return Bool(true), nil
	}
}

var half = big.NewFloat(0.5)

// extreme is max and min of an array or set.
func extreme(want int) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		els, err := elements(a[0])
		if err != nil || len(els) == 0 {
			return nil, err
		}
		best := els[0]
		for _, v := range els[1:] {
			if compare(v, best)*want > 0 {
				best = v
			}
		}
		return best, nil
	}
}

// setOp applies a set operation to two sets.
func setOp(f func(x, y *Set) *Set) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		x, ok1 := a[0].(*Set)
		y, ok2 := a[1].(*Set)
		if !ok1 || !ok2 {
			return nil, errType
		}
		return f(x, y), nil
	}
}

// coreBuiltins are the built-ins of OPA's topdown that the plan evaluator implements, one
// entry each: name, arity and implementation.
var coreBuiltins = map[string]*builtinFn{
	"equal": {name: "equal", arity: 2, fn: cmpFn(func(c int) bool { return c == 0 })},
	"neq":   {name: "neq", arity: 2, fn: cmpFn(func(c int) bool { return c != 0 })},
	"lt":    {name: "lt", arity: 2, fn: cmpFn(func(c int) bool { return c < 0 })},
	"lte":   {name: "lte", arity: 2, fn: cmpFn(func(c int) bool { return c <= 0 })},
	"gt":    {name: "gt", arity: 2, fn: cmpFn(func(c int) bool { return c > 0 })},
	"gte":   {name: "gte", arity: 2, fn: cmpFn(func(c int) bool { return c >= 0 })},
	"internal.member_2": {name: "internal.member_2", arity: 2, fn: func(_ *evaluator, a []Value) (Value, error) {
		switch c := a[1].(type) {
		case *Array:
			for _, v := range c.elems {
				if equal(v, a[0]) {
					return Bool(true), nil
				}
			}
		case *Set:
			return Bool(c.has(a[0])), nil
		case *Object:
			for _, v := range c.vals {
				if equal(v, a[0]) {
					return Bool(true), nil
				}
			}
		}
		return Bool(false), nil
	}},
	"internal.member_3": {name: "internal.member_3", arity: 3, fn: func(_ *evaluator, a []Value) (Value, error) {
		v := dot(a[2], a[0])
		return Bool(v != nil && equal(v, a[1])), nil
	}},
	"is_string":  {name: "is_string", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(String); return ok })},
	"is_number":  {name: "is_number", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(Number); return ok })},
	"is_boolean": {name: "is_boolean", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(Bool); return ok })},
	"is_array":   {name: "is_array", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(*Array); return ok })},
	"is_set":     {name: "is_set", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(*Set); return ok })},
	"is_object":  {name: "is_object", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(*Object); return ok })},
	"is_null":    {name: "is_null", arity: 1, fn: typeIs(func(v Value) bool { _, ok := v.(Null); return ok })},
	"type_name": {name: "type_name", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		return String([]string{"null", "boolean", "number", "string", "array", "object", "set"}[rank(a[0])]), nil
	}},
	"count": {name: "count", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		n, ok := length(a[0])
		if !ok {
			return nil, errType
		}
		return intNumber(n), nil
	}},
	"contains":    {name: "contains", arity: 2, fn: strings2(func(a, b string) (Value, error) { return Bool(strings.Contains(a, b)), nil })},
	"startswith":  {name: "startswith", arity: 2, fn: strings2(func(a, b string) (Value, error) { return Bool(strings.HasPrefix(a, b)), nil })},
	"endswith":    {name: "endswith", arity: 2, fn: strings2(func(a, b string) (Value, error) { return Bool(strings.HasSuffix(a, b)), nil })},
	"lower":       {name: "lower", arity: 1, fn: strings1(func(s string) Value { return String(strings.ToLower(s)) })},
	"upper":       {name: "upper", arity: 1, fn: strings1(func(s string) Value { return String(strings.ToUpper(s)) })},
	"trim_space":  {name: "trim_space", arity: 1, fn: strings1(func(s string) Value { return String(strings.TrimSpace(s)) })},
	"trim":        {name: "trim", arity: 2, fn: strings2(func(a, b string) (Value, error) { return String(strings.Trim(a, b)), nil })},
	"trim_left":   {name: "trim_left", arity: 2, fn: strings2(func(a, b string) (Value, error) { return String(strings.TrimLeft(a, b)), nil })},
	"trim_right":  {name: "trim_right", arity: 2, fn: strings2(func(a, b string) (Value, error) { return String(strings.TrimRight(a, b)), nil })},
	"trim_prefix": {name: "trim_prefix", arity: 2, fn: strings2(func(a, b string) (Value, error) { return String(strings.TrimPrefix(a, b)), nil })},
	"trim_suffix": {name: "trim_suffix", arity: 2, fn: strings2(func(a, b string) (Value, error) { return String(strings.TrimSuffix(a, b)), nil })},
	"split":       {name: "split", arity: 2, fn: strings2(func(a, b string) (Value, error) { return strArray(strings.Split(a, b)), nil })},
	"indexof": {name: "indexof", arity: 2, fn: strings2(func(a, b string) (Value, error) {
		if b == "" {
			return nil, errors.New("empty search character")
		}
		i := strings.Index(a, b)
		if i < 0 {
			return intNumber(-1), nil
		}
		return intNumber(utf8.RuneCountInString(a[:i])), nil
	})},
	"indexof_n": {name: "indexof_n", arity: 2, fn: strings2(func(a, b string) (Value, error) {
		if b == "" {
			return nil, errors.New("empty search character")
		}
		out := &Array{}
		for off := 0; ; {
			i := strings.Index(a[off:], b)
			if i < 0 {
				break
			}
			out.elems = append(out.elems, intNumber(utf8.RuneCountInString(a[:off+i])))
			_, w := utf8.DecodeRuneInString(a[off+i:])
			off += i + w
		}
		return out, nil
	})},
	"replace": {name: "replace", arity: 3, fn: func(_ *evaluator, a []Value) (Value, error) {
		s, err1 := str(a[0])
		o, err2 := str(a[1])
		n, err3 := str(a[2])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		return String(strings.ReplaceAll(s, o, n)), nil
	}},
	"substring": {name: "substring", arity: 3, fn: func(_ *evaluator, a []Value) (Value, error) {
		s, err := str(a[0])
		if err != nil {
			return nil, err
		}
		start, err1 := integer(a[1])
		l, err2 := integer(a[2])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if start < 0 {
			return nil, errors.New("negative offset")
		}
		r := []rune(s)
		if start >= len(r) {
			return String(""), nil
		}
		if l < 0 || start+l > len(r) {
			return String(string(r[start:])), nil
		}
		return String(string(r[start : start+l])), nil
	}},
	"concat": {name: "concat", arity: 2, fn: func(_ *evaluator, a []Value) (Value, error) {
		sep, err := str(a[0])
		if err != nil {
			return nil, err
		}
		els, err := elements(a[1])
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(els))
		for i, v := range els {
			if parts[i], err = str(v); err != nil {
				return nil, err
			}
		}
		return String(strings.Join(parts, sep)), nil
	}},
	"sprintf": {name: "sprintf", arity: 2, fn: func(_ *evaluator, a []Value) (Value, error) {
		format, err := str(a[0])
		if err != nil {
			return nil, err
		}
		list, err := arr(a[1])
		if err != nil {
			return nil, err
		}
		args := make([]any, len(list.elems))
		for i, v := range list.elems {
			switch x := v.(type) {
			case Number:
				ns := string(x)
				if strings.ContainsAny(ns, ".eE") {
					if f, err := strconv.ParseFloat(ns, 64); err == nil {
						args[i] = f
					} else {
						args[i] = ns
					}
				} else if n, err := strconv.ParseInt(ns, 10, 64); err == nil {
					args[i] = n
				} else if b, ok := new(big.Int).SetString(ns, 10); ok {
					args[i] = b
				} else {
					args[i] = ns
				}
			case String:
				args[i] = string(x)
			default:
				args[i] = regoString(v)
			}
		}
		return String(fmt.Sprintf(format, args...)), nil
	}},
	"regex.match": {name: "regex.match", arity: 2, fn: func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[0], a[1])
		if err != nil {
			return nil, err
		}
		return Bool(re.MatchString(s)), nil
	}},
	"regex.is_valid": {name: "regex.is_valid", arity: 1, fn: func(e *evaluator, a []Value) (Value, error) {
		pat, err := str(a[0])
		if err != nil {
			return Bool(false), nil
		}
		_, err = e.p.regex(pat)
		return Bool(err == nil), nil
	}},
	"regex.replace": {name: "regex.replace", arity: 3, fn: func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[1], a[0])
		if err != nil {
			return nil, err
		}
		val, err := str(a[2])
		if err != nil {
			return nil, err
		}
		return String(re.ReplaceAllString(s, val)), nil
	}},
	"regex.split": {name: "regex.split", arity: 2, fn: func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[0], a[1])
		if err != nil {
			return nil, err
		}
		return strArray(re.Split(s, -1)), nil
	}},
	"regex.find_n": {name: "regex.find_n", arity: 3, fn: func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[0], a[1])
		if err != nil {
			return nil, err
		}
		n, err := integer(a[2])
		if err != nil {
			return nil, err
		}
		return strArray(re.FindAllString(s, n)), nil
	}},
	"array.concat": {name: "array.concat", arity: 2, fn: func(_ *evaluator, a []Value) (Value, error) {
		x, err1 := arr(a[0])
		y, err2 := arr(a[1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		out := &Array{elems: make([]Value, 0, len(x.elems)+len(y.elems))}
		out.elems = append(append(out.elems, x.elems...), y.elems...)
		return out, nil
	}},
	"array.slice": {name: "array.slice", arity: 3, fn: func(_ *evaluator, a []Value) (Value, error) {
		x, err := arr(a[0])
		if err != nil {
			return nil, err
		}
		start, err1 := integer(a[1])
		stop, err2 := integer(a[2])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		l := len(x.elems)
		stop = min(max(stop, 0), l)
		start = min(max(start, 0), stop)
		return &Array{elems: append([]Value(nil), x.elems[start:stop]...)}, nil
	}},
	"array.reverse": {name: "array.reverse", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		x, err := arr(a[0])
		if err != nil {
			return nil, err
		}
		out := &Array{elems: make([]Value, len(x.elems))}
		for i, v := range x.elems {
			out.elems[len(x.elems)-1-i] = v
		}
		return out, nil
	}},
	"sort": {name: "sort", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		els, err := elements(a[0])
		if err != nil {
			return nil, err
		}
		out := &Array{elems: append([]Value(nil), els...)}
		sort.SliceStable(out.elems, func(i, j int) bool { return compare(out.elems[i], out.elems[j]) < 0 })
		return out, nil
	}},
	"plus": {name: "plus", arity: 2, fn: opPlus.builtin()},
	"minus": {name: "minus", arity: 2, fn: func(e *evaluator, a []Value) (Value, error) {
		if x, ok := a[0].(*Set); ok {
			y, ok := a[1].(*Set)
			if !ok {
				return nil, errType
			}
			out := newSet()
			for _, v := range x.elems {
				if !y.has(v) {
					out.add(v)
				}
			}
			return out, nil
		}
		return opMinus.builtin()(e, a)
	}},
	"mul":   {name: "mul", arity: 2, fn: opMul.builtin()},
	"div":   {name: "div", arity: 2, fn: opDiv.builtin()},
	"rem":   {name: "rem", arity: 2, fn: opRem.builtin()},
	"round": {name: "round", arity: 1, fn: unary(identity, arithRound)},
	"ceil":  {name: "ceil", arity: 1, fn: unary(identity, arithCeil)},
	"floor": {name: "floor", arity: 1, fn: unary(identity, arithFloor)},
	"abs":   {name: "abs", arity: 1, fn: unary(func(x int64) int64 { return max(x, -x) }, func(x *big.Float) *big.Float { return new(big.Float).Abs(x) })},
	"to_number": {name: "to_number", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		switch x := a[0].(type) {
		case Null:
			return Number("0"), nil
		case Bool:
			if x {
				return Number("1"), nil
			}
			return Number("0"), nil
		case Number:
			return x, nil
		case String:
			return toNumber(string(x))
		}
		return nil, errType
	}},
	"sum": {name: "sum", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		els, err := elements(a[0])
		if err != nil {
			return nil, err
		}
		nums := make([]Number, len(els))
		for i, v := range els {
			if nums[i], err = num(v); err != nil {
				return nil, err
			}
		}
		return sumNumbers(nums)
	}},
	"max": {name: "max", arity: 1, fn: extreme(1)},
	"min": {name: "min", arity: 1, fn: extreme(-1)},
	"object.get": {name: "object.get", arity: 3, fn: func(_ *evaluator, a []Value) (Value, error) {
		o, ok := a[0].(*Object)
		if !ok {
			return nil, errType
		}
		if path, ok := a[1].(*Array); ok {
			var cur Value = o
			for _, k := range path.elems {
				if cur = dot(cur, k); cur == nil {
					return a[2], nil
				}
			}
			return cur, nil
		}
		if v := o.get(a[1]); v != nil {
			return v, nil
		}
		return a[2], nil
	}},
	"object.keys": {name: "object.keys", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		o, ok := a[0].(*Object)
		if !ok {
			return nil, errType
		}
		out := newSet()
		for _, k := range o.keys {
			out.add(k)
		}
		return out, nil
	}},
	"or": {name: "or", arity: 2, fn: setOp(func(x, y *Set) *Set {
		out := newSet()
		for _, v := range append(append([]Value(nil), x.elems...), y.elems...) {
			out.add(v)
		}
		return out
	})},
	"and": {name: "and", arity: 2, fn: setOp(func(x, y *Set) *Set {
		out := newSet()
		for _, v := range x.elems {
			if y.has(v) {
				out.add(v)
			}
		}
		return out
	})},
	"json.marshal": {name: "json.marshal", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		b, err := json.Marshal(ToGo(a[0]))
		if err != nil {
			return nil, err
		}
		return String(b), nil
	}},
	"numbers.range": {name: "numbers.range", arity: 2, fn: func(_ *evaluator, a []Value) (Value, error) {
		return numbersRange(a[0], a[1])
	}},
}

// regex compiles a pattern once per program, as topdown caches them.
func (p *Program) regex(pat string) (*regexp.Regexp, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if re, ok := p.regexes[pat]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, err
	}
	p.regexes[pat] = re
	return re, nil
}

// builtins mirrors OPA's topdown implementations of the functions a policy here is
// likely to use: the tables above and in builtins_time.go. A plan calling anything else is
// refused at load (ErrUnsupported).
var builtins = func() map[string]*builtinFn {
	out := make(map[string]*builtinFn, len(coreBuiltins)+len(timeBuiltins))
	for _, t := range []map[string]*builtinFn{coreBuiltins, timeBuiltins} {
		maps.Copy(out, t)
	}
	return out
}()
