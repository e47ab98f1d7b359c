package asknix.admin_test

import data.asknix_internal.decision

proposal(rule, action, mutates) := {
	"request": {"text": "installiere firefox"},
	"intent": {"action": action, "args": {"package": "firefox"}, "rule": rule, "confidence": 0.9},
	"plan": {"mutates": mutates, "privileged": false, "argv": []},
	"user": {"uid": 1000, "name": "alice", "root": false, "groups": ["users"]},
	"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-11-30T10:00:00Z"},
	"config": {},
}

test_module_mutation_denied if {
	ids := {d.id | some d in decision.deny} with input as proposal("wasm:german", "install", true)
	"rule-mutation" in ids
}

test_module_read_allowed if {
	d := decision with input as proposal("wasm:german", "search", false)
	count(d.deny) == 0
}

test_alias_may_mutate if {
	ids := {d.id | some d in decision.deny} with input as proposal("wasm:alias", "install", true)
	not "rule-mutation" in ids
}

test_builtin_unaffected if {
	ids := {d.id | some d in decision.deny} with input as proposal("builtin", "install", true)
	not "rule-mutation" in ids
}
