package nixstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/nix-community/go-nix/pkg/nixhash"
	"github.com/nix-community/go-nix/pkg/sqlite/nix_v10"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// KnownSchema is the only store database schema version ask-nix reads natively.
const KnownSchema = "10"

// Native reads the store database directly, read-only.
type Native struct {
	cfg  Config
	db   *sql.DB
	q    *nix_v10.Queries
	mode string
}

var _ Backend = (*Native)(nil)

// OpenNative opens the store database read-only. It first asks SQLite for a normal
// read-only connection; when that fails (a WAL database whose -shm file the caller cannot
// create, as for a non-root user, nix#10300) and no -wal file holds unmerged pages, it opens
// the file as immutable, which is exact in that case. Mode tells which one was used.
func OpenNative(ctx context.Context, cfg Config) (*Native, error) {
	dbPath := cfg.DBPath()
	st, err := os.Stat(dbPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNoDatabase, dbPath)
		}
		return nil, fmt.Errorf("store database: %w", err)
	}
	// A FIFO would hang SQLite and Nix; an empty file is no store (and Nix, as root, would
	// write its tables into it): neither is read, natively or through the nix CLI.
	switch {
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrBadDatabase, dbPath)
	case st.Size() == 0:
		return nil, fmt.Errorf("%w: %s is empty", ErrBadDatabase, dbPath)
	}
	if b, err := readSmall(cfg.SchemaPath()); err == nil {
		if v := strings.TrimSpace(string(b)); v != KnownSchema {
			return nil, fmt.Errorf("%w: version %q in %s (ask-nix reads version %s)", ErrUnknownSchema, v, cfg.SchemaPath(), KnownSchema)
		}
	}
	n, firstErr := openMode(ctx, cfg, "ro")
	if firstErr == nil {
		return n, nil
	}
	if walHasPages(dbPath) {
		return nil, fmt.Errorf("open %s read-only: %w", dbPath, firstErr)
	}
	n, err = openMode(ctx, cfg, "immutable")
	if err != nil {
		if errors.Is(err, ErrUnknownSchema) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s read-only: %w (and as immutable: %v)", dbPath, firstErr, err)
	}
	return n, nil
}

// walHasPages reports whether the -wal file beside db exists and is not empty, or cannot be
// examined. Only without such pages is an immutable open exact.
func walHasPages(db string) bool {
	st, err := os.Stat(db + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	return err != nil || st.Size() > 0
}

func openMode(ctx context.Context, cfg Config, mode string) (*Native, error) {
	q := url.Values{}
	switch mode {
	case "ro":
		q.Set("mode", "ro")
	case "immutable":
		q.Set("mode", "ro")
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "busy_timeout(3000)")
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", mmapSize))
	u := url.URL{Scheme: "file", Path: cfg.DBPath(), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", "file://"+u.EscapedPath()+"?"+u.RawQuery)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := checkSchema(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return &Native{cfg: cfg, db: db, q: nix_v10.New(db), mode: mode}, nil
}

// checkSchema makes sure the tables and columns ask-nix reads are there: one statement
// naming all of them, which SQLite refuses to prepare if one is missing ("no such
// column"). It is also the first read, so it is where a database that cannot be read fails.
func checkSchema(ctx context.Context, db *sql.DB) (err error) {
	defer guard()(&err)
	const q = `SELECT v.id, v.path, v.hash, v.registrationTime, v.deriver, v.narSize, v.ultimate, v.sigs, v.ca,
  r.referrer, r.reference FROM ValidPaths v, Refs r LIMIT 0`
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		if m := err.Error(); strings.Contains(m, "no such column") || strings.Contains(m, "no such table") {
			return fmt.Errorf("%w: %v", ErrUnknownSchema, err)
		}
		return err
	}
	rows.Close()
	return rows.Err()
}

// Name implements Backend.
func (n *Native) Name() string { return "native" }

func (n *Native) config() Config { return n.cfg }

// Mode is "ro" or "immutable": how the database was opened.
func (n *Native) Mode() string { return n.mode }

// Close implements Backend.
func (n *Native) Close() error { return n.db.Close() }

// ResolveStorePath follows p (a link into the store, a store path or a path inside one)
// to its store path, as Nix's followLinksToStorePath does.
func ResolveStorePath(cfg Config, p string) (string, error) {
	if !filepath.IsAbs(p) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		p = abs
	}
	p = filepath.Clean(p)
	for range 40 {
		if sp, ok := cfg.ToStorePath(p); ok {
			return sp, nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", fmt.Errorf("%w: %s", ErrInvalidPath, p)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = filepath.Clean(target)
	}
	return "", fmt.Errorf("%w: %s: too many levels of links", ErrInvalidPath, p)
}

func resolveAll(cfg Config, paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		sp, err := ResolveStorePath(cfg, p)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// PathInfo implements Backend.
func (n *Native) PathInfo(ctx context.Context, paths []string, withClosureSize bool) (_ []PathInfo, err error) {
	defer guard()(&err)
	sps, err := resolveAll(n.cfg, paths)
	if err != nil {
		return nil, err
	}
	out := make([]PathInfo, 0, len(sps))
	for _, sp := range sps {
		row, refs, err := n.lookup(ctx, sp)
		if err != nil {
			return nil, err
		}
		if refs == nil {
			refs = []string{}
		}
		pi := PathInfo{
			Path:             sp,
			NarHash:          sriHash(row.Hash),
			NarSize:          uint64(max(row.Narsize.Int64, 0)),
			References:       refs,
			CA:               row.Ca.String,
			Deriver:          row.Deriver.String,
			RegistrationTime: row.Registrationtime,
			Ultimate:         row.Ultimate.Valid && row.Ultimate.Int64 != 0,
		}
		if s := strings.Fields(row.Sigs.String); len(s) > 0 {
			pi.Signatures = s
		}
		out = append(out, pi)
	}
	if withClosureSize && len(out) == 1 {
		c, _, err := n.ClosureSize(ctx, out[0].Path)
		if err != nil {
			return nil, err
		}
		out[0].ClosureSize = c.NarSize
	} else if withClosureSize && len(out) > 1 {
		cl, err := n.ClosureSizes(ctx, sps)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].ClosureSize = cl[out[i].Path].NarSize
		}
	}
	return out, nil
}

