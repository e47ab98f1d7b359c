package main

import "strings"

// askNixWay names the ask-nix command for a Nix command line typed as a request: such a
// request is still denied (raw-command), and the hint says what does the job here.
func askNixWay(text string) string {
	words := strings.Fields(strings.ToLower(text))
	for len(words) > 0 && (words[0] == "sudo" || words[0] == "doas" || words[0] == "run0" || words[0] == "please") {
		words = words[1:]
	}
	if len(words) == 0 {
		return ""
	}
	has := func(flags ...string) bool {
		for _, w := range words[1:] {
			for _, f := range flags {
				if w == f {
					return true
				}
			}
		}
		return false
	}
	switch words[0] {
	case "nix-collect-garbage":
		return "ask-nix cleanup deletes old generations and collects garbage, with the space it frees shown first"
	case "nixos-rebuild", "nixos-rebuild-ng", "nh":
		if has("--rollback") {
			return "ask-nix rollback switches back to the previous generation"
		}
		return "ask-nix update shows what an update would change, and --yes applies it"
	case "nix-channel":
		return "ask-nix update updates the channels and shows what changes"
	case "nix-store":
		if has("--gc", "--delete") {
			return "ask-nix cleanup collects garbage, with the space it frees shown first"
		}
		return "ask-nix path-info and ask-nix verify read the store natively"
	case "nix-env":
		switch {
		case has("--rollback", "--switch-generation", "-g"):
			return "ask-nix rollback (--to N) switches generations"
		case has("--list-generations"):
			return "ask-nix generations lists them, with sizes"
		case has("--delete-generations"):
			return "ask-nix cleanup deletes old generations"
		case has("-i", "-ia", "--install"):
			return "ask-nix install PACKAGE installs into your profile"
		case has("-e", "--uninstall"):
			return "ask-nix remove PACKAGE removes it"
		case has("-q", "--query"):
			return "ask-nix installed lists what is installed"
		}
	case "nix":
		if len(words) > 1 {
			switch words[1] {
			case "search":
				return "ask-nix search QUERY searches offline"
			case "profile":
				return "ask-nix install, remove and installed work on nix profile profiles"
			case "store":
				return "ask-nix cleanup collects garbage; ask-nix path-info reads the store"
			case "run", "shell", "develop":
				return "ask-nix install PACKAGE installs it into your profile"
			case "path-info":
				return "ask-nix path-info PATH reads it natively"
			}
		}
	}
	if strings.HasPrefix(words[0], "nix") {
		return "'ask-nix help' lists what ask-nix does"
	}
	return ""
}
