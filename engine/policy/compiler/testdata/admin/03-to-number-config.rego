package asknix.admin

limit := to_number(input.config.max_argv)

deny contains d if {
	count(input.plan.argv) > limit
	d := {"id": "argv-limit", "msg": sprintf("more than %v commands", [limit])}
}

confirm contains d if {
	limit == 0
	d := {"id": "argv-zero", "msg": "zero limit"}
}
