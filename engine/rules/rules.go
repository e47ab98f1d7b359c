// Package rules owns user intent rules as sandboxed WebAssembly modules (SPEC §7): finding
// the *.wasm files of the rule directories, reading their trigger words without compiling
// them, compiling through wazero's on-disk compilation cache, instantiating with no
// filesystem, network, environment, clock or randomness, and calling them under a time
// limit, a memory cap and an output cap. A module only proposes an intent; the engine ranks
// the proposals (Rank) and the policy decides. A faulty module is skipped with a warning.
package rules

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/internal/private"
)

// Limits bound every module (SPEC §7). Zero fields take the defaults.
type Limits struct {
	// Timeout bounds each call and each instantiation (default 100 ms).
	Timeout time.Duration
	// MemoryBytes caps a module's linear memory (default 64 MiB).
	MemoryBytes uint64
	// OutputBytes caps a result (default 64 KiB).
	OutputBytes uint32
	// MaxModuleBytes refuses larger files before reading them (default 16 MiB).
	MaxModuleBytes int64
}

// DefaultLimits are SPEC §7's defaults.
func DefaultLimits() Limits {
	return Limits{Timeout: 100 * time.Millisecond, MemoryBytes: 64 << 20, OutputBytes: 64 << 10, MaxModuleBytes: 16 << 20}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.OutputBytes == 0 {
		l.OutputBytes = d.OutputBytes
	}
	if l.MaxModuleBytes <= 0 {
		l.MaxModuleBytes = d.MaxModuleBytes
	}
	return l
}

// Cache keeps module hashes and results between runs (the engine's otter cache).
type Cache interface {
	Get(key, stamp string) ([]byte, bool)
	Put(key, stamp string, value []byte)
}

// Options configure a Host.
type Options struct {
	// Dirs are searched in order (system, user, --rules-dir). A module whose name (file
	// stem) an earlier directory already has is skipped, so a user cannot pass their
	// module off as the administrator's.
	Dirs []string
	// CompileCacheDir keeps compiled modules ($XDG_CACHE_HOME/ask-nix/wasm); "" = in memory.
	CompileCacheDir string
	Limits          Limits
	// Cache keeps results per (module hash, normalised text); nil = none.
	Cache Cache
	// Stamp fingerprints a file for Cache (cache.Stamp).
	Stamp  func(paths ...string) string
	Debugf func(format string, args ...any)
}

// Module is one rule module file.
type Module struct {
	Name     string   `json:"name"`
	Path     string   `json:"path"`
	Size     int64    `json:"sizeBytes"`
	Triggers []string `json:"triggers"`
	// Status is "ok", "not loaded" (rules list loads every module), or the reason it is skipped.
	Status   string        `json:"status"`
	Exports  []string      `json:"exports,omitempty"`
	LoadTime time.Duration `json:"loadNanos"`

	scanErr  error
	hash     string
	compiled wazero.CompiledModule
	inst     api.Module
}

// Host loads and calls rule modules. It is not safe for concurrent Propose calls.
type Host struct {
	o       Options
	scanned bool
	modules []*Module
	mu      sync.Mutex // guards rt
	rt      wazero.Runtime
	cacheMu sync.Mutex // modules answer in parallel; the Cache need not be safe for that
}

func (h *Host) cacheGet(key, stamp string) ([]byte, bool) {
	h.cacheMu.Lock()
	defer h.cacheMu.Unlock()
	return h.o.Cache.Get(key, stamp)
}

func (h *Host) cachePut(key, stamp string, v []byte) {
	h.cacheMu.Lock()
	defer h.cacheMu.Unlock()
	h.o.Cache.Put(key, stamp, v)
}

// New returns a host; it touches no file until a request needs the modules.
func New(o Options) *Host {
	o.Limits = o.Limits.withDefaults()
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	return &Host{o: o}
}

// Close releases the runtime and its modules.
func (h *Host) Close(ctx context.Context) error {
	if h == nil || h.rt == nil {
		return nil
	}
	return h.rt.Close(ctx)
}

