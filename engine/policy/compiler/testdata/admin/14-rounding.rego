package asknix.admin

deny contains d if {
	k := input.intent.args.keep
	is_number(k)
	round(k * 2.5) != ceil(k * 2.5)
	floor(abs(k) / 3) == 1
	d := {"id": "rounding", "msg": sprintf("%v %v %v", [round(k * 2.5), ceil(k * 2.5), floor(abs(k) / 3)])}
}
