//go:build !unix

package rules

import "github.com/tetratelabs/wazero/experimental"

func newMemory(max uint64) experimental.LinearMemory { return &sliceMemory{max: max} }
