package asknix.admin

deny contains d if {
	a := input.intent.args.generation
	b := input.intent.args.keep
	is_number(a)
	is_number(b)
	b != 0
	(a / b) * b != a
	d := {"id": "ratio", "msg": sprintf("%v / %v * %v = %v", [a, b, b, (a / b) * b])}
}
