package asknix.admin

deny contains d if {
	parts := regex.split(`[,;]+`, input.config.banned_words)
	some w in parts
	w != ""
	contains(lower(input.request.text), w)
	d := {"id": "banned-word", "msg": regex.replace(w, `[aeiou]`, "*")}
}

confirm contains d if {
	found := regex.find_n(`[0-9]+`, input.request.text, -1)
	count(found) > 2
	d := {"id": "many-numbers", "msg": concat(",", found)}
}
