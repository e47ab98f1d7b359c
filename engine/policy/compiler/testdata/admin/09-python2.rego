package asknix.admin

deny contains d if {
	regex.match(`^(python2|python27|pypy2)`, input.intent.args.package)
	d := {"id": "python2", "msg": "python 2 is end of life"}
}
