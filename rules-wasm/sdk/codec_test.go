package asknix

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDecodeInput(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Input
		ok   bool
	}{
		{`{"text":"Zeige \"meine\" Generationen","normalized":"zeige \"meine\" generationen","tokens":["zeige","meine","generationen"]}`,
			Input{`Zeige "meine" Generationen`, `zeige "meine" generationen`, []string{"zeige", "meine", "generationen"}}, true},
		{`{"text":"gr\u00fc\u00dfe \ud83d\ude00","tokens":[],"extra":{"a":[1,2.5,true,null]}}`, Input{Text: "grüße 😀", Tokens: []string{}}, true},
		{` { } `, Input{}, true},
		{`{"text":"a"`, Input{}, false},
		{`{"text":"a"} x`, Input{}, false},
		{`{"tokens":["a",]}`, Input{}, false},
		{`{"text":"\x"}`, Input{}, false},
	} {
		got, err := DecodeInput([]byte(tc.in))
		if (err == nil) != tc.ok || tc.ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v, want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestEncode(t *testing.T) {
	p := Intent{Action: "install", Args: map[string]any{"package": "a\"b\n\u2028", "keep": 3, "x": true}, Confidence: 0.9}
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Action     string         `json:"action"`
		Args       map[string]any `json:"args"`
		Confidence float64        `json:"confidence"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if back.Action != "install" || back.Args["package"] != "a\"b\n\u2028" || back.Args["keep"] != 3.0 || back.Confidence != 0.9 {
		t.Fatalf("%s decoded as %+v", b, back)
	}
	if _, err := (Intent{Action: "x", Args: map[string]any{"f": 1.5}}).Encode(); err == nil {
		t.Error("a float argument was encoded")
	}
}

// FuzzDecodeInput: the decoder agrees with encoding/json on every document it accepts.
func FuzzDecodeInput(f *testing.F) {
	f.Add([]byte(`{"text":"suche firefox","normalized":"suche firefox","tokens":["suche","firefox"]}`))
	f.Add([]byte(`{"text":"\ud800","tokens":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodeInput(b)
		if err != nil {
			return
		}
		// Keys match exactly (encoding/json's struct decoding ignores case; a map does not).
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%q accepted, encoding/json says %v", b, err)
		}
		var want Input
		want.Text, _ = m["text"].(string)
		want.Normalized, _ = m["normalized"].(string)
		toks, _ := m["tokens"].([]any)
		want.Tokens = make([]string, len(toks))
		if got.Text != want.Text || got.Normalized != want.Normalized || len(got.Tokens) != len(want.Tokens) {
			t.Fatalf("%q: %+v, encoding/json %+v", b, got, want)
		}
	})
}
