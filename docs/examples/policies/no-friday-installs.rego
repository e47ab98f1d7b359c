# No installs or updates on Fridays (by the host's clock in input.host.time).
package asknix.admin

deny contains {"id": "no-friday-changes", "msg": "no installs or updates on Fridays; it can wait until Monday"} if {
	input.intent.action in {"install", "update"}
	time.weekday(time.parse_rfc3339_ns(input.host.time)) == "Friday"
}
