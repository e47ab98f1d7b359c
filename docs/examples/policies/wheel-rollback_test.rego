package asknix.admin_test

import data.asknix_internal.decision

rollback(groups) := {
	"request": {"text": "rollback one generation"},
	"intent": {"action": "rollback", "args": {"steps": 1}, "rule": "builtin", "confidence": 0.93},
	"plan": {"mutates": true, "privileged": true, "argv": []},
	"user": {"uid": 1000, "name": "alice", "root": false, "groups": groups},
	"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-11-30T10:00:00Z"},
	"config": {},
}

test_rollback_denied_outside_wheel if {
	ids := {d.id | some d in decision.deny} with input as rollback(["users"])
	"rollback-wheel-only" in ids
}

test_rollback_confirmed_for_wheel if {
	d := decision with input as rollback(["users", "wheel"])
	count(d.deny) == 0
	{c.id | some c in d.confirm} == {"mutation", "privileged"}
}
