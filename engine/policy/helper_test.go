package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/internal/executor"
)

// TestMissingHelper: with no ask-nix-policy beside the program or on PATH, compiling says
// which program is missing, as one error the CLI gives its install hint for.
func TestMissingHelper(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Helper{}.Compile(t.Context(), nil)
	if !errors.Is(err, executor.ErrNoHelper) || !strings.HasPrefix(err.Error(), "the policy compiler ask-nix-policy is not installed beside ask-nix or on PATH") {
		t.Fatalf("err = %v", err)
	}
}
