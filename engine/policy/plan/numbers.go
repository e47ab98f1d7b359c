package plan

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numbers as OPA v1 has them (ast.NumberCompare, topdown/arithmetic.go, topdown/casts.go):
// a number is its JSON text; comparisons are exact; arithmetic runs in the narrowest form
// that holds its operands exactly (an int in the int32 window, then a big.Int, then a
// big.Float of the default precision) and the result is written back the way OPA writes
// it. TestAdminPoliciesMatchOPA and FuzzPlanMatchesOPA hold these to OPA itself.

// atoi64 is OPA's util.Atoi64: an integer, also written with a fraction of zeros ("3.0").
func atoi64(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := s[0] == '-'
	if neg || s[0] == '+' {
		s = s[1:]
	}
	if s == "" || len(s) > 19 {
		return 0, false
	}
	var n int64
	pastDot := false
	for _, ch := range []byte(s) {
		if ch == '.' {
			if pastDot {
				return 0, false
			}
			pastDot = true
			continue
		}
		ch -= '0'
		if pastDot {
			if ch == 0 {
				continue
			}
			return 0, false
		}
		if ch > 9 {
			return 0, false
		}
		n = n*10 + int64(ch)
		if n < 0 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// shortDecimal reports whether OPA compares s as an exact decimal: plain or exponent
// form, at most 15 significant digits, its leading digit within 10^±300.
func shortDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits, e := 0, 0
	var m uint64
	seenDigit, seenDot := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			seenDigit = true
			if m != 0 || c != '0' {
				digits++
				if digits > 15 {
					return false
				}
				m = m*10 + uint64(c-'0')
			}
			if seenDot {
				e--
			}
			continue
		}
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		break
	}
	if !seenDigit {
		return false
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return false
		}
		i++
		expNeg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			expNeg = s[i] == '-'
			i++
		}
		if i == len(s) || len(s)-i > 9 {
			return false
		}
		exp := 0
		for ; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
			exp = exp*10 + int(s[i]-'0')
		}
		if expNeg {
			exp = -exp
		}
		e += exp
	}
	if m == 0 {
		return true
	}
	p := len(strconv.FormatUint(m, 10)) + e
	return p <= 300 && p >= -300
}

// fractional reports whether s, trailing zeros of its fraction aside, still has a fraction
// (NumberCompare's test before it compares two such numbers as float64s).
func fractional(s string) bool {
	if strings.IndexByte(s, '.') < 0 {
		return false
	}
	t := strings.TrimRight(s, ".0")
	return t != s && strings.IndexByte(t, '.') >= 0
}

