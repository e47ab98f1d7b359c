package asknix.admin

deny contains d if {
	p := input.intent.args.package
	trim_prefix(trim_suffix(p, "-unwrapped"), "lib") != p
	trim_left(p, "x") == trim_right(p, "x")
	d := {"id": "trims", "msg": trim(p, "-")}
}
