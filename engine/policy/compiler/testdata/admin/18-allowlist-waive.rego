package asknix.admin

allowlist := {"firefox", "ripgrep", "jq"}

waive contains "mutation" if {
	input.intent.action == "install"
	input.intent.args.package in allowlist
	"wheel" in input.user.groups
}