// compareNumbers is OPA's NumberCompare.
func compareNumbers(x, y Number) int {
	xs, ys := string(x), string(y)
	if xs == ys {
		return 0
	}
	if xi, ok := atoi64(xs); ok {
		if yi, ok := atoi64(ys); ok {
			switch {
			case xi < yi:
				return -1
			case xi > yi:
				return 1
			}
			return 0
		}
	}
	if !(shortDecimal(xs) && shortDecimal(ys)) && fractional(xs) && fractional(ys) {
		xf, errx := strconv.ParseFloat(xs, 64)
		yf, erry := strconv.ParseFloat(ys, 64)
		if errx == nil && erry == nil && xf == yf {
			return 0
		}
	}
	a, okA := new(big.Rat).SetString(xs)
	b, okB := new(big.Rat).SetString(ys)
	if !okA || !okB {
		// Not a number OPA would hold; compare as floats rather than fail.
		fa, fb := x.float(), y.float()
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return a.Cmp(b)
}

// smallInt is an int in the int32 window, where products fit an int64.
func smallInt(n Number) (int64, bool) {
	i, ok := atoi64(string(n))
	return i, ok && i >= math.MinInt32 && i <= math.MaxInt32
}

// bigInt is OPA's builtins.NumberToInt: exact, also from exponent forms (1e30).
func bigInt(n Number) (*big.Int, bool) {
	if i, ok := new(big.Int).SetString(string(n), 10); ok {
		return i, true
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() {
		return nil, false
	}
	return new(big.Int).Set(r.Num()), true
}

// bigFloat is OPA's builtins.NumberToFloat.
func bigFloat(n Number) (*big.Float, bool) {
	f, ok := new(big.Float).SetString(string(n))
	return f, ok
}

// floatNumberOPA is OPA's builtins.FloatToNumber.
func floatNumberOPA(f *big.Float) Number {
	format := byte('g')
	if f.IsInt() {
		format = 'f'
	}
	return Number(f.Text(format, -1))
}

// arithOp is one of OPA's binary arithmetic operations, per representation.
type arithOp struct {
	small   func(x, y int64) (int64, bool, error)
	exact   func(z, x, y *big.Int) (*big.Int, error)
	float   func(z, x, y *big.Float) (*big.Float, error)
	noFloat error
}

func (op arithOp) eval(n1, n2 Number) (Value, error) {
	if x, ok := smallInt(n1); ok {
		if y, ok := smallInt(n2); ok {
			r, ok, err := op.small(x, y)
			if err != nil {
				return nil, err
			}
			if ok {
				return Number(strconv.FormatInt(r, 10)), nil
			}
		}
	}
	if op.exact != nil {
		if x, ok := bigInt(n1); ok {
			if y, ok := bigInt(n2); ok {
				r, err := op.exact(new(big.Int), x, y)
				if err != nil {
					return nil, err
				}
				return Number(r.String()), nil
			}
		}
	}
	if op.float == nil {
		return nil, op.noFloat
	}
	fx, ok1 := bigFloat(n1)
	fy, ok2 := bigFloat(n2)
	if !ok1 || !ok2 {
		return nil, errType
	}
	r, err := op.float(new(big.Float), fx, fy)
	if err != nil {
		return nil, err
	}
	return floatNumberOPA(r), nil
}

func (op arithOp) builtin() func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		x, err := num(a[0])
		if err != nil {
			return nil, err
		}
		y, err := num(a[1])
		if err != nil {
			return nil, err
		}
		return op.eval(x, y)
	}
}

func always(f func(x, y int64) int64) func(x, y int64) (int64, bool, error) {
	return func(x, y int64) (int64, bool, error) { return f(x, y), true, nil }
}

func infallible[T any](f func(z, x, y *T) *T) func(z, x, y *T) (*T, error) {
	return func(z, x, y *T) (*T, error) { return f(z, x, y), nil }
}

var (
	errDivideByZero     = errors.New("divide by zero")
	errModuloByZero     = errors.New("modulo by zero")
	errModuloOnFloating = errors.New("modulo on floating-point number")

	opPlus  = arithOp{small: always(func(x, y int64) int64 { return x + y }), exact: infallible((*big.Int).Add), float: infallible((*big.Float).Add)}
	opMinus = arithOp{small: always(func(x, y int64) int64 { return x - y }), exact: infallible((*big.Int).Sub), float: infallible((*big.Float).Sub)}
	opMul   = arithOp{small: always(func(x, y int64) int64 { return x * y }), exact: infallible((*big.Int).Mul), float: infallible((*big.Float).Mul)}
	opDiv   = arithOp{
		small: func(x, y int64) (int64, bool, error) {
			if y == 0 {
				return 0, false, errDivideByZero
			}
			return x / y, x != 0 && x%y == 0, nil
		},
		float: func(z, x, y *big.Float) (*big.Float, error) {
			if i, acc := y.Int64(); acc == big.Exact && i == 0 {
				return nil, errDivideByZero
			}
			return z.Quo(x, y), nil
		},
	}
	opRem = arithOp{
		small: func(x, y int64) (int64, bool, error) {
			if y == 0 {
				return 0, false, errModuloByZero
			}
			return x % y, true, nil
		},
		exact: func(z, x, y *big.Int) (*big.Int, error) {
			if y.Sign() == 0 {
				return nil, errModuloByZero
			}
			return z.Rem(x, y), nil
		},
		noFloat: errModuloOnFloating,
	}
)

// unary is one of OPA's unary operations: identity-like on small ints, else on a float.
func unary(small func(int64) int64, float func(*big.Float) *big.Float) func(*evaluator, []Value) (Value, error) {
	return func(_ *evaluator, a []Value) (Value, error) {
		n, err := num(a[0])
		if err != nil {
			return nil, err
		}
		if x, ok := smallInt(n); ok {
			return Number(strconv.FormatInt(small(x), 10)), nil
		}
		f, ok := bigFloat(n)
		if !ok {
			return nil, errType
		}
		return floatNumberOPA(float(f)), nil
	}
}

