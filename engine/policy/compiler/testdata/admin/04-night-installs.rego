package asknix.admin

deny contains d if {
	input.intent.action == "install"
	[h, _, _] := time.clock(time.parse_rfc3339_ns(input.host.time))
	h < 6
	d := {"id": "night", "msg": sprintf("no installs at %02d h", [h])}
}
