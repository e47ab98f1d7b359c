package plan

import (
	"errors"
	"strconv"
	"time"
)

// nanos reads a number of nanoseconds since the epoch.
func nanos(v Value) (int64, error) {
	n, ok := v.(Number)
	if !ok {
		return 0, errType
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		f := n.float()
		if f != float64(int64(f)) {
			return 0, errors.New("timestamp too big")
		}
		i = int64(f)
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

func init() {
	add := func(name string, arity int, fn func(*evaluator, []Value) (Value, error)) {
		builtins[name] = &builtinFn{name: name, arity: arity, fn: fn}
	}
	add("time.now_ns", 0, func(e *evaluator, _ []Value) (Value, error) {
		return Number(strconv.FormatInt(e.now.UnixNano(), 10)), nil
	})
	add("time.parse_rfc3339_ns", 1, func(_ *evaluator, a []Value) (Value, error) {
		s, err := str(a[0])
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, err
		}
		if t.Year() < 1678 || t.Year() > 2261 {
			return nil, errors.New("time outside of valid range")
		}
		return Number(strconv.FormatInt(t.UnixNano(), 10)), nil
	})
	add("time.weekday", 1, func(_ *evaluator, a []Value) (Value, error) {
		t, err := tzTime(a[0])
		if err != nil {
			return nil, err
		}
		return String(t.Weekday().String()), nil
	})
	add("time.date", 1, func(_ *evaluator, a []Value) (Value, error) {
		t, err := tzTime(a[0])
		if err != nil {
			return nil, err
		}
		y, m, d := t.Date()
		return &Array{elems: []Value{intNumber(y), intNumber(int(m)), intNumber(d)}}, nil
	})
	add("time.clock", 1, func(_ *evaluator, a []Value) (Value, error) {
		t, err := tzTime(a[0])
		if err != nil {
			return nil, err
		}
		h, m, s := t.Clock()
		return &Array{elems: []Value{intNumber(h), intNumber(m), intNumber(s)}}, nil
	})
	add("object.union", 2, func(_ *evaluator, a []Value) (Value, error) {
		x, ok1 := a[0].(*Object)
		y, ok2 := a[1].(*Object)
		if !ok1 || !ok2 {
			return nil, errType
		}
		return unionObjects(x, y), nil
	})
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
