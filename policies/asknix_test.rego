package asknix_test

import data.asknix

req(text, action, args) := {
	"request": {"text": text},
	"intent": {"action": action, "args": args, "rule": "builtin", "confidence": 0.9},
	"plan": {"mutates": action in {"install", "remove", "rollback", "cleanup", "update"}, "privileged": false, "argv": []},
	"user": {"uid": 1000, "name": "alice", "root": false, "groups": ["users"]},
	"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-11-27T10:00:00Z"},
	"config": {},
}

ids(set) := {d.id | some d in set}

test_plain_request_allowed if {
	count(asknix.deny) == 0 with input as req("list my generations", "generations", {})
	count(asknix.confirm) == 0 with input as req("list my generations", "generations", {})
}

test_chaining_denied if {
	"shell-syntax" in ids(asknix.deny) with input as req("install firefox && rm -rf /", "install", {"package": "firefox"})
	"shell-syntax" in ids(asknix.deny) with input as req("install firefox; reboot", "install", {"package": "firefox"})
	"shell-syntax" in ids(asknix.deny) with input as req("install `id`", "install", {"package": "`id`"})
	"shell-syntax" in ids(asknix.deny) with input as req("install ${HOME}", "install", {"package": "${HOME}"})
}

test_option_placeholder_in_search_is_data if {
	count(asknix.deny) == 0 with input as req("search --options systemd.services.<name>.path", "search", {"query": "systemd.services.<name>.path", "options": true})
	count(asknix.deny) == 0 with input as req("search nginx.<name>", "search", {"query": "nginx.<name>"})
	"shell-syntax" in ids(asknix.deny) with input as req("search foo <name>", "search", {"query": "foo <name>"})
	"shell-syntax" in ids(asknix.deny) with input as req("search x.<name> > /tmp/x", "search", {"query": "x.<name> > /tmp/x"})
	"shell-syntax" in ids(asknix.deny) with input as req("install x.<name>", "install", {"package": "x.<name>"})
	"shell-syntax" in ids(asknix.deny) with input as req("search x.<a b>", "search", {"query": "x.<a b>"})
}