func identity(x int64) int64 { return x }

func arithRound(a *big.Float) *big.Float {
	var i *big.Int
	if a.Signbit() {
		i, _ = new(big.Float).Sub(a, half).Int(nil)
	} else {
		i, _ = new(big.Float).Add(a, half).Int(nil)
	}
	return new(big.Float).SetInt(i)
}

func arithCeil(a *big.Float) *big.Float {
	i, _ := a.Int(nil)
	f := new(big.Float).SetInt(i)
	if f.Signbit() || a.Cmp(f) == 0 {
		return f
	}
	return new(big.Float).Add(f, big.NewFloat(1.0))
}

func arithFloor(a *big.Float) *big.Float {
	i, _ := a.Int(nil)
	f := new(big.Float).SetInt(i)
	if !f.Signbit() || a.Cmp(f) == 0 {
		return f
	}
	return new(big.Float).Sub(f, big.NewFloat(1.0))
}

// toNumber is OPA's to_number of a string: integers as written, infinities and NaN
// refused, anything strconv cannot read as a float64 refused.
func toNumber(s string) (Value, error) {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
		return nil, errors.New("operand 1 must be a valid number string")
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return nil, err
	}
	return Number(s), nil
}

// numberKey writes a number so that numbers that compare equal write the same (set and
// object keys): 1, 1.0 and 1e0 are one key, 2^53 and 2^53+1 two.
func numberKey(n Number) string {
	if i, ok := atoi64(string(n)); ok {
		return strconv.FormatInt(i, 10)
	}
	if r, ok := new(big.Rat).SetString(string(n)); ok {
		return r.RatString()
	}
	return strconv.FormatFloat(n.float(), 'g', -1, 64)
}

// sumNumbers is OPA's sum: ints while they fit, then exact big integers, then floats.
func sumNumbers(nums []Number) (Value, error) {
	var small int64
	fits := true
	for _, n := range nums {
		i, ok := atoi64(string(n))
		if !ok || (i > 0 && small > math.MaxInt64-i) || (i < 0 && small < math.MinInt64-i) {
			fits = false
			break
		}
		small += i
	}
	if fits {
		return Number(strconv.FormatInt(small, 10)), nil
	}
	total := new(big.Int)
	exact := true
	for _, n := range nums {
		i, ok := bigInt(n)
		if !ok {
			exact = false
			break
		}
		total.Add(total, i)
	}
	if exact {
		return Number(total.String()), nil
	}
	f := new(big.Float)
	for _, n := range nums {
		x, ok := bigFloat(n)
		if !ok {
			return nil, errType
		}
		f.Add(f, x)
	}
	return floatNumberOPA(f), nil
}

// maxRange bounds numbers.range: 16 M elements (OPA has no bound but memory; a range that
// large is no administrator's policy, and ask-nix stops with an error instead).
const maxRange = 1 << 24

// numbersRange is OPA's numbers.range: integer operands of any size (1e3 and 3.0 are
// integers), both ends included, counting down when y < x.
func numbersRange(a, b Value) (Value, error) {
	x, err1 := num(a)
	y, err2 := num(b)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	bx, ok1 := bigInt(x)
	by, ok2 := bigInt(y)
	if !ok1 || !ok2 {
		return nil, errors.New("operand must be integer number but got floating-point number")
	}
	d := new(big.Int).Sub(by, bx)
	if d.CmpAbs(big.NewInt(maxRange)) > 0 {
		return nil, haltError{fmt.Errorf("numbers.range of %s elements (ask-nix stops at %d)", d.String(), maxRange)}
	}
	n := int(d.Int64())
	step := big.NewInt(1)
	if n < 0 {
		n, step = -n, big.NewInt(-1)
	}
	out := &Array{elems: make([]Value, 0, n+1)}
	for i := new(big.Int).Set(bx); ; i.Add(i, step) {
		out.elems = append(out.elems, Number(i.String()))
		if i.Cmp(by) == 0 {
			break
		}
	}
	return out, nil
}
