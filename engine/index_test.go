package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/asknix/ask-nix/internal/executor"
)

// TestHelperLines: ask-nix-index's stderr, in any split, gives its progress to the
// callback and keeps its last other line as the error.
func TestHelperLines(t *testing.T) {
	in := "progress 1048576 3000000\nprogress 2097152 3000000\nprogress x y\n\nask-nix-index: error: open /nope: no such file\n"
	for _, chunk := range []int{1, 3, 7, len(in)} {
		var got [][2]int64
		h := &helperLines{progress: func(done, total int64) { got = append(got, [2]int64{done, total}) }}
		for i := 0; i < len(in); i += chunk {
			h.Write([]byte(in[i:min(i+chunk, len(in))]))
		}
		if len(got) != 2 || got[0] != [2]int64{1048576, 3000000} || got[1] != [2]int64{2097152, 3000000} {
			t.Errorf("chunks of %d: progress %v", chunk, got)
		}
		if h.last != "ask-nix-index: error: open /nope: no such file" {
			t.Errorf("chunks of %d: last line %q", chunk, h.last)
		}
	}
	// A last line without its newline (the helper died mid-line) still counts.
	h := &helperLines{}
	h.Write([]byte("progress 1 2\npanic: boom"))
	h.Close()
	if h.last != "panic: boom" {
		t.Errorf("unterminated last line: %q", h.last)
	}
}

func FuzzHelperLines(f *testing.F) {
	f.Add([]byte("progress 1 2\nerror\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h := &helperLines{progress: func(done, total int64) {}}
		if n, err := h.Write(b); n != len(b) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		if strings.HasPrefix(h.last, "progress ") && len(strings.Fields(h.last)) == 3 && !strings.ContainsAny(h.last, "\n") {
			f := strings.Fields(h.last)
			if strings.Trim(f[1]+f[2], "0123456789") == "" && len(f[1]) < 18 && len(f[2]) < 18 {
				t.Fatalf("a progress line kept as an error: %q", h.last)
			}
		}
	})
}

// TestIndexHelperMissing: without ask-nix-index beside the program or on PATH, index
// update stops with executor.ErrNoHelper, naming the program, before reading anything.
func TestIndexHelperMissing(t *testing.T) {
	e := &Engine{o: Options{NixEnv: []string{"PATH=" + t.TempDir()}}}
	if _, err := e.updateIndex(t.Context(), "/nope", t.TempDir()+"/index", false); !errors.Is(err, executor.ErrNoHelper) ||
		!strings.HasPrefix(err.Error(), "the index builder ask-nix-index is not installed beside ask-nix or on PATH") {
		t.Fatalf("err = %v, want executor.ErrNoHelper", err)
	}
}