// scan lists the modules of the rule directories and reads their triggers.
func (h *Host) scan() []*Module {
	if h.scanned {
		return h.modules
	}
	h.scanned = true
	seen := map[string]string{}
	for _, dir := range h.o.Dirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				h.o.Debugf("rule directory %s: %v", dir, err)
			}
			continue
		}
		for _, ent := range ents {
			if ent.IsDir() || !strings.HasSuffix(ent.Name(), ".wasm") {
				continue
			}
			m := scanModule(filepath.Join(dir, ent.Name()), h.o.Limits)
			if first, dup := seen[m.Name]; dup {
				m.scanErr = fmt.Errorf("skipped: %s already provides rule %q", first, m.Name)
				m.Status = m.scanErr.Error()
				h.o.Debugf("rule module %s %v", m.Path, m.scanErr)
				h.modules = append(h.modules, m)
				continue
			}
			seen[m.Name] = m.Path
			h.modules = append(h.modules, m)
		}
	}
	return h.modules
}

func scanModule(path string, l Limits) *Module {
	m := &Module{Name: strings.TrimSuffix(filepath.Base(path), ".wasm"), Path: path, Status: "not loaded"}
	f, err := openModule(path)
	if err != nil {
		m.scanErr = err
	} else {
		defer f.Close()
		st, err := f.Stat()
		switch {
		case err != nil:
			m.scanErr = err
		case !st.Mode().IsRegular():
			m.scanErr = errors.New("not a regular file")
		case st.Size() > l.MaxModuleBytes:
			m.Size = st.Size()
			m.scanErr = fmt.Errorf("%d bytes is more than the %d-byte limit", st.Size(), l.MaxModuleBytes)
		default:
			m.Size = st.Size()
			m.Triggers, m.scanErr = ReadTriggers(f, st.Size())
		}
	}
	if m.scanErr != nil {
		m.Status = m.scanErr.Error()
	}
	return m
}

// wants reports whether m is called for tokens: it has no triggers or one of them is a token.
func (m *Module) wants(tokens []string) bool {
	if m.Triggers == nil {
		return true
	}
	for _, t := range tokens {
		if slices.Contains(m.Triggers, t) {
			return true
		}
	}
	return false
}

// Outcome is what one module made of a request.
type Outcome struct {
	Module   string
	Proposal *intent.Intent // nil: no match or fault
	Err      error          // a fault: the module is skipped for the request
	Cached   bool
	Elapsed  time.Duration
}

