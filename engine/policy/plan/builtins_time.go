package plan

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"time"
)

// nanos reads a number of nanoseconds since the epoch.
func nanos(v Value) (int64, error) {
	n, ok := v.(Number)
	if !ok {
		return 0, errType
	}
	// As OPA: the number as a big.Float, exactly an int64 or "too big".
	f, ok := bigFloat(n)
	if !ok {
		return 0, errType
	}
	i, acc := f.Int64()
	if acc != big.Exact {
		return 0, errors.New("timestamp too big")
	}
	return i, nil
}

// tzTime mirrors topdown's: a number of ns (UTC) or [ns, zone].
func tzTime(v Value) (time.Time, error) {
	loc := time.UTC
	var ns Value = v
	if a, ok := v.(*Array); ok {
		if len(a.elems) == 0 {
			return time.Time{}, errType
		}
		ns = a.elems[0]
		if len(a.elems) > 1 {
			tz, err := str(a.elems[1])
			if err != nil {
				return time.Time{}, err
			}
			switch tz {
			case "", "UTC":
			case "Local":
				loc = time.Local
			default:
				if loc, err = time.LoadLocation(tz); err != nil {
					return time.Time{}, err
				}
			}
		}
	}
	i, err := nanos(ns)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, i).In(loc), nil
}

// timeBuiltins are the time functions of OPA the plan evaluator implements.
var timeBuiltins = map[string]*builtinFn{
	"time.now_ns": {name: "time.now_ns", arity: 0, fn: func(e *evaluator, _ []Value) (Value, error) {
		return Number(strconv.FormatInt(e.now.UnixNano(), 10)), nil
	}},
	"time.parse_rfc3339_ns": {name: "time.parse_rfc3339_ns", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		s, err := str(a[0])
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, err
		}
		// What nanoseconds since 1970 in an int64 hold: 1677-09-21T00:12:43.145224192Z
		// to 2262-04-11T23:47:16.854775807Z, as OPA bounds it.
		if t.Before(time.Unix(0, math.MinInt64)) || t.After(time.Unix(0, math.MaxInt64)) {
			return nil, errors.New("time outside of valid range")
		}
		return Number(strconv.FormatInt(t.UnixNano(), 10)), nil
	}},
	"time.weekday": {name: "time.weekday", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		t, err := tzTime(a[0])
		if err != nil {
			return nil, err
		}
		return String(t.Weekday().String()), nil
	}},
	"time.date": {name: "time.date", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		t, err := tzTime(a[0])
		if err != nil {
			return nil, err
		}
		y, m, d := t.Date()
		return &Array{elems: []Value{intNumber(y), intNumber(int(m)), intNumber(d)}}, nil
	}},
	"time.clock": {name: "time.clock", arity: 1, fn: func(_ *evaluator, a []Value) (Value, error) {
		t, err := tzTime(a[0])
		if err != nil {
			return nil, err
		}
		h, m, s := t.Clock()
		return &Array{elems: []Value{intNumber(h), intNumber(m), intNumber(s)}}, nil
	}},
	"object.union": {name: "object.union", arity: 2, fn: func(_ *evaluator, a []Value) (Value, error) {
		x, ok1 := a[0].(*Object)
		y, ok2 := a[1].(*Object)
		if !ok1 || !ok2 {
			return nil, errType
		}
		return unionObjects(x, y), nil
	}},
}

// unionObjects is object.union: y's values win, objects under the same key merge.
func unionObjects(x, y *Object) *Object {
	out := x.copy()
	for i, k := range y.keys {
		ox, aok := out.get(k).(*Object)
		oy, bok := y.vals[i].(*Object)
		if aok && bok {
			out.put(k, unionObjects(ox, oy))
			continue
		}
		out.put(k, y.vals[i])
	}
	return out
}
