// Command german is an example ask-nix rule module: German phrasings of the common
// actions ("zeige meine Generationen", "suche firefox", "installiere firefox"). Build it
// with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o german.wasm ./rules-wasm/examples/german
//	go run ./rules-wasm/addtriggers -o german.wasm german.wasm $(go run ./rules-wasm/examples/german -triggers)
//
// and copy german.wasm to ~/.config/ask-nix/rules/.
package main

import (
	"strconv"
	"strings"

	asknix "github.com/asknix/ask-nix/rules-wasm/sdk"
)

func init() { asknix.Register(Match) }

// Triggers are the words the module is called for (its asknix.triggers section): German
// words only, so that English requests never reach it ("generation" and "such" are
// English too; the test TestExampleRulesLeaveEnglishAlone in cmd/ask-nix checks this).
var Triggers = []string{
	"zeige", "zeig", "liste", "generationen", "suche", "finde",
	"installiere", "installieren", "entferne", "entfernen", "deinstalliere", "lösche",
	"zurück", "zurücksetzen", "zurückrollen", "aufräumen", "räume", "speicher",
	"speicherplatz", "festplatte", "aktualisiere", "aktualisieren", "hilfe", "installiert",
	"unterschied", "unterschiede",
}

// fillers are words a request may carry around its subject.
var fillers = map[string]bool{
	"mir": true, "mich": true, "bitte": true, "meine": true, "meinen": true, "mein": true,
	"die": true, "den": true, "das": true, "der": true, "alle": true, "nach": true,
	"ein": true, "eine": true, "einen": true, "einem": true, "einer": true, "paket": true, "programm": true, "doch": true,
	"mal": true, "auf": true, "ich": true, "habe": true, "hab": true, "welche": true,
	"welches": true, "von": true, "zur": true, "zum": true, "vorherige": true, "vorige": true,
	"letzte": true, "letzten": true,
}

// Match proposes an intent for a German request.
func Match(in asknix.Input) (asknix.Intent, bool) {
	t := in.Tokens
	// Arguments come from the words as typed (split on spaces only), not from the tokens:
	// "installiere /tmp/x" must propose "/tmp/x", which the policy refuses, not "tmp".
	raw := rawWords(in.Normalized)
	propose := func(action string, conf float64, args map[string]any) (asknix.Intent, bool) {
		if args == nil {
			args = map[string]any{}
		}
		return asknix.Intent{Action: action, Args: args, Confidence: conf}, true
	}
	switch {
	case in.Has("hilfe"):
		return propose("help", 0.9, nil)
	case in.Has("generationen") && !in.Has("zurück", "zurücksetzen", "zurückrollen", "aufräumen", "räume", "lösche", "unterschied", "unterschiede"):
		return propose("generations", 0.95, nil)
	case in.Has("unterschied", "unterschiede"):
		return propose("diff", 0.9, nil)
	case in.Has("zurück", "zurücksetzen", "zurückrollen"):
		args := map[string]any{}
		if n, ok := number(in.After("generation", "auf")); ok {
			args["generation"] = n
		}
		return propose("rollback", 0.9, args)
	case in.Has("aufräumen", "räume"):
		args := map[string]any{}
		if i := in.Index("behalte", "behalten"); i >= 0 {
			if n, ok := number(t[i+1:]); ok {
				args["keep"] = n
			}
		}
		return propose("cleanup", 0.9, args)
	case in.Has("speicher", "speicherplatz", "festplatte"):
		return propose("disk", 0.9, nil)
	case in.Has("aktualisiere", "aktualisieren"):
		return propose("update", 0.9, nil)
	// "Version" is English too ("show version of firefox"): only "installiert" says it.
	case in.Has("installiert") && !in.Has("installiere", "installieren"):
		if p := subject(in.After("ist", "von", "habe", "hab")); p != "" && p != "installiert" {
			return propose("installed", 0.85, map[string]any{"package": p})
		}
		return propose("installed", 0.85, nil)
	case in.Has("installiere", "installieren"):
		if p := subject(without(raw, "installiere", "installieren")); p != "" {
			return propose("install", 0.9, map[string]any{"package": p})
		}
	case in.Has("entferne", "entfernen", "deinstalliere", "lösche"):
		if p := subject(without(raw, "entferne", "entfernen", "deinstalliere", "lösche")); p != "" {
			return propose("remove", 0.9, map[string]any{"package": p})
		}
	case in.Has("suche", "finde"):
		if q := strings.Join(content(after(raw, "suche", "finde")), " "); q != "" {
			return propose("search", 0.9, map[string]any{"query": q})
		}
	case in.Has("zeige", "zeig", "liste"):
		return asknix.Intent{}, false
	}
	return asknix.Intent{}, false
}

// rawWords splits text on spaces, dropping sentence punctuation at the ends of words.
func rawWords(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		if w = strings.TrimRight(w, ".,!?"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

func after(ts []string, words ...string) []string {
	for i, t := range ts {
		for _, w := range words {
			if t == w {
				return ts[i+1:]
			}
		}
	}
	return nil
}

func content(ts []string) []string {
	var out []string
	for _, t := range ts {
		if !fillers[t] {
			out = append(out, t)
		}
	}
	return out
}

func without(ts []string, drop ...string) []string {
	var out []string
	for _, t := range ts {
		keep := true
		for _, d := range drop {
			if t == d {
				keep = false
			}
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}

// subject is the one content word of ts ("installiere bitte firefox" → firefox).
func subject(ts []string) string {
	c := content(ts)
	if len(c) == 0 {
		return ""
	}
	return c[0]
}

func number(ts []string) (int, bool) {
	for _, t := range ts {
		if n, err := strconv.Atoi(t); err == nil {
			return n, true
		}
	}
	return 0, false
}
