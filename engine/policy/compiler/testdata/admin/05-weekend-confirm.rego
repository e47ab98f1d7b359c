package asknix.admin

confirm contains d if {
	input.plan.mutates
	day := time.weekday(time.parse_rfc3339_ns(input.host.time))
	day in {"Saturday", "Sunday"}
	d := {"id": "weekend", "msg": sprintf("it is %s", [day])}
}
