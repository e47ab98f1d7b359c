//go:build !wasip1

package asknix

// Register is a no-op outside WebAssembly, so a rule's package builds and tests natively.
func Register(Rule) {}