// Propose asks every module that wants the request, in parallel, and returns their
// outcomes in directory order.
func (h *Host) Propose(ctx context.Context, in intent.Input) []Outcome {
	var todo []*Module
	for _, m := range h.scan() {
		if m.wants(in.Tokens) {
			todo = append(todo, m)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	body, _ := json.Marshal(in)
	out := make([]Outcome, len(todo))
	var wg sync.WaitGroup
	for i, m := range todo {
		wg.Go(func() {
			t := time.Now()
			p, cached, err := h.propose(ctx, m, in.Normalized, body)
			out[i] = Outcome{Module: m.Name, Proposal: p, Err: err, Cached: cached, Elapsed: time.Since(t)}
		})
	}
	wg.Wait()
	return out
}

// Warning is the one line a faulty module earns.
func (o Outcome) Warning() string {
	return fmt.Sprintf("rule module %s skipped: %v", o.Module, o.Err)
}

func (h *Host) propose(ctx context.Context, m *Module, normalized string, input []byte) (*intent.Intent, bool, error) {
	if m.scanErr != nil {
		return nil, false, m.scanErr
	}
	key := ""
	if h.o.Cache != nil && h.o.Stamp != nil {
		if hash := h.hashOf(m); hash != "" {
			key = "wasm-result\x00" + hash + "\x00" + normalized
			if b, ok := h.cacheGet(key, ""); ok {
				p, err := decodeCached(b, m.Name)
				if err == nil {
					return p, true, nil
				}
			}
		}
	}
	res, err := h.call(ctx, m, input)
	if err != nil {
		return nil, false, err
	}
	var p *intent.Intent
	if len(res) > 0 {
		in, err := ParseProposal(res, "wasm:"+m.Name)
		switch {
		case errors.Is(err, errNoMatch):
			res = nil
		case err != nil:
			return nil, false, err
		default:
			p = &in
		}
	}
	if key != "" {
		h.cachePut(key, "", append([]byte{'r'}, res...))
	}
	return p, false, nil
}

func decodeCached(b []byte, name string) (*intent.Intent, error) {
	if len(b) == 0 || b[0] != 'r' {
		return nil, errors.New("bad cache entry")
	}
	if len(b) == 1 {
		return nil, nil
	}
	in, err := ParseProposal(b[1:], "wasm:"+name)
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// hashOf is the module file's SHA-256, remembered in the cache while the file's stamp holds.
func (h *Host) hashOf(m *Module) string {
	if m.hash != "" {
		return m.hash
	}
	stamp := h.o.Stamp(m.Path)
	key := "wasm-hash\x00" + m.Path
	if b, ok := h.cacheGet(key, stamp); ok && len(b) == 64 {
		m.hash = string(b)
		return m.hash
	}
	b, err := readModule(m.Path, h.o.Limits.MaxModuleBytes)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	m.hash = hex.EncodeToString(sum[:])
	h.cachePut(key, stamp, []byte(m.hash))
	return m.hash
}

// runtime creates the wazero runtime on first use: compiled code, memory cap, calls that
// end when their context does, WASI with wazero's deterministic clock and randomness.
func (h *Host) runtime(ctx context.Context) (wazero.Runtime, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rt != nil {
		return h.rt, nil
	}
	cfg := wazero.NewRuntimeConfig().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(uint32(min(h.o.Limits.MemoryBytes/65536, 65536)))
	if h.o.CompileCacheDir != "" {
		// Compiled machine code runs in this process: only from a directory no other user
		// can write (wazero checks a cached file by the module's SHA-256 and a CRC only).
		if err := private.MkdirAll(h.o.CompileCacheDir); err == nil {
			if cc, err := wazero.NewCompilationCacheWithDir(h.o.CompileCacheDir); err == nil {
				cfg = cfg.WithCompilationCache(cc)
			} else {
				h.o.Debugf("wasm compilation cache %s: %v", h.o.CompileCacheDir, err)
			}
		} else {
			h.o.Debugf("wasm compilation cache %s: %v", h.o.CompileCacheDir, err)
		}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("wasi: %w", err)
	}
	h.rt = rt
	return rt, nil
}

// load compiles and instantiates m, once per process (again after a fault closed it).
func (h *Host) load(ctx context.Context, m *Module) error {
	if m.inst != nil && !m.inst.IsClosed() {
		return nil
	}
	t := time.Now()
	rt, err := h.runtime(ctx)
	if err != nil {
		return err
	}
	if m.compiled == nil {
		b, err := readModule(m.Path, h.o.Limits.MaxModuleBytes)
		if err != nil {
			return err
		}
		if m.hash == "" {
			sum := sha256.Sum256(b)
			m.hash = hex.EncodeToString(sum[:])
		}
		if b, err = CapTables(b); err != nil {
			return fmt.Errorf("invalid module: %w", err)
		}
		c, err := rt.CompileModule(ctx, b)
		if err != nil {
			return fmt.Errorf("invalid module: %w", oneLine(err))
		}
		if err := checkABI(c); err != nil {
			c.Close(ctx)
			return err
		}
		m.compiled = c
		m.Exports = slices.Sorted(maps.Keys(c.ExportedFunctions()))
	}
	cctx, cancel := context.WithTimeout(ctx, h.o.Limits.Timeout)
	defer cancel()
	inst, err := rt.InstantiateModule(withMemory(cctx, h.o.Limits.MemoryBytes), m.compiled, wazero.NewModuleConfig().
		WithName("").WithStartFunctions("_initialize"))
	if err != nil {
		if cctx.Err() != nil {
			return fmt.Errorf("start-up took more than %s", h.o.Limits.Timeout)
		}
		return fmt.Errorf("cannot instantiate: %w", oneLine(err))
	}
	m.inst = inst
	m.LoadTime = time.Since(t)
	return nil
}

// checkABI refuses a module that lacks SPEC §7's exports or imports anything but WASI.
func checkABI(c wazero.CompiledModule) error {
	for _, f := range c.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != wasi_snapshot_preview1.ModuleName {
			return fmt.Errorf("imports %s.%s, which the host does not give (only %s)", truncate(mod), truncate(name), wasi_snapshot_preview1.ModuleName)
		}
	}
	if len(c.ImportedMemories()) > 0 {
		return errors.New("imports a memory; a rule module must export its own")
	}
	fns := c.ExportedFunctions()
	want := map[string][2]int{"asknix_alloc": {1, 1}, "asknix_match": {2, 1}}
	for _, name := range []string{"asknix_alloc", "asknix_match"} {
		f, ok := fns[name]
		if !ok {
			return fmt.Errorf("does not export %s", name)
		}
		if len(f.ParamTypes()) != want[name][0] || len(f.ResultTypes()) != want[name][1] {
			return fmt.Errorf("%s has the wrong signature", name)
		}
	}
	if _, ok := c.ExportedMemories()["memory"]; !ok {
		return errors.New("does not export memory")
	}
	return nil
}

// call runs asknix_alloc and asknix_match under the time limit and returns the result bytes.
func (h *Host) call(ctx context.Context, m *Module, input []byte) ([]byte, error) {
	if err := h.load(ctx, m); err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, h.o.Limits.Timeout)
	defer cancel()
	res, err := h.callLoaded(cctx, m, input)
	if err != nil {
		if cctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("took more than %s", h.o.Limits.Timeout)
		} else if mem := m.inst.Memory(); mem != nil && uint64(mem.Size()) >= h.o.Limits.MemoryBytes/16*15 {
			err = fmt.Errorf("%w (memory cap of %d MiB reached)", err, h.o.Limits.MemoryBytes>>20)
		}
		m.inst.Close(ctx)
		m.inst = nil
		return nil, err
	}
	return res, nil
}

