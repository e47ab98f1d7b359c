package asknix.admin

blocked := {"telnet", "rsh", "ftp"}
extra := {x | some x in input.config.blocked}

deny contains d if {
	all := blocked | extra
	input.intent.args.package in all
	d := {"id": "blocked", "msg": sprintf("%s is blocked (%d blocked, %d shared)", [input.intent.args.package, count(all), count(blocked & extra)])}
}
