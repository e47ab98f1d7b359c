package nixlog

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestReplayRecordedLogs feeds real Nix 2.8 logs (testdata/*.log, recorded with
// --log-format internal-json -v) and compares the progress lines with golden files.
func TestReplayRecordedLogs(t *testing.T) {
	for _, tc := range []struct {
		log  string
		want func(p Progress) bool
	}{
		{"build-3-derivations.log", func(p Progress) bool {
			return p.BuildsDone == 3 && p.BuildsExpected == 3 && p.BuildsRunning == 0 && len(p.Errors) == 0 && p.LastLog == "step 2"
		}},
		{"nix-env-install.log", func(p Progress) bool { return p.BuildsDone == 4 && p.BuildsExpected == 4 && len(p.Errors) == 0 }}, // 3 packages + the user environment
		{"substitute-from-file-cache.log", func(p Progress) bool {
			return p.CopiesDone == 1 && p.CopiesExpected == 1 && p.BytesDone == 100112 && p.BytesExpected == 100112 && p.BuildsExpected == 0
		}},
		{"build-fails.log", func(p Progress) bool {
			return p.BuildsFailed == 1 && len(p.Errors) == 1 && strings.Contains(p.Errors[0], "failed with exit code 1") && !strings.Contains(p.Errors[0], "\x1b")
		}},
	} {
		t.Run(tc.log, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.log))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tr, lines, err := Replay(f)
			if err != nil {
				t.Fatal(err)
			}
			if p := tr.Progress(); !tc.want(p) {
				t.Errorf("final progress %+v", p)
			}
			got := strings.Join(lines, "\n") + "\n"
			golden := filepath.Join("testdata", strings.TrimSuffix(tc.log, ".log")+".golden")
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("progress lines differ from %s:\n%s", golden, got)
			}
		})
	}
}

func TestWriterSplitsLinesAcrossWrites(t *testing.T) {
	b, err := os.ReadFile("testdata/build-3-derivations.log")
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTracker()
	changes := 0
	w := NewWriter(tr, func(Progress) { changes++ })
	w.Write([]byte("warning: plain text mixed in\n"))
	for i := 0; i < len(b); i += 7 { // odd chunk sizes split lines
		w.Write(b[i:min(i+7, len(b))])
	}
	w.Close()
	if p := tr.Progress(); p.BuildsDone != 3 || changes == 0 {
		t.Errorf("progress %+v after %d changes", p, changes)
	}
	if pl := w.Plain(); len(pl) != 1 || pl[0] != "warning: plain text mixed in" {
		t.Errorf("plain lines %q", pl)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, name := range []string{"build-3-derivations.log", "build-fails.log", "substitute-from-file-cache.log"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		for _, l := range strings.Split(string(b), "\n")[:5] {
			f.Add([]byte(l))
		}
	}
	f.Add([]byte(`@nix {"action":"result","fields":[1e99,"x"],"id":1,"type":105}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := ParseLine(line)
		if err != nil {
			return
		}
		tr := NewTracker()
		tr.Feed(Event{Action: "start", ID: e.ID, Type: e.Type, Fields: e.Fields})
		tr.Feed(e)
		_ = tr.Progress().Summary()
	})
}
