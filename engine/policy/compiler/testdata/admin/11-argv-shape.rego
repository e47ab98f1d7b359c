package asknix.admin

deny contains d if {
	some cmd in input.plan.argv
	is_array(cmd)
	first := array.slice(cmd, 0, 1)
	first == ["curl"]
	d := {"id": "no-curl", "msg": "curl in a plan"}
}

confirm contains d if {
	all := array.concat(input.plan.argv, ["end"])
	count(all) > 3
	d := {"id": "long-plan", "msg": sprintf("%d steps", [count(all) - 1])}
}
