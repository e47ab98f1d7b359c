package asknix.admin

deny contains d if {
	k := input.intent.args.keep
	is_number(k)
	k != 0
	(10 / k) * k != 10
	d := {"id": "keep-divides", "msg": sprintf("10 / %v * %v is %v", [k, k, (10 / k) * k])}
}