// DerivationOutputs implements Backend with go-nix's nix_v10 queries.
func (n *Native) DerivationOutputs(ctx context.Context, drv string) (_ []string, err error) {
	defer guard()(&err)
	row, err := n.q.QueryPathInfo(ctx, drv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("path '%s' is not valid: %w", drv, ErrInvalidPath)
	}
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", drv, err)
	}
	outs, err := n.q.QueryDerivationOutputs(ctx, row.ID)
	if err != nil {
		return nil, fmt.Errorf("query outputs of %s: %w", drv, err)
	}
	out := make([]string, 0, len(outs))
	for _, o := range outs {
		out = append(out, o.Path)
	}
	slices.Sort(out)
	return out, nil
}

func isDrv(storePath string) bool { return strings.HasSuffix(storePath, ".drv") }

// sriHash turns the database's "sha256:<base16 or base32>" into Nix 2.8's SRI form.
func sriHash(h string) string {
	parsed, err := nixhash.ParseAny(h, nil)
	if err != nil {
		return h
	}
	return parsed.Hash.Format(nixhash.SRI, true)
}

// ClosureSizes implements Backend. It loads the union of all closures with one recursive
// query, then walks each root's closure in memory, so shared paths are read once.
func (n *Native) ClosureSizes(ctx context.Context, storePaths []string) (_ map[string]Closure, err error) {
	defer guard()(&err)
	out := map[string]Closure{}
	if len(storePaths) == 0 {
		return out, nil
	}
	roots := slices.Clone(storePaths)
	slices.Sort(roots)
	roots = slices.Compact(roots)
	g, err := n.loadGraph(ctx, roots)
	if err != nil {
		return nil, err
	}
	for _, r := range roots {
		if c, ok := g.closure(r); ok {
			out[r] = c
		}
	}
	return out, nil
}

// ClosureSize is the closure of one store path, in one query.
func (n *Native) ClosureSize(ctx context.Context, storePath string) (_ Closure, _ bool, err error) {
	defer guard()(&err)
	const q = `WITH RECURSIVE c(id) AS (
  SELECT id FROM ValidPaths WHERE path = ?
  UNION SELECT reference FROM Refs JOIN c ON referrer = c.id)
SELECT count(*), coalesce(sum(narSize), 0) FROM ValidPaths JOIN c USING(id)`
	var c Closure
	var size int64
	if err := n.db.QueryRowContext(ctx, q, storePath).Scan(&c.Paths, &size); err != nil {
		return c, false, fmt.Errorf("closure of %s: %w", storePath, err)
	}
	c.NarSize = uint64(size)
	return c, c.Paths > 0, nil
}

