package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
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

func arith(f func(a, b *big.Float) (*big.Float, error)) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		x, err := num(a[0])
		if err != nil {
			return nil, err
		}
		y, err := num(a[1])
		if err != nil {
			return nil, err
		}
		fx, _ := new(big.Float).SetString(string(x))
		fy, _ := new(big.Float).SetString(string(y))
		if fx == nil || fy == nil {
			return nil, errType
		}
		r, err := f(fx, fy)
		if err != nil {
			return nil, err
		}
		return bigNumber(r), nil
	}
}

func bigNumber(f *big.Float) Number {
	if f.IsInt() {
		i, _ := f.Int(nil)
		return Number(i.String())
	}
	x, _ := f.Float64()
	return Number(strconv.FormatFloat(x, 'g', -1, 64))
}

func round1(f func(*big.Float) *big.Float) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		x, err := num(a[0])
		if err != nil {
			return nil, err
		}
		fx, ok := new(big.Float).SetString(string(x))
		if !ok {
			return nil, errType
		}
		return bigNumber(f(fx)), nil
	}
}

var half = big.NewFloat(0.5)

// builtins mirrors OPA's topdown implementations of the functions a policy here is
// likely to use. A plan calling anything else is refused at load (ErrUnsupported).
var builtins = map[string]*builtinFn{}

