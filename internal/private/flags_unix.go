//go:build unix

package private

import "syscall"

// Open flags: never follow a link, never block on a FIFO.
const (
	noFollow = syscall.O_NOFOLLOW
	nonBlock = syscall.O_NONBLOCK
)
