package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asknix/ask-nix/engine/search"
)

const small = `{"version":2,"packages":{
 "hello":{"name":"hello-2.12","pname":"hello","version":"2.12","meta":{"description":"A program that greets","maintainers":[{"name":"x"}],"position":"pkgs/applications/misc/hello/default.nix:1"}},
 "cowsay":{"name":"cowsay-3.8","pname":"cowsay","version":"3.8","meta":{"description":"A talking cow"}}}}`

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openIndex(t *testing.T, path string) *search.Index {
	t.Helper()
	idx, err := search.Open([]string{path}, "")
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func TestUpdateFromFileAndFailuresKeepTheOldIndex(t *testing.T) {
	ctx := context.Background()
	to := filepath.Join(t.TempDir(), "ask-nix", "index")
	res, err := Update(ctx, UpdateOptions{From: writeFile(t, "packages.json", small), To: to})
	if err != nil {
		t.Fatal(err)
	}
	if res.Index.Packages != 2 {
		t.Fatalf("%+v", res)
	}
	idx := openIndex(t, to)
	if got := idx.Search("hello", 1); len(got) != 1 || got[0].Attr != "hello" || idx.At(1).Category != "applications/misc" {
		t.Fatalf("search in the new index: %+v", got)
	}
	br, _ := os.ReadFile("../../../shared/data/nixpkgs/packages.json.br")
	truncated := "x"
	if len(br) > 5000 {
		truncated = string(br[:5000])
	}
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer hang.Close()
	// A file URL names a file like its path does.
	if res, err := Update(ctx, UpdateOptions{From: "file://" + writeFile(t, "u.json", small), To: to}); err != nil || res.Index.Packages != 2 {
		t.Fatalf("from a file:// URL: %+v, %v", res, err)
	}
	for _, tc := range []struct {
		name, from string
		client     *http.Client
	}{
		{"another scheme: unsupported URL scheme", "ftp://example.org/packages.json", nil},
		{"a file URL of another host: not a file URL of this machine", "file://example.org/packages.json", nil},
		{"truncated brotli", writeFile(t, "packages.json.br", truncated), nil},
		{"wrong shape", writeFile(t, "a.json", `[1, 2, 3]`), nil},
		{"empty package set", writeFile(t, "b.json", `{"version":2,"packages":{}}`), nil},
		{"missing fields and odd values", writeFile(t, "c.json", `{"packages":{"x":{"meta":"not an object"}}}`), nil},
		{"no such file", filepath.Join(t.TempDir(), "nope.json"), nil},
		{"a URL that times out", hang.URL + "/packages.json.br", &http.Client{Timeout: 150 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Update(ctx, UpdateOptions{From: tc.from, To: to, Client: tc.client, Attempts: 2, Backoff: 10 * time.Millisecond})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if _, want, ok := strings.Cut(tc.name, ": "); ok && !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
			if idx := openIndex(t, to); idx.Len() != 2 {
				t.Errorf("the previous index is gone: %d packages", idx.Len())
			}
			entries, _ := os.ReadDir(filepath.Dir(to))
			if len(entries) != 1 {
				t.Errorf("temporary files left behind: %v", entries)
			}
		})
	}
}

func TestUpdateRetriesDownloads(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Last-Modified", "Sat, 27 Sep 2025 10:00:00 GMT")
		w.Write([]byte(small))
	}))
	defer srv.Close()
	to := filepath.Join(t.TempDir(), "index")
	var progressed bool
	res, err := Update(context.Background(), UpdateOptions{From: srv.URL + "/packages.json", To: to, Attempts: 3, Backoff: 5 * time.Millisecond,
		Progress: func(done, total int64) { progressed = progressed || done > 0 }})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || res.Index.Packages != 2 || !res.Index.Date.Equal(time.Date(2025, 9, 27, 10, 0, 0, 0, time.UTC)) || !progressed {
		t.Errorf("calls %d, result %+v, progress %v", calls.Load(), res, progressed)
	}
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	if _, err := Update(context.Background(), UpdateOptions{From: srv404.URL, To: to, Backoff: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
}

// TestUpdateUnwritableDestination: a destination that cannot be created (under a regular
// file, which even root cannot write into) is a one-line error.
func TestUpdateUnwritableDestination(t *testing.T) {
	to := filepath.Join(writeFile(t, "file", "x"), "index")
	_, err := Update(context.Background(), UpdateOptions{From: writeFile(t, "p.json", small), To: to})
	if err == nil || !strings.HasPrefix(err.Error(), "write index") {
		t.Errorf("got %v", err)
	}
}

// TestUpdateInterruptedWritesNothing: an update whose context ended while it read (ask-nix
// was interrupted and sent ask-nix-index SIGTERM) writes no index and no temporary file.
func TestUpdateInterruptedWritesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := Update(ctx, UpdateOptions{From: writeFile(t, "packages.json", small), To: filepath.Join(dir, "index")}); err == nil {
		t.Fatal("an interrupted update succeeded")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("an interrupted update left %v", left)
	}
}
