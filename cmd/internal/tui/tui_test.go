package tui

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// TestConversation plays the screen's side against Serve over pipes: each query is
// answered with its own results or error, in order, and the final choice is returned.
func TestConversation(t *testing.T) {
	reqR, reqW := io.Pipe()
	ansR, ansW := io.Pipe()
	search := func(_ context.Context, q string) ([]Result, error) {
		if q == "bad" {
			return nil, errors.New("denied by policy")
		}
		return []Result{{Attr: q + "-1", Version: "1.0"}, {Attr: q + "-2"}}, nil
	}
	type served struct {
		install string
		err     error
	}
	done := make(chan served, 1)
	go func() {
		install, err := Serve(t.Context(), reqR, ansW, search)
		ansW.Close()
		done <- served{install, err}
	}()
	c := NewClient(reqW, ansR)
	for _, q := range []string{"ripgrep", "bad", "fd"} {
		if err := c.Ask(q); err != nil {
			t.Fatal(err)
		}
		a, ok, err := c.Next()
		if !ok || err != nil {
			t.Fatalf("no answer to %q: %v", q, err)
		}
		switch {
		case a.Query != q:
			t.Errorf("answer to %q carries query %q", q, a.Query)
		case q == "bad" && (a.Error != "denied by policy" || len(a.Results) != 0):
			t.Errorf("answer to a refused query: %+v", a)
		case q != "bad" && (len(a.Results) != 2 || a.Results[0].Attr != q+"-1" || a.Results[0].Version != "1.0"):
			t.Errorf("answer to %q: %+v", q, a)
		}
	}
	if err := c.Choose("fd-2"); err != nil {
		t.Fatal(err)
	}
	reqW.Close()
	s := <-done
	if s.err != nil || s.install != "fd-2" {
		t.Fatalf("Serve = %q, %v; want fd-2", s.install, s.err)
	}
	if _, ok, _ := c.Next(); ok {
		t.Error("an answer after the end of the conversation")
	}
}

func TestServeRefusesMalformedMessages(t *testing.T) {
	for _, in := range []string{"{not json\n", "[1,2]\n", strings.Repeat("x", maxLine+10) + "\n"} {
		_, err := Serve(t.Context(), strings.NewReader(in), io.Discard, func(context.Context, string) ([]Result, error) { return nil, nil })
		if err == nil {
			t.Errorf("Serve(%.20q…) = nil error", in)
		}
	}
}

// FuzzServe: whatever the screen sends, Serve answers or stops with an error; it never
// panics, and only a well-formed install message sets the choice.
func FuzzServe(f *testing.F) {
	for _, s := range []string{`{"query":"x"}` + "\n", `{"install":"a"}` + "\n", "\n", `{"query":1}`, `{}` + "\n" + `{"install":""}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		install, err := Serve(context.Background(), strings.NewReader(in), io.Discard, func(context.Context, string) ([]Result, error) {
			return []Result{{Attr: "a"}}, nil
		})
		if err != nil && install != "" {
			t.Fatalf("an error (%v) with a choice %q", err, install)
		}
		if install != "" && !strings.Contains(in, "install") {
			t.Fatalf("choice %q from %q", install, in)
		}
	})
}

// TestServeEndsWhenTheScreenLeaves: the screen may quit (esc) with a query in flight; the
// answer then has no reader, and that ends the conversation without an error.
func TestServeEndsWhenTheScreenLeaves(t *testing.T) {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ansR.Close() // the screen is gone
	reqW.WriteString(`{"query":"x"}` + "\n")
	reqW.Close()
	install, err := Serve(t.Context(), reqR, ansW, func(context.Context, string) ([]Result, error) {
		return []Result{{Attr: "x"}}, nil
	})
	if err != nil || install != "" {
		t.Fatalf("Serve = %q, %v; want a quiet end", install, err)
	}
}