func init() {
	add := func(name string, arity int, fn func(*evaluator, []Value) (Value, error)) {
		builtins[name] = &builtinFn{name: name, arity: arity, fn: fn}
	}
	add("equal", 2, cmpFn(func(c int) bool { return c == 0 }))
	add("neq", 2, cmpFn(func(c int) bool { return c != 0 }))
	add("lt", 2, cmpFn(func(c int) bool { return c < 0 }))
	add("lte", 2, cmpFn(func(c int) bool { return c <= 0 }))
	add("gt", 2, cmpFn(func(c int) bool { return c > 0 }))
	add("gte", 2, cmpFn(func(c int) bool { return c >= 0 }))
	add("internal.member_2", 2, func(_ *evaluator, a []Value) (Value, error) {
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
	})
	add("internal.member_3", 3, func(_ *evaluator, a []Value) (Value, error) {
		v := dot(a[2], a[0])
		return Bool(v != nil && equal(v, a[1])), nil
	})
	add("is_string", 1, typeIs(func(v Value) bool { _, ok := v.(String); return ok }))
	add("is_number", 1, typeIs(func(v Value) bool { _, ok := v.(Number); return ok }))
	add("is_boolean", 1, typeIs(func(v Value) bool { _, ok := v.(Bool); return ok }))
	add("is_array", 1, typeIs(func(v Value) bool { _, ok := v.(*Array); return ok }))
	add("is_set", 1, typeIs(func(v Value) bool { _, ok := v.(*Set); return ok }))
	add("is_object", 1, typeIs(func(v Value) bool { _, ok := v.(*Object); return ok }))
	add("is_null", 1, typeIs(func(v Value) bool { _, ok := v.(Null); return ok }))
	add("type_name", 1, func(_ *evaluator, a []Value) (Value, error) {
		return String([]string{"null", "boolean", "number", "string", "array", "object", "set"}[rank(a[0])]), nil
	})
	add("count", 1, func(_ *evaluator, a []Value) (Value, error) {
		n, ok := length(a[0])
		if !ok {
			return nil, errType
		}
		return intNumber(n), nil
	})
	add("contains", 2, strings2(func(a, b string) (Value, error) { return Bool(strings.Contains(a, b)), nil }))
	add("startswith", 2, strings2(func(a, b string) (Value, error) { return Bool(strings.HasPrefix(a, b)), nil }))
	add("endswith", 2, strings2(func(a, b string) (Value, error) { return Bool(strings.HasSuffix(a, b)), nil }))
	add("lower", 1, strings1(func(s string) Value { return String(strings.ToLower(s)) }))
	add("upper", 1, strings1(func(s string) Value { return String(strings.ToUpper(s)) }))
	add("trim_space", 1, strings1(func(s string) Value { return String(strings.TrimSpace(s)) }))
	add("trim", 2, strings2(func(a, b string) (Value, error) { return String(strings.Trim(a, b)), nil }))
	add("trim_left", 2, strings2(func(a, b string) (Value, error) { return String(strings.TrimLeft(a, b)), nil }))
	add("trim_right", 2, strings2(func(a, b string) (Value, error) { return String(strings.TrimRight(a, b)), nil }))
	add("trim_prefix", 2, strings2(func(a, b string) (Value, error) { return String(strings.TrimPrefix(a, b)), nil }))
	add("trim_suffix", 2, strings2(func(a, b string) (Value, error) { return String(strings.TrimSuffix(a, b)), nil }))
	add("split", 2, strings2(func(a, b string) (Value, error) { return strArray(strings.Split(a, b)), nil }))
	add("indexof", 2, strings2(func(a, b string) (Value, error) {
		if b == "" {
			return nil, errors.New("empty search character")
		}
		i := strings.Index(a, b)
		if i < 0 {
			return intNumber(-1), nil
		}
		return intNumber(utf8.RuneCountInString(a[:i])), nil
	}))
	add("indexof_n", 2, strings2(func(a, b string) (Value, error) {
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
	}))
	add("replace", 3, func(_ *evaluator, a []Value) (Value, error) {
		s, err1 := str(a[0])
		o, err2 := str(a[1])
		n, err3 := str(a[2])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		return String(strings.ReplaceAll(s, o, n)), nil
	})
	add("substring", 3, func(_ *evaluator, a []Value) (Value, error) {
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
	})
	add("concat", 2, func(_ *evaluator, a []Value) (Value, error) {
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
	})
	add("sprintf", 2, func(_ *evaluator, a []Value) (Value, error) {
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
	})
	add("regex.match", 2, func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[0], a[1])
		if err != nil {
			return nil, err
		}
		return Bool(re.MatchString(s)), nil
	})
	add("regex.is_valid", 1, func(e *evaluator, a []Value) (Value, error) {
		pat, err := str(a[0])
		if err != nil {
			return Bool(false), nil
		}
		_, err = e.p.regex(pat)
		return Bool(err == nil), nil
	})
	add("regex.replace", 3, func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[1], a[0])
		if err != nil {
			return nil, err
		}
		val, err := str(a[2])
		if err != nil {
			return nil, err
		}
		return String(re.ReplaceAllString(s, val)), nil
	})
	add("regex.split", 2, func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[0], a[1])
		if err != nil {
			return nil, err
		}
		return strArray(re.Split(s, -1)), nil
	})
	add("regex.find_n", 3, func(e *evaluator, a []Value) (Value, error) {
		re, s, err := e.regexArgs(a[0], a[1])
		if err != nil {
			return nil, err
		}
		n, err := integer(a[2])
		if err != nil {
			return nil, err
		}
		return strArray(re.FindAllString(s, n)), nil
	})
	add("array.concat", 2, func(_ *evaluator, a []Value) (Value, error) {
		x, err1 := arr(a[0])
		y, err2 := arr(a[1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		out := &Array{elems: make([]Value, 0, len(x.elems)+len(y.elems))}
		out.elems = append(append(out.elems, x.elems...), y.elems...)
		return out, nil
	})
	add("array.slice", 3, func(_ *evaluator, a []Value) (Value, error) {
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
	})
	add("array.reverse", 1, func(_ *evaluator, a []Value) (Value, error) {
		x, err := arr(a[0])
		if err != nil {
			return nil, err
		}
		out := &Array{elems: make([]Value, len(x.elems))}
		for i, v := range x.elems {
			out.elems[len(x.elems)-1-i] = v
		}
		return out, nil
	})
	add("sort", 1, func(_ *evaluator, a []Value) (Value, error) {
		els, err := elements(a[0])
		if err != nil {
			return nil, err
		}
		out := &Array{elems: append([]Value(nil), els...)}
		sort.SliceStable(out.elems, func(i, j int) bool { return compare(out.elems[i], out.elems[j]) < 0 })
		return out, nil
	})
	add("plus", 2, arith(func(a, b *big.Float) (*big.Float, error) { return new(big.Float).Add(a, b), nil }))
	add("minus", 2, func(e *evaluator, a []Value) (Value, error) {
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
		return arith(func(a, b *big.Float) (*big.Float, error) { return new(big.Float).Sub(a, b), nil })(e, a)
	})
	add("mul", 2, arith(func(a, b *big.Float) (*big.Float, error) { return new(big.Float).Mul(a, b), nil }))
	add("div", 2, arith(func(a, b *big.Float) (*big.Float, error) {
		if b.Sign() == 0 {
			return nil, errors.New("divide by zero")
		}
		return new(big.Float).Quo(a, b), nil
	}))
	add("rem", 2, func(_ *evaluator, a []Value) (Value, error) {
		x, err1 := integer(a[0])
		y, err2 := integer(a[1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if y == 0 {
			return nil, errors.New("modulo by zero")
		}
		return intNumber(x % y), nil
	})
	add("round", 1, round1(func(f *big.Float) *big.Float {
		var i *big.Int
		if f.Signbit() {
			i, _ = new(big.Float).Sub(f, half).Int(nil)
		} else {
			i, _ = new(big.Float).Add(f, half).Int(nil)
		}
		return new(big.Float).SetInt(i)
	}))
	add("ceil", 1, round1(func(f *big.Float) *big.Float {
		x, _ := f.Float64()
		return big.NewFloat(math.Ceil(x))
	}))
	add("floor", 1, round1(func(f *big.Float) *big.Float {
		x, _ := f.Float64()
		return big.NewFloat(math.Floor(x))
	}))
	add("abs", 1, round1(func(f *big.Float) *big.Float { return new(big.Float).Abs(f) }))
	add("to_number", 1, func(_ *evaluator, a []Value) (Value, error) {
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
			if _, err := strconv.ParseFloat(string(x), 64); err != nil {
				return nil, err
			}
			return Number(strings.TrimSpace(string(x))), nil
		}
		return nil, errType
	})
	add("sum", 1, func(_ *evaluator, a []Value) (Value, error) {
		els, err := elements(a[0])
		if err != nil {
			return nil, err
		}
		total := new(big.Float)
		for _, v := range els {
			n, err := num(v)
			if err != nil {
				return nil, err
			}
			f, ok := new(big.Float).SetString(string(n))
			if !ok {
				return nil, errType
			}
			total.Add(total, f)
		}
		return bigNumber(total), nil
	})
	extreme := func(want int) func(*evaluator, []Value) (Value, error) {
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
	add("max", 1, extreme(1))
	add("min", 1, extreme(-1))
	add("object.get", 3, func(_ *evaluator, a []Value) (Value, error) {
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
	})
	add("object.keys", 1, func(_ *evaluator, a []Value) (Value, error) {
		o, ok := a[0].(*Object)
		if !ok {
			return nil, errType
		}
		out := newSet()
		for _, k := range o.keys {
			out.add(k)
		}
		return out, nil
	})
	setOp := func(f func(x, y *Set) *Set) func(*evaluator, []Value) (Value, error) {
		return func(_ *evaluator, a []Value) (Value, error) {
			x, ok1 := a[0].(*Set)
			y, ok2 := a[1].(*Set)
			if !ok1 || !ok2 {
				return nil, errType
			}
			return f(x, y), nil
		}
	}
	add("or", 2, setOp(func(x, y *Set) *Set {
		out := newSet()
		for _, v := range append(append([]Value(nil), x.elems...), y.elems...) {
			out.add(v)
		}
		return out
	}))
	add("and", 2, setOp(func(x, y *Set) *Set {
		out := newSet()
		for _, v := range x.elems {
			if y.has(v) {
				out.add(v)
			}
		}
		return out
	}))
	add("json.marshal", 1, func(_ *evaluator, a []Value) (Value, error) {
		b, err := json.Marshal(ToGo(a[0]))
		if err != nil {
			return nil, err
		}
		return String(b), nil
	})
	add("numbers.range", 2, func(_ *evaluator, a []Value) (Value, error) {
		x, err1 := integer(a[0])
		y, err2 := integer(a[1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if d := y - x; d > 1_000_000 || d < -1_000_000 {
			return nil, haltError{errors.New("range too large")}
		}
		out := &Array{}
		step := 1
		if y < x {
			step = -1
		}
		for i := x; ; i += step {
			out.elems = append(out.elems, intNumber(i))
			if i == y {
				break
			}
		}
		return out, nil
	})
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
