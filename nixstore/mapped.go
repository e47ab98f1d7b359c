package nixstore

import (
	"fmt"
	"runtime/debug"
)

// mmapSize is how much of the database SQLite maps instead of reading it into its page
// cache: all of it, for any store. A mapped read costs no copy and, more here, no
// freshly allocated page per database page (see RATIONALE, "Start-up is page faults").
const mmapSize = 1 << 30

// guard is deferred, with the method's error, by every method that reads the mapped
// database: if the file shrinks while it is mapped (another process vacuums it), a read
// past its new end faults (SIGBUS). The fault becomes this error instead of a crash; any
// other panic goes on.
//
//	defer guard()(&err)
func guard() func(*error) {
	old := debug.SetPanicOnFault(true)
	return func(err *error) {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			f, ok := r.(interface{ Addr() uintptr })
			if !ok {
				panic(r)
			}
			*err = fmt.Errorf("%w: the store database changed while it was being read (fault at %#x); run the command again", ErrDatabaseChanged, f.Addr())
		}
	}
}
