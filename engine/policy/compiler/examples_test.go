package compiler

import (
	"context"
	"github.com/asknix/ask-nix/engine/policy"
	"testing"
)

// TestDocumentedExamples runs the administrator examples of docs/policies.md with their
// tests, and loads them as the administrator layer.
func TestDocumentedExamples(t *testing.T) {
	dir := "../../../docs/examples/policies"
	rep, err := Test(context.Background(), policy.Options{}, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin := 0
	for _, r := range rep.Results {
		if !r.Pass {
			t.Errorf("%s.%s: %s", r.Package, r.Name, r.Error)
		}
		if r.Package == "asknix.admin_test" {
			admin++
		}
	}
	if admin < 11 {
		t.Errorf("ran %d example tests, want the 11 of docs/examples/policies", admin)
	}
	if _, err := policy.Load(context.Background(), policy.Options{Compiler: Local{}, AdminDirs: []string{dir}}); err != nil {
		t.Fatalf("the examples do not load as the administrator layer: %v", err)
	}
}