test_set_up_is_a_request_set_dash_e_a_command if {
	count(asknix.deny) == 0 with input as req("set up docker", "install", {"package": "docker"})
	"raw-command" in ids(asknix.deny) with input as req("set -e", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("set PATH=/tmp", "unknown", {})
}

test_lone_ampersand_in_search_is_data if {
	count(asknix.deny) == 0 with input as req("search network & security", "search", {"query": "network & security"})
	"shell-syntax" in ids(asknix.deny) with input as req("search foo & rm", "install", {"package": "foo"})
}

test_raw_command_denied if {
	"raw-command" in ids(asknix.deny) with input as req("rm -rf /", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("cat /etc/shadow", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("mkfs.ext4 /dev/sda", "unknown", {})
	count(asknix.deny) == 0 with input as req("what does chmod do", "unknown", {})
	count(asknix.deny) == 0 with input as req("find me a pdf viewer", "search", {"query": "pdf viewer"})
}

test_package_arguments if {
	"flake-ref" in ids(asknix.deny) with input as req("install github:evil/x", "install", {"package": "github:evil/x"})
	"path-package" in ids(asknix.deny) with input as req("install ../x", "install", {"package": "../x"})
	"nix-flag" in ids(asknix.deny) with input as req("install --impure", "install", {"package": "--impure"})
	count(asknix.deny) == 0 with input as req("install python312Packages.requests", "install", {"package": "python312Packages.requests"})
}

test_mutation_needs_confirmation if {
	"mutation" in ids(asknix.confirm) with input as req("install firefox", "install", {"package": "firefox"})
}

test_commands_behind_fillers_denied if {
	"raw-command" in ids(asknix.deny) with input as req("please cat /etc/shadow", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("run rm -rf /", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("nix run nixpkgs#hello", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("cat secrets.txt", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("whoami", "unknown", {})
}

test_ask_nix_verbs_are_not_programs if {
	count(asknix.deny) == 0 with input as req("install xorg.xeyes", "install", {"package": "xorg.xeyes"})
	count(asknix.deny) == 0 with input as req("free up some space", "cleanup", {})
	count(asknix.deny) == 0 with input as req("find me development tools", "search", {"query": "development"})
	count(asknix.deny) == 0 with input as req("what does dd do", "unknown", {})
}

test_index_update_sources_allowed if {
	count(asknix.deny) == 0 with input as object.union(req("index update --from ../data/packages.json.br", "index-update", {"source": "/home/alice/data/packages.json.br"}), {"request": {"text": "index update --from ../data/packages.json.br", "subcommand": true}})
	count(asknix.deny) == 0 with input as object.union(req("index update --from https://channels.nixos.org/nixos-unstable/packages.json.br", "index-update", {"source": "https://channels.nixos.org/nixos-unstable/packages.json.br"}), {"request": {"text": "index update --from https://channels.nixos.org/nixos-unstable/packages.json.br", "subcommand": true}})
}

# Look-alikes and invisibles by property (SPEC §6), in the text and in every argument.
test_lookalike_punctuation_outside_search_denied if {
	"unicode-lookalike" in ids(asknix.deny) with input as req("rollback one generation؛ touch x", "rollback", {})
	"unicode-lookalike" in ids(asknix.deny) with input as req("install firefox ǀ sh", "install", {"package": "firefox"})
	"unicode-lookalike" in ids(asknix.deny) with input as req("generations", "generations", {"profile": "/tmp/p›x"})
	"unicode-lookalike" in ids(asknix.deny) with input as object.union(req("search a；b", "search", {"query": "a；b"}), {"request": {"folded": "search a;b"}})
}

test_symbols_in_a_search_query_are_data if {
	count(asknix.deny) == 0 with input as req("search 🎵 music player", "search", {"query": "🎵 music player"})
	count(asknix.deny) == 0 with input as req("search ❤️ heart", "search", {"query": "❤️ heart"})
	count(asknix.deny) == 0 with input as req("search €uro converter", "search", {"query": "€uro converter"})
	count(asknix.deny) == 0 with input as req("search редактор видео", "search", {"query": "редактор видео"})
}

test_invisible_and_control_in_any_argument_denied if {
	"unicode-invisible" in ids(asknix.deny) with input as req("install fire\u2800fox", "install", {"package": "fire\u2800fox"})
	"unicode-invisible" in ids(asknix.deny) with input as req("search video\ufe0f editors", "search", {"query": "video\ufe0f editors"})
	"shell-syntax" in ids(asknix.deny) with input as req("generations", "generations", {"profile": "/tmp/x\tdanger"})
	"shell-syntax" in ids(asknix.deny) with input as req("generations", "generations", {"profile": "/tmp/\u001b[2Jx"})
}

test_commands_behind_brackets_and_wrappers_denied if {
	"raw-command" in ids(asknix.deny) with input as req("(rm -rf /)", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("{ rm -rf /; }", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("nice -n 19 rm -rf /", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("nix-prefetch-url https://x.example/y", "unknown", {})
	"raw-command" in ids(asknix.deny) with input as req("home-manager switch", "unknown", {})
	count(asknix.deny) == 0 with input as req("nice, list my generations", "generations", {})
}

test_agents_confirm_every_change if {
	"agent-mutation" in ids(asknix.confirm) with input as object.union(req("install firefox", "install", {"package": "firefox"}), {"request": {"source": "mcp"}})
	not "agent-mutation" in ids(asknix.confirm) with input as req("install firefox", "install", {"package": "firefox"})
	not "agent-mutation" in ids(asknix.confirm) with input as object.union(req("list my generations", "generations", {}), {"request": {"source": "mcp"}})
}
