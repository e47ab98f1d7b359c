package asknix.admin

deny contains d if {
	input.intent.action == "rollback"
	not input.user.root
	input.plan.privileged
	d := {"id": "root-rollback", "msg": sprintf("uid %d may not roll the system back", [input.user.uid])}
}
