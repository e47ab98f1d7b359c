package asknix.admin

deny contains d if {
	input.plan.mutates
	time.parse_rfc3339_ns(input.config.freeze_until) > time.parse_rfc3339_ns(input.host.time)
	d := {"id": "freeze", "msg": sprintf("frozen until %s", [input.config.freeze_until])}
}

confirm contains d if {
	ns := time.parse_rfc3339_ns(input.config.freeze_until)
	[y, m, _] := time.date(ns)
	y < 1970
	d := {"id": "ancient-freeze", "msg": sprintf("%d-%d", [y, m])}
}
