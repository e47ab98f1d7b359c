# Only members of group wheel may roll back, and nobody else may touch the system profile.
package asknix.admin

deny contains {"id": "rollback-wheel-only", "msg": "only members of group wheel may roll back"} if {
	input.intent.action == "rollback"
	not "wheel" in input.user.groups
}

deny contains {"id": "privileged-wheel-only", "msg": "only members of group wheel may run privileged steps"} if {
	input.plan.privileged
	not "wheel" in input.user.groups
}