// Closure implements Backend with one recursive query.
func (n *Native) Closure(ctx context.Context, storePath string) (_ []string, err error) {
	defer guard()(&err)
	const q = `WITH RECURSIVE c(id) AS (
  SELECT id FROM ValidPaths WHERE path = ?
  UNION SELECT reference FROM Refs JOIN c ON referrer = c.id)
SELECT path FROM ValidPaths JOIN c USING(id) ORDER BY path`
	out, err := n.paths(ctx, q, storePath)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("path '%s' is not valid: %w", storePath, ErrInvalidPath)
	}
	return out, nil
}

// References implements Backend with go-nix's nix_v10 queries.
func (n *Native) References(ctx context.Context, storePath string) (_ []string, err error) {
	defer guard()(&err)
	_, refs, err := n.lookup(ctx, storePath)
	return refs, err
}

// lookup reads a valid path's row and its sorted references (go-nix's nix_v10 queries).
func (n *Native) lookup(ctx context.Context, storePath string) (nix_v10.QueryPathInfoRow, []string, error) {
	row, err := n.q.QueryPathInfo(ctx, storePath)
	if errors.Is(err, sql.ErrNoRows) {
		return row, nil, fmt.Errorf("path '%s' is not valid: %w", storePath, ErrInvalidPath)
	}
	if err != nil {
		return row, nil, fmt.Errorf("query %s: %w", storePath, err)
	}
	refs, err := n.q.QueryReferences(ctx, row.ID)
	if err != nil {
		return row, nil, fmt.Errorf("query references of %s: %w", storePath, err)
	}
	slices.Sort(refs)
	return row, refs, nil
}

// Generations implements Backend: the links are read directly, with no profile lock.
func (n *Native) Generations(_ context.Context, profile string) (Profile, error) {
	return ReadProfile(profile)
}

// Stats implements Backend.
func (n *Native) Stats(ctx context.Context) (_ StoreStats, err error) {
	defer guard()(&err)
	var s StoreStats
	var size int64
	if err := n.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(narSize), 0) FROM ValidPaths`).Scan(&s.Paths, &size); err != nil {
		return s, fmt.Errorf("count store paths: %w", err)
	}
	s.NarBytes = uint64(size)
	return s, nil
}

// DeadBytes sums the NAR sizes of valid paths that no root's closure reaches: what a
// garbage collection would delete. As with Nix's default keep-derivations = true, the
// deriver of a live path is live too.
func (n *Native) DeadBytes(ctx context.Context, roots []string) (paths int, bytes uint64, err error) {
	defer guard()(&err)
	const q = `WITH RECURSIVE c(id) AS (
  SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))
  UNION SELECT reference FROM Refs JOIN c ON referrer = c.id
  UNION SELECT d.id FROM c JOIN ValidPaths v ON v.id = c.id JOIN ValidPaths d ON d.path = v.deriver)
SELECT count(*), coalesce(sum(narSize), 0) FROM ValidPaths WHERE id NOT IN (SELECT id FROM c)`
	var size int64
	if err := n.db.QueryRowContext(ctx, q, jsonStrings(roots)).Scan(&paths, &size); err != nil {
		return 0, 0, fmt.Errorf("dead paths: %w", err)
	}
	return paths, uint64(size), nil
}

// DeadPaths lists what DeadBytes counts, sorted.
func (n *Native) DeadPaths(ctx context.Context, roots []string) (_ []string, err error) {
	defer guard()(&err)
	const q = `WITH RECURSIVE c(id) AS (
  SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))
  UNION SELECT reference FROM Refs JOIN c ON referrer = c.id
  UNION SELECT d.id FROM c JOIN ValidPaths v ON v.id = c.id JOIN ValidPaths d ON d.path = v.deriver)
SELECT path FROM ValidPaths WHERE id NOT IN (SELECT id FROM c) ORDER BY path`
	out, err := n.paths(ctx, q, jsonStrings(roots))
	if err != nil {
		return nil, fmt.Errorf("dead paths: %w", err)
	}
	return out, nil
}

// paths runs a query whose rows are one store path each.
func (n *Native) paths(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := n.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// readSmall reads a small file (the schema version) without blocking on a FIFO.
func readSmall(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, 4096))
}
