package nixstore_test

import (
	"context"
	"testing"
)

// TestVerifyHealthyStoreAgreesWithNix: every path of the fixture verifies, as
// `nix-store --verify --check-contents` says (the corrupted case is tested end to end in
// cmd/ask-nix/testdata/script/verify.txtar, on a store of its own).
func TestVerifyHealthyStoreAgreesWithNix(t *testing.T) {
	f := need(t)
	n := openNative(t, f)
	ctx := context.Background()
	all, err := n.AllPaths(ctx)
	if err != nil || len(all) < 5 {
		t.Fatalf("AllPaths: %d paths, %v", len(all), err)
	}
	calls := 0
	res, err := n.Verify(ctx, all, func(done, total int) {
		calls++
		if total != len(all) || done > total {
			t.Errorf("progress %d/%d", done, total)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(all) || calls != len(all) {
		t.Fatalf("%d results, %d progress calls, for %d paths", len(res), calls, len(all))
	}
	for i, v := range res {
		if !v.OK || v.Expected != v.Actual || v.Error != "" || i > 0 && res[i-1].Path >= v.Path {
			t.Errorf("%+v", v)
		}
	}
	if _, err := f.store.Exec("nix-store", "--verify", "--check-contents"); err != nil {
		t.Errorf("nix disagrees: %v", err)
	}
	if _, err := n.Verify(ctx, []string{"/tmp"}, nil); err == nil {
		t.Error("a path outside the store verified")
	}
}
