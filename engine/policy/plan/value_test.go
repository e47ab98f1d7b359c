package plan

import (
	"context"
	"regexp"
	"testing"
)

func TestCompareAndKeys(t *testing.T) {
	one, oneF := Number("1"), Number("1.0")
	if !equal(one, oneF) || key(one) != key(oneF) {
		t.Error("1 and 1.0 are equal in Rego")
	}
	order := []Value{Null{}, Bool(false), Bool(true), Number("-2"), Number("10"), String("a"), String("b"),
		&Array{elems: []Value{one}}, newObject(), newSet()}
	for i := 1; i < len(order); i++ {
		if compare(order[i-1], order[i]) >= 0 {
			t.Errorf("%s should sort before %s", regoString(order[i-1]), regoString(order[i]))
		}
	}
	s := newSet()
	s.add(String("b"))
	s.add(String("a"))
	s.add(String("a"))
	if got := regoString(s); got != `{"a", "b"}` {
		t.Errorf("set prints %s", got)
	}
	if got := regoString(newSet()); got != "set()" {
		t.Errorf("empty set prints %s", got)
	}
}

func TestBuiltinsMirrorOPA(t *testing.T) {
	e := &evaluator{p: &Program{regexes: map[string]*regexp.Regexp{}}, ctx: context.Background()}
	for _, tc := range []struct {
		name string
		args []Value
		want string // regoString of the result; "" for undefined
	}{
		{"sprintf", []Value{String("%d|%v|%s"), &Array{elems: []Value{Number("3"), Number("1.50"), &Array{elems: []Value{String("x")}}}}}, `"3|1.5|[\"x\"]"`},
		{"sprintf", []Value{String("%q"), &Array{elems: []Value{String(";")}}}, `"\";\""`},
		{"indexof_n", []Value{String("añb&c&"), String("&")}, "[3, 5]"},
		{"array.slice", []Value{&Array{elems: []Value{Number("1"), Number("2"), Number("3")}}, Number("-1"), Number("2")}, "[1, 2]"},
		{"round", []Value{Number("-2.5")}, "-3"},
		{"round", []Value{Number("2.5")}, "3"},
		{"count", []Value{String("añb")}, "3"},
		{"regex.match", []Value{String(`\p{Latin}[\p{Cyrillic}]`), String("fіrefox")}, "true"},
		{"regex.match", []Value{String(`(`), String("x")}, ""},
		{"regex.replace", []Value{String("please run ls"), String(`^(please\s+)?(run\s+)?`), String("")}, `"ls"`},
		{"split", []Value{String("a b"), String(" ")}, `["a", "b"]`},
		{"regex.split", []Value{String(`\s*,\s*`), String("a , b,c")}, `["a", "b", "c"]`},
		{"regex.find_n", []Value{String(`[0-9]+`), String("a1b22c333"), Number("2")}, `["1", "22"]`},
		{"regex.find_n", []Value{String(`x`), String("abc"), Number("-1")}, `[]`},
		{"lower", []Value{Number("1")}, ""},
		{"internal.member_2", []Value{String("a"), &Array{elems: []Value{String("b"), String("a")}}}, "true"},
		{"time.weekday", []Value{Number("1764237600000000000")}, `"Thursday"`},
	} {
		v, err := builtins[tc.name].fn(e, tc.args)
		got := ""
		if err == nil && v != nil {
			got = regoString(v)
		}
		if got != tc.want {
			t.Errorf("%s%v = %s, want %s", tc.name, tc.args, got, tc.want)
		}
	}
}
