package asknix.admin

confirm contains d if {
	n := count(indexof_n(input.request.text, "e"))
	n > 5
	n - 5 < 3
	d := {"id": "many-e", "msg": sprintf("%d", [n])}
}
