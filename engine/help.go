package engine

// HelpEntry describes one action.
type HelpEntry struct {
	Action   string   `json:"action"`
	Summary  string   `json:"summary"`
	Examples []string `json:"examples"`
}

// HelpResult is the result of the help action.
type HelpResult struct {
	Actions []HelpEntry `json:"actions"`
}

// Help lists what ask-nix can do, with examples.
func Help() HelpResult {
	return HelpResult{Actions: []HelpEntry{
		{"search", "search packages (or NixOS options) offline", []string{`ask-nix "search for video editors"`, "ask-nix search firefox", `ask-nix "which nixos option enables ssh"`}},
		{"install", "install a package into your profile (plan first)", []string{`ask-nix "install firefox"`}},
		{"remove", "remove a package from your profile (plan first)", []string{`ask-nix "remove firefox"`}},
		{"installed", "what is installed, with versions", []string{`ask-nix "what version of python do I have?"`}},
		{"generations", "list generations with sizes and NixOS versions", []string{`ask-nix "list my generations"`, "ask-nix generations --profile user"}},
		{"diff", "what changed between two generations", []string{`ask-nix "what changed since the last generation"`}},
		{"rollback", "switch back to a previous generation", []string{`ask-nix "rollback one generation"`}},
		{"cleanup", "delete old generations and collect garbage", []string{`ask-nix "clean up, keep the last 5 generations"`}},
		{"update", "what an update would change", []string{`ask-nix "update my system"`}},
		{"disk", "store size, free space and what a cleanup would reclaim", []string{`ask-nix "how much disk space do I have?"`}},
		{"info", "NixOS version, kernel, current generation", []string{`ask-nix "system info"`}},
		{"config", "where your system configuration is", []string{`ask-nix "where is my configuration?"`}},
		{"cache-stats", "result cache statistics", []string{"ask-nix cache stats"}},
		{"cache-clear", "clear the result cache", []string{"ask-nix cache clear"}},
		{"errors", "recent errors", []string{`ask-nix "show recent errors"`}},
		{"help", "this list", []string{"ask-nix help"}},
	}}
}
