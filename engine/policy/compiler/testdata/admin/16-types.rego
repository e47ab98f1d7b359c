package asknix.admin

deny contains d if {
	some k, v in input.intent.args
	not is_string(v)
	not is_number(v)
	not is_array(v)
	not is_boolean(v)
	d := {"id": "odd-type", "msg": sprintf("%s is a %s", [k, type_name(v)])}
}
