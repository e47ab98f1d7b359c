package asknix.admin_test

import data.asknix_internal.decision

install(pkg) := {
	"request": {"text": concat(" ", ["install", pkg])},
	"intent": {"action": "install", "args": {"package": pkg}, "rule": "builtin", "confidence": 0.95},
	"plan": {"mutates": true, "privileged": false, "argv": []},
	"user": {"uid": 1000, "name": "alice", "root": false, "groups": ["users"]},
	"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-11-30T10:00:00Z"},
	"config": {},
}

test_own_flake_waived if {
	d := decision with input as install("github:myorg/tools#deploy")
	count(d.deny) == 0
}

test_other_flakes_still_denied if {
	ids := {x.id | some x in decision.deny} with input as install("github:evil/tools")
	"flake-ref" in ids
}

test_lookalike_org_denied if {
	ids := {x.id | some x in decision.deny} with input as install("github:myorg-evil/tools")
	"flake-ref" in ids
}
