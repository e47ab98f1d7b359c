package asknix.admin

allowed := numbers.range(1, input.config.max_generation)

deny contains d if {
	g := input.intent.args.generation
	not g in allowed
	d := {"id": "generation-range", "msg": sprintf("generation %v not in 1..%v (%d allowed)", [g, input.config.max_generation, count(allowed)])}
}
