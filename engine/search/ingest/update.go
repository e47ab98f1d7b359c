package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asknix/ask-nix/engine/search"
)

// UpdateOptions configure Update.
type UpdateOptions struct {
	From     string                  // a file path or an http(s) URL
	To       string                  // the index file to (re)write
	Progress func(done, total int64) // called as the source is read; total -1 when unknown
	Client   *http.Client            // nil: http.DefaultClient
	Attempts int                     // downloads: tries before giving up (default 3)
	Backoff  time.Duration           // downloads: first wait between tries, doubled each time (default 1s)
	Now      func() time.Time
	Options  bool // the source is NixOS's options.json
}

// Update reads a package set from o.From and writes it as an index to o.To. The new index
// is written beside the old one and renamed over it, so a failure at any point (bad
// input, a download that times out, a full disk) leaves the previous index working.
func Update(ctx context.Context, o UpdateOptions) (search.UpdateResult, error) {
	start := time.Now()
	if o.Now == nil {
		o.Now = time.Now
	}
	src, total, date, err := openSource(ctx, o)
	if err != nil {
		return search.UpdateResult{}, err
	}
	defer src.Close()
	r := io.Reader(src)
	if o.Progress != nil {
		r = &counting{r: src, total: total, report: o.Progress}
	}
	dec, err := Decompress(r, o.From)
	if err != nil {
		return search.UpdateResult{}, err
	}
	if c, ok := dec.(io.Closer); ok {
		defer c.Close()
	}
	parse := Parse
	if o.Options {
		parse = ParseOptions
	}
	pkgs, err := parse(dec)
	if err != nil {
		return search.UpdateResult{}, fmt.Errorf("%s: %w", o.From, err)
	}
	if err := ctx.Err(); err != nil {
		return search.UpdateResult{}, err // interrupted while reading: write nothing
	}
	if !date.IsZero() {
		date = date.UTC().Truncate(time.Second)
	}
	meta := search.Meta{Source: o.From, Date: date, Packages: len(pkgs), Path: o.To}
	if err := os.MkdirAll(filepath.Dir(o.To), 0o755); err != nil {
		return search.UpdateResult{}, fmt.Errorf("write index: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(o.To), "."+filepath.Base(o.To)+".*")
	if err != nil {
		return search.UpdateResult{}, fmt.Errorf("write index: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (search.UpdateResult, error) {
		f.Close()
		os.Remove(tmp)
		return search.UpdateResult{}, fmt.Errorf("write index %s: %w", o.To, err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := search.Write(bw, meta, pkgs); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, o.To); err != nil {
		return fail(err)
	}
	return search.UpdateResult{Index: meta, Seconds: time.Since(start).Seconds()}, nil
}

func openSource(ctx context.Context, o UpdateOptions) (io.ReadCloser, int64, time.Time, error) {
	if !strings.HasPrefix(o.From, "http://") && !strings.HasPrefix(o.From, "https://") {
		name := o.From
		if scheme, _, ok := strings.Cut(name, "://"); ok {
			if scheme != "file" {
				return nil, 0, time.Time{}, fmt.Errorf("%s: unsupported URL scheme %q (use https://, http://, file:// or a path)", o.From, scheme)
			}
			u, err := url.Parse(o.From)
			if err != nil || u.Path == "" || (u.Host != "" && u.Host != "localhost") {
				return nil, 0, time.Time{}, fmt.Errorf("%s: not a file URL of this machine (file:///path)", o.From)
			}
			name = u.Path
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, 0, time.Time{}, err // "open NAME: reason"
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, time.Time{}, err
		}
		// A file's modification time says when it was copied, not when its data was
		// published: the date of a file's data is unknown (SPEC §5's warning then stays
		// quiet rather than call old data fresh).
		return f, st.Size(), time.Time{}, nil
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	attempts, wait := o.Attempts, o.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = time.Second
	}
	var last error
	tries := 0
	for i := range attempts {
		tries++
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, 0, time.Time{}, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.From, nil)
		if err != nil {
			return nil, 0, time.Time{}, err
		}
		resp, err := client.Do(req)
		if err != nil {
			last = err
			continue
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			last = fmt.Errorf("HTTP %s", resp.Status)
			if resp.StatusCode >= 400 && resp.StatusCode < 500 {
				break // not worth retrying
			}
			continue
		}
		date, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
		return resp.Body, resp.ContentLength, date, nil
	}
	what := "1 try"
	if tries > 1 {
		what = fmt.Sprintf("%d tries", tries)
	}
	return nil, 0, time.Time{}, fmt.Errorf("download %s (%s): %w", o.From, what, last)
}

type counting struct {
	r      io.Reader
	done   int64
	total  int64
	last   int64
	report func(done, total int64)
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.done += int64(n)
	// From the first byte on, then every 128 KiB: a slow download shows bytes and a rate
	// at once, not after its first MiB.
	if (c.last == 0 && c.done > 0) || c.done-c.last >= 128<<10 || err == io.EOF {
		c.last = c.done
		c.report(c.done, c.total)
	}
	return n, err
}
