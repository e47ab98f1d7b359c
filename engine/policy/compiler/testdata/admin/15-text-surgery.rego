package asknix.admin

deny contains d if {
	words := split(trim_space(input.request.text), " ")
	count(words) > 12
	d := {"id": "long-request", "msg": concat("-", array.slice(words, 0, 3))}
}

deny contains d if {
	t := replace(lower(input.request.text), "please ", "")
	i := indexof(t, "sudo")
	i >= 0
	d := {"id": "sudo-word", "msg": substring(t, i, 4)}
}