func (h *Host) callLoaded(ctx context.Context, m *Module, input []byte) ([]byte, error) {
	mem := m.inst.Memory()
	if mem == nil {
		return nil, errors.New("does not export memory")
	}
	r, err := m.inst.ExportedFunction("asknix_alloc").Call(ctx, uint64(len(input)))
	if err != nil {
		return nil, fmt.Errorf("asknix_alloc: %w", trapError(err))
	}
	ptr := uint32(r[0])
	if !mem.Write(ptr, input) {
		return nil, fmt.Errorf("asknix_alloc returned %#x, outside its memory", ptr)
	}
	r, err = m.inst.ExportedFunction("asknix_match").Call(ctx, uint64(ptr), uint64(len(input)))
	if err != nil {
		return nil, fmt.Errorf("asknix_match: %w", trapError(err))
	}
	rp, rn := uint32(r[0]>>32), uint32(r[0])
	if rn == 0 {
		return nil, nil
	}
	if rn > h.o.Limits.OutputBytes {
		return nil, fmt.Errorf("result of %d bytes is over the %d-byte limit", rn, h.o.Limits.OutputBytes)
	}
	b, ok := mem.Read(rp, rn)
	if !ok {
		return nil, fmt.Errorf("result at %#x (%d bytes) is outside its memory", rp, rn)
	}
	return bytes.Clone(b), nil
}

// trapError shortens wazero's error (which carries a stack trace) to its first line.
func trapError(err error) error {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("exited with code %d", exit.ExitCode())
	}
	return oneLine(err)
}

func oneLine(err error) error {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return errors.New(strings.TrimSpace(s))
}

// List loads every module (rules list): name, size, triggers, exports, load time, status.
func (h *Host) List(ctx context.Context) []Module {
	var out []Module
	for _, m := range h.scan() {
		if m.scanErr == nil {
			if err := h.load(ctx, m); err != nil {
				m.Status = err.Error()
			} else {
				m.Status = "ok"
			}
		}
		c := *m
		c.compiled, c.inst = nil, nil
		if c.Triggers == nil {
			c.Triggers = []string{}
		}
		out = append(out, c)
	}
	return out
}

// TestModule loads the module at path on its own and asks it about text, whatever its
// triggers say (rules test).
func (h *Host) TestModule(ctx context.Context, path, text string) (Outcome, *Module) {
	m := scanModule(path, h.o.Limits)
	in := intent.Normalize(text)
	body, _ := json.Marshal(in)
	t := time.Now()
	var o Outcome
	if m.scanErr != nil {
		o = Outcome{Module: m.Name, Err: m.scanErr}
	} else {
		res, err := h.call(ctx, m, body)
		o = Outcome{Module: m.Name, Err: err}
		if err == nil && len(res) > 0 {
			p, err := ParseProposal(res, "wasm:"+m.Name)
			if err != nil && !errors.Is(err, errNoMatch) {
				o.Err = err
			} else if err == nil {
				o.Proposal = &p
			}
		}
		if o.Err == nil {
			m.Status = "ok"
		} else {
			m.Status = o.Err.Error()
		}
	}
	o.Elapsed = time.Since(t)
	c := *m
	c.compiled, c.inst = nil, nil
	return o, &c
}

// openModule opens a module file without blocking (a FIFO named .wasm must not hang ask-nix)
// and only when it is a regular file.
func openModule(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|private.NonBlock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// readModule reads a module file as openModule opens it, refusing one over max bytes.
func readModule(path string, max int64) ([]byte, error) {
	f, err := openModule(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("more than the %d-byte limit", max)
	}
	return b, nil
}
