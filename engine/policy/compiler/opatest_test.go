package compiler

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/asknix/ask-nix/engine/policy"

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

// TestHelperTestsTheCallersDefaults: `policy test` through the helper runs the defaults
// the calling ask-nix sent (a helper of another build must not test its own copy).
func TestHelperTestsTheCallersDefaults(t *testing.T) {
	defs, err := policy.DefaultTestFiles()
	if err != nil {
		t.Fatal(err)
	}
	marker := policy.File{Name: "policies/marker_test.rego", Package: "asknix_test",
		Source: "package asknix_test\n\ntest_sent_by_the_caller if true\n"}
	for _, tc := range []struct {
		files  []policy.File
		marker bool
	}{{append(defs, marker), true}, {nil, false}} {
		in, _ := json.Marshal(policy.Request{Op: "test", Files: tc.files})
		var out, errb bytes.Buffer
		if code := Main(context.Background(), nil, bytes.NewReader(in), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var resp policy.Response
		if err := json.Unmarshal(out.Bytes(), &resp); err != nil || resp.Report == nil {
			t.Fatalf("response %s: %v", out.String(), err)
		}
		found := false
		for _, r := range resp.Report.Results {
			found = found || r.Name == "test_sent_by_the_caller"
		}
		if found != tc.marker || resp.Report.Failed != 0 || resp.Report.Passed < 5 {
			t.Errorf("files sent: %v: marker test run %v, report %d passed %d failed", tc.files != nil, found, resp.Report.Passed, resp.Report.Failed)
		}
	}
}
