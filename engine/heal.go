package engine

import (
	"context"
	"fmt"
	"syscall"

	"github.com/asknix/ask-nix/engine/units"
)

// Self-healing (issue 7): before a change, a store filesystem short of space earns a
// proposal to clean up with its measured gain; a Nix command that fails for the network is
// retried with backoff before it is explained; a permission error says what to run.

// lowSpaceWarning returns a warning when the store's filesystem has less free space than
// Options.MinFreeBytes, with what `cleanup --keep 3` on the profile would free, computed
// from the reference graph.
func (e *Engine) lowSpaceWarning(ctx context.Context, profile string) string {
	if e.o.MinFreeBytes == 0 {
		return ""
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(e.o.Host.Store.StoreDir, &st); err != nil {
		return ""
	}
	free := st.Bavail * uint64(st.Bsize)
	if free >= e.o.MinFreeBytes {
		return ""
	}
	msg := fmt.Sprintf("the store's filesystem has only %s free", units.Bytes(free))
	sel, err := e.cleanupSelection(profile, Args{"keep": 3})
	if err != nil {
		return msg + "; 'ask-nix disk' shows what a cleanup would reclaim"
	}
	_, freed, err := e.freedBy(ctx, profile, sel.Delete)
	if err != nil {
		return msg + "; 'ask-nix disk' shows what a cleanup would reclaim"
	}
	if freed == 0 {
		return msg + "; a cleanup would not free anything now"
	}
	return fmt.Sprintf("%s; 'ask-nix cleanup --keep 3' would free %s (%s)", msg, units.Bytes(freed), plural(len(sel.Delete), "old generation"))
}
