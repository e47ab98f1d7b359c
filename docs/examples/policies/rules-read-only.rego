# Rule modules (WASM, SPEC §7) may propose reads; only the administrator's alias module
# may propose a change. A user's module, or a German phrasing, that comes out as
# install/remove/rollback/cleanup/update is refused, and the user is told what to type.
package asknix.admin

deny contains {"id": "rule-mutation", "msg": msg} if {
	startswith(input.intent.rule, "wasm:")
	input.intent.rule != "wasm:alias"
	input.plan.mutates
	msg := sprintf("rule module %s may not propose %s; use 'ask-nix %s' instead", [trim_prefix(input.intent.rule, "wasm:"), input.intent.action, input.intent.action])
}
