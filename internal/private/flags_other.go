//go:build !unix

package private

import "syscall"

// Where the flags do not exist (the WASI build the rule SDK vets against), plain opens.
const (
	noFollow = syscall.O_NOFOLLOW
	nonBlock = 0
)
