// Package policies holds ask-nix's default Rego policies (package asknix) and their tests,
// embedded into the binary. The engine that loads and evaluates them is engine/policy.
package policies

import "embed"

// FS holds the default policy files (*.rego, including *_test.rego).
//
//go:embed *.rego
var FS embed.FS
