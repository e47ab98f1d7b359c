# Agents (ask-nix mcp) may read everything and install a few packages without asking;
# they may never remove packages or clean up. People are not affected.
package asknix.admin

agent_allowlist := {"ripgrep", "jq", "fd", "bat", "hello"}

deny contains d if {
	input.request.source == "mcp"
	input.intent.action in {"remove", "cleanup"}
	d := {"id": "agent-no-removal", "msg": sprintf("AI assistants may not %s here; ask a person", [input.intent.action])}
}

# Installing an allow-listed package into the user's profile needs no confirmation from
# an agent (nor from anyone else, since "mutation" is waived with it).
waive contains id if {
	input.request.source == "mcp"
	input.intent.action == "install"
	input.intent.args.package in agent_allowlist
	not input.plan.privileged
	some id in {"mutation", "agent-mutation"}
}
