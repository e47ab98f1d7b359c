package asknix.admin_test

import data.asknix_internal.decision

base := {
	"request": {"text": "install firefox"},
	"intent": {"action": "install", "args": {"package": "firefox"}, "rule": "builtin", "confidence": 0.95},
	"plan": {"mutates": true, "privileged": false, "argv": [["nix-env", "-iA", "nixpkgs.firefox"]]},
	"user": {"uid": 1000, "name": "alice", "root": false, "groups": ["users"]},
	"config": {},
}

test_friday_install_denied if {
	ids := {d.id | some d in decision.deny} with input as object.union(base, {"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-11-27T10:00:00Z"}})
	"no-friday-changes" in ids
}

test_monday_install_only_confirmed if {
	d := decision with input as object.union(base, {"host": {"nixos": true, "store_dir": "/nix/store", "time": "2026-11-30T10:00:00Z"}})
	count(d.deny) == 0
	count(d.confirm) > 0
}
