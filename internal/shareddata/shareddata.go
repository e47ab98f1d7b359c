// Package shareddata finds the project's shared data (../shared/data beside a clone: the
// nixpkgs package set, the search benchmark, nixpkgs' lib) for tests. A clone alone has
// none: a test that needs it skips with one line naming what is missing, except under CI,
// where .ci/run sets CI and the data is always there, so a skip would hide a fault.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of rel under the shared data directory, or skips t.
func Path(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "..", "shared", "data", rel)
			if _, err := os.Stat(p); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("the shared data %s is missing (CI has it beside the clone)", p)
				}
				t.Skipf("needs the shared data ../shared/data/%s beside the clone", rel)
			}
			return p
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod above the test")
		}
	}
}
