// Command alias is an example administrator rule module: site-specific phrases mapped to
// ask-nix intents, so that "deploy the homelab" means a system update and "tidy the
// laptop" a cleanup that keeps five generations. An administrator edits the table,
// builds the module as a WASI reactor and installs it in /etc/ask-nix/rules (the NixOS
// module's programs.ask-nix.rules):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o alias.wasm ./rules-wasm/examples/alias
//	go run ./rules-wasm/addtriggers -o alias.wasm alias.wasm $(go run ./rules-wasm/examples/alias -triggers)
//
// Policies see the proposal's rule as "wasm:alias" and may treat it differently.
package main

import (
	"sort"

	asknix "github.com/asknix/ask-nix/rules-wasm/sdk"
)

func init() { asknix.Register(Match) }

// Aliases maps a normalised phrase (lower case, single spaces) to the intent it stands for.
var Aliases = map[string]asknix.Intent{
	"deploy the homelab":   {Action: "update", Args: map[string]any{"profile": "system"}, Confidence: 1},
	"deploy homelab":       {Action: "update", Args: map[string]any{"profile": "system"}, Confidence: 1},
	"tidy the laptop":      {Action: "cleanup", Args: map[string]any{"keep": 5, "profile": "system"}, Confidence: 1},
	"what broke":           {Action: "errors", Confidence: 0.95},
	"what changed":         {Action: "diff", Args: map[string]any{"profile": "system"}, Confidence: 0.95},
	"how full is the nas":  {Action: "disk", Confidence: 0.95},
	"undo the last deploy": {Action: "rollback", Args: map[string]any{"profile": "system"}, Confidence: 1},
}

// Match proposes the alias whose phrase is the request (trailing "please" and "?" aside).
func Match(in asknix.Input) (asknix.Intent, bool) {
	toks := in.Tokens
	if n := len(toks); n > 0 && toks[n-1] == "please" {
		toks = toks[:n-1]
	}
	for phrase, intent := range Aliases {
		if joinEq(toks, phrase) {
			return intent, true
		}
	}
	return asknix.Intent{}, false
}

func joinEq(toks []string, phrase string) bool {
	i := 0
	for k, t := range toks {
		if k > 0 {
			if i >= len(phrase) || phrase[i] != ' ' {
				return false
			}
			i++
		}
		if len(phrase)-i < len(t) || phrase[i:i+len(t)] != t {
			return false
		}
		i += len(t)
	}
	return i == len(phrase) && len(toks) > 0
}

// Triggers are the first words of the phrases: the host calls the module only for them.
func Triggers() []string {
	seen := map[string]bool{}
	var out []string
	for phrase := range Aliases {
		w := phrase
		for i := range phrase {
			if phrase[i] == ' ' {
				w = phrase[:i]
				break
			}
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}
