package asknix.admin

limits := object.get(input.config, "limits", {})

deny contains d if {
	some k in object.keys(limits)
	v := limits[k]
	is_number(v)
	input.intent.args[k] > v
	d := {"id": "limit", "msg": sprintf("%s over %v", [k, v])}
}
