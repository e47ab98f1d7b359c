package runner

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// networkError recognises Nix's messages for a download or connection failure.
var networkError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)unable to download|could not resolve host|couldn't resolve host|connection refused|connection timed out|timeout was reached|network is unreachable|failed to connect|temporary failure in name resolution|HTTP error 5\d\d`)
})

// IsNetworkError reports whether a command's failure message is the network's fault.
func IsNetworkError(msg string) bool { return networkError().MatchString(msg) }

// NetworkError is a command that kept failing for the network after its retries.
type NetworkError struct {
	Cmd      string
	Msg      string
	Attempts int
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("%s: %s (tried %d times)", e.Cmd, e.Msg, e.Attempts)
}

// Hint says what to do.
func (e *NetworkError) Hint() string {
	return "the network or a binary cache is unreachable; check the connection (or the substituters in nix.conf) and try again"
}

// retryDelays are the waits between attempts of a command that failed for the network.
// PermissionError is a command refused by the operating system.
type PermissionError struct {
	Cmd  string
	Msg  string
	hint string
}

func (e *PermissionError) Error() string { return fmt.Sprintf("%s: %s", e.Cmd, e.Msg) }

// Hint says exactly what to run.
func (e *PermissionError) Hint() string { return e.hint }

var quotedPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`'(/[^']+)'`) })

// permissionHint explains a "Permission denied": join the group that may write the path,
// or run the request as root.
func permissionHint(msg string, args []string) string {
	if os.Geteuid() == 0 {
		// Root was refused: sudo would change nothing (a read-only mount, an immutable file).
		if m := quotedPath().FindStringSubmatch(msg); m != nil {
			return fmt.Sprintf("even root may not change %s: is it on a read-only filesystem, or immutable (lsattr)?", m[1])
		}
		return "even root was refused: a read-only filesystem, or an immutable file?"
	}
	rerun := "sudo ask-nix " + strings.Join(args, " ")
	if len(args) == 0 {
		rerun = "sudo ask-nix …"
	}
	m := quotedPath().FindStringSubmatch(msg)
	if m == nil {
		return "run it as root: " + rerun
	}
	p := m[1]
	var st os.FileInfo
	var err error
	for ; p != "/" && p != "."; p = filepath.Dir(p) {
		if st, err = os.Stat(p); err == nil {
			break
		}
	}
	if st == nil {
		return "run it as root: " + rerun
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if ok && st.Mode().Perm()&0o020 != 0 && sys.Gid != 0 {
		if g, err := user.LookupGroupId(strconv.Itoa(int(sys.Gid))); err == nil {
			return fmt.Sprintf("%s is writable by the group %s: join it (sudo usermod -aG %s $USER, then log in again), or run: %s", p, g.Name, g.Name, rerun)
		}
	}
	owner := "root"
	if ok {
		if u, err := user.LookupId(strconv.Itoa(int(sys.Uid))); err == nil {
			owner = u.Username
		}
	}
	return fmt.Sprintf("%s belongs to %s; run: %s", p, owner, rerun)
}

// isPermission recognises the operating system's refusal in a command's message.
func isPermission(msg string) bool {
	return strings.Contains(msg, "Permission denied") || strings.Contains(msg, "Operation not permitted") ||
		strings.Contains(msg, "EACCES")
}
