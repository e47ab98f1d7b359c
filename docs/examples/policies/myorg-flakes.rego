# Our own flakes may be installed by reference: waive the default flake-ref denial for
# github:myorg/* and nothing else. Paths, URLs and flags stay denied.
package asknix.admin

waive contains "flake-ref" if {
	regex.match(`^github:myorg/[A-Za-z0-9._-]+(#[A-Za-z0-9._-]+)?$`, input.intent.args.package)
}
