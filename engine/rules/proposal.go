package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/asknix/ask-nix/engine/intent"
)

// argKinds are the intent arguments a rule may propose (SPEC §3) and their JSON types.
var argKinds = map[string]string{
	"query": "string", "package": "string", "profile": "string", "older_than": "string",
	"generation": "int", "steps": "int", "from": "int", "to": "int", "keep": "int",
}

// errNoMatch is a module's "length 0" or an "unknown" action.
var errNoMatch = errors.New("no match")

// ParseProposal reads a module's result (SPEC §7): `{"action", "args", "confidence"}`.
// Anything else — invalid UTF-8 or JSON, unknown fields, an action SPEC does not list, an
// argument SPEC does not name or of the wrong type, a confidence outside [0, 1] — is an
// error. Action "unknown" is errNoMatch. rule is the proposal's "rule" field.
func ParseProposal(b []byte, rule string) (intent.Intent, error) {
	var in intent.Intent
	if !utf8.Valid(b) {
		return in, errors.New("result is not valid UTF-8")
	}
	var raw struct {
		Action     *string                    `json:"action"`
		Args       map[string]json.RawMessage `json:"args"`
		Confidence *float64                   `json:"confidence"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return in, fmt.Errorf("result is not the ABI's JSON object: %w", err)
	}
	if dec.More() {
		return in, errors.New("result has data after its JSON object")
	}
	if raw.Action == nil {
		return in, errors.New(`result has no "action"`)
	}
	if *raw.Action == "unknown" {
		return in, errNoMatch
	}
	if !isRuleAction(*raw.Action) {
		return in, fmt.Errorf("result proposes unknown action %q", truncate(*raw.Action))
	}
	if raw.Confidence == nil || math.IsNaN(*raw.Confidence) || *raw.Confidence < 0 || *raw.Confidence > 1 {
		return in, errors.New(`result needs a "confidence" between 0 and 1`)
	}
	args := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(raw.Args)) {
		v, err := parseArg(k, raw.Args[k])
		if err != nil {
			return in, err
		}
		args[k] = v
	}
	return intent.Intent{Action: *raw.Action, Args: args, Rule: rule, Confidence: *raw.Confidence}, nil
}

func isRuleAction(a string) bool {
	for _, x := range intent.Actions() {
		if x == a {
			return true
		}
	}
	return false
}

func parseArg(k string, v json.RawMessage) (any, error) {
	if string(bytes.TrimSpace(v)) == "null" {
		return nil, fmt.Errorf("argument %q is null", truncate(k))
	}
	switch argKinds[k] {
	case "string":
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("argument %q must be a string", k)
		}
		return s, nil
	case "int":
		var n int64
		if err := json.Unmarshal(v, &n); err != nil || n < math.MinInt32 || n > math.MaxInt32 {
			return nil, fmt.Errorf("argument %q must be an integer", k)
		}
		return int(n), nil
	}
	return nil, fmt.Errorf("unknown argument %q", truncate(k))
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Rank orders candidate intents: higher confidence first; at equal confidence the built-in
// recogniser before modules, then modules by name. The first is the request's intent. The
// order depends only on the candidates, never on timing.
func Rank(cands []intent.Intent) []intent.Intent {
	out := append([]intent.Intent(nil), cands...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ak, bk := a.Action != "unknown", b.Action != "unknown"
		if ak != bk {
			return ak
		}
		if a.Confidence != b.Confidence {
			return a.Confidence > b.Confidence
		}
		if (a.Rule == "builtin") != (b.Rule == "builtin") {
			return a.Rule == "builtin"
		}
		return a.Rule < b.Rule
	})
	return out
}
