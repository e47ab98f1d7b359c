package nixstore

import (
	"reflect"
	"testing"
	"time"
)

func TestSelectCleanup(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	// Generations 1..6, one a day, 6 the newest; 4 is current; 2 is booted.
	var p Profile
	for n := 6; n >= 1; n-- {
		p.Generations = append(p.Generations, Generation{Generation: n, Date: now.Add(-time.Duration(7-n) * day),
			Current: n == 4, Path: "/nix/store/x-gen" + string(rune('0'+n))})
	}
	booted := []string{"/nix/store/x-gen2"}
	for _, tc := range []struct {
		name      string
		keep      int
		olderThan time.Duration
		protect   []string
		del       []int
	}{
		{"neither: all older than the current (5 and 6 are newer: a rollback left them)", -1, 0, nil, []int{1, 2, 3}},
		{"keep 2 newest (and the current)", 2, 0, nil, []int{1, 2, 3}},
		{"keep 0 never deletes the current nor newer ones", 0, 0, nil, []int{1, 2, 3}},
		// older than 3.5 days: 1, 2, 3 are older; 3 was current at the cutoff and stays.
		{"older than", -1, 84 * time.Hour, nil, []int{1, 2}},
		{"both: only what both delete", 4, 84 * time.Hour, nil, []int{1, 2}},
		{"both, keep wins", 5, 84 * time.Hour, nil, []int{1}},
		{"the booted generation stays", -1, 0, booted, []int{1, 3}},
	} {
		got := SelectCleanup(p, tc.keep, tc.olderThan, now, tc.protect)
		if !reflect.DeepEqual(got.Delete, tc.del) {
			t.Errorf("%s: delete %v, want %v (keep %v)", tc.name, got.Delete, tc.del, got.Keep)
		}
		if len(got.Delete)+len(got.Keep) != 6 {
			t.Errorf("%s: %v + %v is not every generation", tc.name, got.Delete, got.Keep)
		}
	}
}
