package asknix.admin

deny contains d if {
	g := input.intent.args.generation
	is_number(g)
	g % 2 == 1
	g > 9007199254740992
	d := {"id": "odd-big", "msg": sprintf("generation %v is odd and large", [g])}
}
