package asknix.admin

deny contains d if {
	s := json.marshal(input.intent.args)
	count(s) > 200
	d := {"id": "big-args", "msg": sprintf("%d bytes of arguments", [count(s)])}
}
