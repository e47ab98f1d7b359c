package intent

import (
	"reflect"
	"testing"
)

func TestRecognize(t *testing.T) {
	for _, tc := range []struct {
		text   string
		action string
		args   map[string]any
	}{
		{"list my generations", "generations", map[string]any{}},
		{"show my generations", "generations", map[string]any{}},
		{"list generations", "generations", map[string]any{}},
		{"what system generations do I have?", "generations", map[string]any{"profile": "system"}},
		{"how much free space do I have", "disk", map[string]any{}},
		{"free up some space", "cleanup", map[string]any{}},
		{"install firefox", "install", map[string]any{"package": "firefox"}},
		{"please install python312Packages.requests", "install", map[string]any{"package": "python312Packages.requests"}},
		{"get rid of vlc", "remove", map[string]any{"package": "vlc"}},
		{"search for video editors", "search", map[string]any{"query": "video editors"}},
		{"rollback one generation", "rollback", map[string]any{"steps": 1}},
		{"roll back to generation 12", "rollback", map[string]any{"generation": 12}},
		{"delete generations older than 2 weeks", "cleanup", map[string]any{"older_than": "14d"}},
		{"clean up but keep the last 5", "cleanup", map[string]any{"keep": 5}},
		{"what version of python do I have?", "installed", map[string]any{"package": "python"}},
		{"system info", "info", map[string]any{}},
		{"help", "help", map[string]any{}},
		{"where is my configuration", "config", map[string]any{}},
		{"cache stats", "cache-stats", map[string]any{}},
		{"xyzzy plugh", "unknown", map[string]any{}},
		{"", "unknown", map[string]any{}},
	} {
		got := Recognize(tc.text)
		if got.Action != tc.action || !reflect.DeepEqual(got.Args, tc.args) {
			t.Errorf("%q: got %s %v, want %s %v", tc.text, got.Action, got.Args, tc.action, tc.args)
		}
		if got.Action != "unknown" && got.Confidence < Threshold {
			t.Errorf("%q: confidence %.2f below threshold", tc.text, got.Confidence)
		}
	}
}

func TestNormalize(t *testing.T) {
	in := Normalize("  Show   MY Generations, please!  ")
	if in.Normalized != "show my generations, please!" {
		t.Errorf("normalized %q", in.Normalized)
	}
	if !reflect.DeepEqual(in.Tokens, []string{"show", "my", "generations", "please"}) {
		t.Errorf("tokens %q", in.Tokens)
	}
}

func FuzzRecognize(f *testing.F) {
	for _, s := range []string{"install firefox", "rollback to generation 3", "delete generations older than 30 days", "search c++", "\x00", "ｉｎｓｔａｌｌ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := Recognize(s)
		if !IsAction(in.Action) {
			t.Fatalf("%q: action %q is not in SPEC", s, in.Action)
		}
		if in.Confidence < 0 || in.Confidence > 1 {
			t.Fatalf("%q: confidence %v", s, in.Confidence)
		}
		Normalize(s)
	})
}

// TestIssue20Examples: the phrasings issue 20 reported wrong, each exact: a particle is no
// package, "A relative to B" diffs B → A, "between" goes from the older, "make N active"
// switches to N.
func TestIssue20Examples(t *testing.T) {
	for _, tc := range []struct {
		text, action string
		args         map[string]any
	}{
		{"clear away mpv", "remove", map[string]any{"package": "mpv"}},
		{"chuck vlc off", "remove", map[string]any{"package": "vlc"}},
		{"what changed in generation 30 relative to 29", "diff", map[string]any{"from": 29, "to": 30}},
		{"what changed between 5 and 3", "diff", map[string]any{"from": 3, "to": 5}},
		{"make generation 8 active again", "rollback", map[string]any{"generation": 8}},
		{"the update broke my display, undo it", "rollback", map[string]any{}},
	} {
		got := Recognize(tc.text)
		args := got.Args
		if args == nil {
			args = map[string]any{}
		}
		if got.Action != tc.action || !reflect.DeepEqual(args, tc.args) {
			t.Errorf("%q: %s %v, want %s %v", tc.text, got.Action, args, tc.action, tc.args)
		}
	}
}
