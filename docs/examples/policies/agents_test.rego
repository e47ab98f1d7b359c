package asknix.admin_test

import data.asknix

agent(text, action, args) := {
	"request": {"text": text, "subcommand": true, "source": "mcp", "client": "claude-code/2.0"},
	"intent": {"action": action, "args": args, "rule": "builtin", "confidence": 1},
	"plan": {"mutates": action in {"install", "remove", "cleanup"}, "privileged": false, "argv": []},
	"user": {"uid": 1000, "name": "alice", "root": false, "groups": ["users"]},
	"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-12-05T10:00:00Z"},
	"config": {},
}

test_agents_may_not_remove if {
	"agent-no-removal" in {d.id | some d in asknix.admin.deny} with input as agent("remove --package jq", "remove", {"package": "jq"})
	"agent-no-removal" in {d.id | some d in asknix.admin.deny} with input as agent("cleanup", "cleanup", {})
}

test_allowlisted_install_waived if {
	"agent-mutation" in asknix.admin.waive with input as agent("install --package jq", "install", {"package": "jq"})
	not "agent-mutation" in asknix.admin.waive with input as agent("install --package firefox", "install", {"package": "firefox"})
}
