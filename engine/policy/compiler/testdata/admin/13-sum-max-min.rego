package asknix.admin

sizes := [x | some x in input.config.sizes; is_number(x)]

deny contains d if {
	count(sizes) > 0
	sum(sizes) > max(sizes) * 2
	min(sizes) < 0.5
	d := {"id": "sizes", "msg": sprintf("sum %v max %v min %v", [sum(sizes), max(sizes), min(sizes)])}
}
