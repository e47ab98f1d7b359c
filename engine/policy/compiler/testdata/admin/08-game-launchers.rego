package asknix.admin

deny contains d if {
	p := lower(input.intent.args.package)
	some prefix in ["steam", "lutris", "heroic"]
	startswith(p, prefix)
	d := {"id": "games", "msg": sprintf("%s looks like a game launcher", [p])}
}

deny contains d if {
	p := input.intent.args.package
	endswith(p, "-bin")
	not contains(p, "firmware")
	d := {"id": "binary-package", "msg": "prebuilt binaries are not allowed"}
}
