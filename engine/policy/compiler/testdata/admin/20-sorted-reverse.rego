package asknix.admin

deny contains d if {
	gs := sort([x | some x in input.config.protected; is_number(x)])
	r := array.reverse(gs)
	count(r) > 0
	input.intent.args.generation == r[0]
	d := {"id": "protected", "msg": sprintf("generation %v is protected (%v)", [r[0], gs])}
}
