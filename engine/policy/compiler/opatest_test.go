package compiler

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestDefaultPolicyRegoTests runs policies/*_test.rego with OPA's tester, as `opa test
// policies/` does.
func TestDefaultPolicyRegoTests(t *testing.T) {
	files, err := loader.NewFileLoader().All([]string{"../../../policies"})
	if err != nil {
		t.Fatal(err)
	}
	r := tester.NewRunner().SetModules(files.ParsedModules())
	ch, err := r.RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for res := range ch {
		n++
		if res.Fail || res.Error != nil {
			t.Errorf("%s.%s failed: %v", res.Package, res.Name, res.Error)
		}
	}
	if n < 5 {
		t.Fatalf("ran %d Rego tests, expected the default policy's tests", n)
	}
}
