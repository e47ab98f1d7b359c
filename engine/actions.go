package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/asknix/ask-nix/engine/intent"
	"github.com/asknix/ask-nix/engine/policy"
	"github.com/asknix/ask-nix/engine/rules"
	"github.com/asknix/ask-nix/engine/search"
	"github.com/asknix/ask-nix/nixstore"
)

// GenerationsResult is `generations --json`.
type GenerationsResult = nixstore.Profile

// OptionsSearchResult is `search --options --json` (SPEC §5).
type OptionsSearchResult struct {
	Query   string                `json:"query"`
	Index   search.Meta           `json:"index"`
	Results []search.OptionResult `json:"results"`
}

// SearchResult is `search --json` (SPEC §5).
type SearchResult struct {
	Query   string          `json:"query"`
	Index   search.Meta     `json:"index"`
	Results []search.Result `json:"results"`
}

// CacheClearResult is `cache clear --json`.
type CacheClearResult struct {
	Cleared bool   `json:"cleared"`
	Path    string `json:"path"`
}

// Suggestions is the result of a request that was not understood.
type Suggestions struct {
	Understood  string   `json:"understood"`
	Suggestions []string `json:"suggestions"`
}

func (e *Engine) execute(ctx context.Context, env *Envelope, req Request) (any, error) {
	in := env.Intent
	switch in.Action {
	case "generations":
		return e.generations(ctx, env, in)
	case "path-info":
		return e.pathInfo(ctx, env, in)
	case "info":
		out := &InfoResult{}
		return e.cached(env, "info", e.infoDeps(), out, func() (any, error) { return e.info(ctx) })
	case "disk":
		out := &DiskResult{}
		deps := append(e.storeDeps(), filepath.Join(e.o.Host.Store.StateDir, "gcroots"), filepath.Join(e.o.Host.Store.StateDir, "gcroots", "auto"))
		return e.cached(env, "disk", deps, out, func() (any, error) { return e.disk(ctx) })
	case "config":
		return e.config()
	case "help":
		return Help(), nil
	case "search":
		return e.search(in)
	case "cache-stats":
		return e.cache.Stats(), nil
	case "cache-clear":
		if err := e.cache.Clear(); err != nil {
			return nil, err
		}
		return CacheClearResult{Cleared: true, Path: e.cache.Dir()}, nil
	case "errors":
		return e.readErrors()
	case "installed":
		return e.installed(ctx, env, in)
	case "rollback":
		return e.rollback(ctx, env, in)
	case "cleanup":
		return e.cleanup(ctx, env, in)
	case "install", "remove":
		return e.changePackage(ctx, env, in)
	case "diff":
		return e.diff(ctx, env, in)
	case "update":
		return e.update(ctx, env, in)
	case "index-update":
		from := str(in.Args["source"])
		opts, _ := in.Args["options"].(bool)
		if from == "" {
			from = e.channelSource(opts)
		}
		if from == "" {
			var why string
			from, why = e.releaseSource(opts)
			if from == "" {
				return nil, fmt.Errorf("%w: no channel found (in /root/.nix-channels or ~/.nix-channels) and %s: use index update --from FILE or --from URL (a packages.json.br)", ErrInvalidArgument, why)
			}
			e.o.Debugf("index source: the release of this system's nixpkgs, %s", from)
		}
		paths := e.o.IndexPaths
		if opts {
			paths = e.o.OptionsPaths
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("%w: no place for the user's index (set HOME or XDG_DATA_HOME)", ErrInvalidArgument)
		}
		res, err := e.updateIndex(ctx, from, paths[0], opts)
		if err != nil {
			return nil, err
		}
		return res, nil
	case "policy-compile":
		path, err := policy.CompileShared(ctx, e.o.Policy, str(in.Args["out"]))
		if err != nil {
			return nil, err
		}
		return PolicyCompileResult{Path: path}, nil
	case "policy-test":
		rep, err := policy.Test(ctx, e.o.Policy, strList(in.Args["dirs"]))
		if err != nil {
			return nil, err
		}
		if rep.Failed > 0 {
			env.Result = rep
			return rep, fmt.Errorf("%w: %d of %d", ErrTestsFailed, rep.Failed, rep.Failed+rep.Passed)
		}
		return rep, nil
	case "verify":
		return e.verify(ctx, env, strList(in.Args["paths"]))
	case "rules-list":
		return e.rules.List(ctx), nil
	case "rules-test":
		return e.rulesTest(ctx, env, str(in.Args["module"]), str(in.Args["text"]))
	}
	return nil, fmt.Errorf("%w: %s", ErrNotImplemented, in.Action)
}

// RulesTestResult is `rules test`: what the module proposed and what the policy would
// decide about that proposal.
type RulesTestResult struct {
	Module       rules.Module     `json:"module"`
	Proposal     *intent.Intent   `json:"proposal"`
	Decision     *policy.Decision `json:"decision,omitempty"`
	Error        string           `json:"error,omitempty"`
	ElapsedNanos time.Duration    `json:"elapsedNanos"`
}

// ErrRuleFault is a rule module that failed under `rules test` (exit 1).
var ErrRuleFault = errors.New("rule module failed")

func (e *Engine) rulesTest(ctx context.Context, env *Envelope, module, text string) (any, error) {
	o, m := e.rules.TestModule(ctx, module, text)
	res := RulesTestResult{Module: *m, Proposal: o.Proposal, ElapsedNanos: o.Elapsed}
	if o.Err != nil {
		res.Error = o.Err.Error()
		env.Result = res
		return res, fmt.Errorf("%w: %s", ErrRuleFault, o.Warning())
	}
	if o.Proposal != nil {
		probe := &Envelope{Request: RequestDoc{Text: text}, Intent: *o.Proposal}
		probe.Plan = e.plan(probe.Intent)
		d, err := e.policy.Decide(ctx, e.PolicyInput(probe))
		if err != nil {
			return nil, err
		}
		res.Decision = &d
	}
	return res, nil
}

func (e *Engine) generations(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	profile := e.o.Host.ProfilePath(str(in.Args["profile"]))
	noSizes, _ := in.Args["no_sizes"].(bool)
	key := fmt.Sprintf("generations\x00%s\x00%v", profile, noSizes)
	deps := append(profileDeps(profile), e.storeDeps()...)
	out := &nixstore.Profile{}
	return e.cached(env, key, deps, out, func() (any, error) {
		if noSizes && e.o.Enhanced {
			p, err := nixstore.ReadProfile(profile)
			if err != nil {
				return nil, err
			}
			nixstore.AddNixOSInfo(&p)
			return &p, nil
		}
		b, err := e.store(ctx)
		if err != nil {
			return nil, err
		}
		p, err := b.Generations(ctx, profile)
		if err != nil {
			return nil, err
		}
		nixstore.AddNixOSInfo(&p)
		if !noSizes {
			if err := nixstore.AddClosureSizes(ctx, b, &p); err != nil {
				return nil, err
			}
		}
		return &p, nil
	})
}

// InstalledResult is `installed --json` (SPEC §3).
type InstalledResult struct {
	Profiles []nixstore.InstalledProfile `json:"profiles"`
}

func (e *Engine) installed(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	var profiles []string
	if p := str(in.Args["profile"]); p != "" {
		profiles = []string{e.o.Host.ProfilePath(p)}
	} else {
		for _, p := range []string{e.o.Host.UserProfile(), e.o.Host.SystemProfile()} {
			if fileExists(p) {
				profiles = append(profiles, p)
			}
		}
	}
	pkg := str(in.Args["package"])
	var deps []string
	for _, p := range profiles {
		deps = append(deps, profileDeps(p)...)
	}
	deps = append(deps, e.storeDeps()...)
	out := &InstalledResult{}
	return e.cached(env, "installed\x00"+strings.Join(profiles, "\x00")+"\x00"+pkg, deps, out, func() (any, error) {
		res := &InstalledResult{Profiles: []nixstore.InstalledProfile{}}
		if len(profiles) == 0 {
			return res, nil
		}
		b, err := e.store(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range profiles {
			ip, err := nixstore.Installed(ctx, b, p, pkg)
			if err != nil {
				return nil, err
			}
			res.Profiles = append(res.Profiles, ip)
		}
		return res, nil
	})
}

func (e *Engine) pathInfo(ctx context.Context, env *Envelope, in intent.Intent) (any, error) {
	paths := strList(in.Args["paths"])
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: path-info needs at least one path", ErrInvalidArgument)
	}
	withSize, _ := in.Args["closure_size"].(bool)
	deps := append(e.storeDeps(), paths...)
	out := &[]nixstore.PathInfo{}
	return e.cached(env, "path-info\x00"+argsKey(in.Args), deps, out, func() (any, error) {
		b, err := e.store(ctx)
		if err != nil {
			return nil, err
		}
		sps, err := nixstore.Installables(ctx, b, paths)
		if err != nil {
			return nil, err
		}
		return b.PathInfo(ctx, sps, withSize)
	})
}

func (e *Engine) loadIndex() (*search.Index, error) {
	if e.index != nil {
		return e.index, nil
	}
	idx, err := search.Open(e.o.IndexPaths, e.indexCacheDir())
	if err != nil {
		return nil, err
	}
	e.index = idx
	return idx, nil
}

func (e *Engine) indexCacheDir() string {
	if len(e.o.IndexCacheDirs) > 0 {
		return e.o.IndexCacheDirs[0]
	}
	return ""
}

func (e *Engine) search(in intent.Intent) (any, error) {
	q := strings.TrimSpace(str(in.Args["query"]))
	if q == "" {
		return nil, fmt.Errorf("%w: search needs a query", ErrInvalidArgument)
	}
	limit := 20
	if e.o.SearchLimit > 0 {
		limit = e.o.SearchLimit
	}
	if n, ok := intArg(in.Args["limit"]); ok && n > 0 {
		limit = n
	}
	if opts, _ := in.Args["options"].(bool); opts {
		idx, err := search.OpenOptionsFor(e.o.OptionsPaths, e.o.Host.HostPath("/run/current-system/sw/share/doc/nixos/options.json"), e.indexCacheDir())
		if err != nil {
			return nil, err
		}
		return OptionsSearchResult{Query: q, Index: idx.Meta, Results: idx.SearchOptions(q, limit)}, nil
	}
	idx, err := e.loadIndex()
	if err != nil {
		return nil, err
	}
	return SearchResult{Query: q, Index: idx.Meta, Results: idx.Search(q, limit)}, nil
}

// checkPackage looks pkg up in the package index and, when the index does not know it,
// returns a warning with the closest names. The index may lack real attributes (aliases,
// or an old index), so this never stops a request.
func (e *Engine) checkPackage(pkg string) string {
	if pkg == "" {
		return ""
	}
	idx, err := e.loadIndex()
	if err != nil {
		e.o.Debugf("package check skipped: %v", err)
		return ""
	}
	res := idx.Search(pkg, 3)
	var names []string
	for _, r := range res {
		if r.Attr == pkg {
			return ""
		}
		names = append(names, r.Attr)
	}
	if len(names) == 0 {
		return fmt.Sprintf("the package index (%s) has no package %q", idx.Meta.Source, pkg)
	}
	return fmt.Sprintf("the package index (%s) has no package %q; did you mean %s?", idx.Meta.Source, pkg, strings.Join(names, ", "))
}

// channelSource is the package set (or options) the system's channel publishes: the
// channel named nixos, else nixpkgs, else the first, from root's and the user's
// .nix-channels; "" when there is none.
func (e *Engine) channelSource(options bool) string {
	var best string
	rank := 3
	for _, ch := range e.channels(e.o.Now()) {
		if ch.URL == "" {
			continue
		}
		r := 2
		switch ch.Name {
		case "nixos":
			r = 0
		case "nixpkgs":
			r = 1
		}
		if r < rank {
			best, rank = ch.URL, r
		}
	}
	if best == "" {
		return ""
	}
	file := "/packages.json.br"
	if options {
		file = "/options.json.br"
	}
	return strings.TrimRight(best, "/") + file
}

// releaseVersion matches a NixOS version built from a channel release:
// 24.05.7376.b134951a4c9f (stable) or 25.11pre891234.0123456789ab (unstable). A flake
// build's version carries a date instead of the release's commit count
// (25.05.20250514.abc1234), which names no release.
var releaseVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9]{2}\.[0-9]{2})(pre)?(\.|)([0-9]{1,7})\.([0-9a-f]{7,40})$`)
})

// ReleaseURL is where releases.nixos.org keeps the package set of the NixOS release a
// system version was built from, or "" when the version names no release.
func ReleaseURL(version string, options bool) string {
	m := releaseVersion().FindStringSubmatch(strings.TrimSpace(version))
	if m == nil || m[2] == "" && m[3] != "." || m[2] != "" && m[3] != "" {
		return ""
	}
	dir := m[1]
	if m[2] != "" {
		dir = "unstable"
	}
	file := "packages.json.br"
	if options {
		file = "options.json.br"
	}
	return fmt.Sprintf("https://releases.nixos.org/nixos/%s/nixos-%s/%s", dir, strings.TrimSpace(version), file)
}

// releaseSource is the release matching the running system's nixpkgs (SPEC §5), from its
// nixos-version; why says why there is none.
func (e *Engine) releaseSource(options bool) (url, why string) {
	if !e.o.Host.IsNixOS() {
		return "", "this is not NixOS (no release to match)"
	}
	b, err := os.ReadFile(filepath.Join(e.o.Host.HostPath("/run/current-system"), "nixos-version"))
	if err != nil {
		return "", "the running system has no nixos-version"
	}
	v := strings.TrimSpace(string(b))
	if u := ReleaseURL(v, options); u != "" {
		return u, ""
	}
	return "", fmt.Sprintf("this system's version %s names no release (a flake build dates its nixpkgs instead)", v)
}

// IndexAgeWarning returns a warning when the index that answered is older than
// Options.IndexWarnDays.
func (e *Engine) IndexAgeWarning() string {
	if e.index == nil || e.index.Meta.Date.IsZero() || e.o.IndexWarnDays <= 0 {
		return ""
	}
	age := e.o.Now().Sub(e.index.Meta.Date)
	if days := int(age.Hours() / 24); days > e.o.IndexWarnDays {
		return fmt.Sprintf("the package index (%s) is %d days old; run 'ask-nix index update' to refresh it", e.index.Meta.Source, days)
	}
	return ""
}

// PolicyCompileResult is what `policy compile` wrote.
type PolicyCompileResult struct {
	Path string `json:"path"`
}

// suggestions answers a request that was not understood with the closest commands.
func suggestions(text string, in intent.Intent) Suggestions {
	s := Suggestions{Understood: "nothing I can act on", Suggestions: []string{}}
	if in.Action != "unknown" && in.Action != "" {
		s.Understood = fmt.Sprintf("maybe %q, but not sure enough to act", in.Action)
	}
	words := intent.Normalize(text).Tokens
	seen := map[string]bool{}
	for _, h := range Help().Actions {
		for _, w := range words {
			if stopWords[w] {
				continue // "what is the weather" is not about the disk
			}
			if len(w) >= 3 && (strings.Contains(h.Action, w) || strings.Contains(strings.ToLower(h.Summary), " "+w)) && !seen[h.Action] {
				seen[h.Action] = true
				s.Suggestions = append(s.Suggestions, h.Examples[0])
			}
		}
	}
	if in.Action != "unknown" && !seen[in.Action] {
		for _, h := range Help().Actions {
			if h.Action == in.Action {
				s.Suggestions = append([]string{h.Examples[0]}, s.Suggestions...)
			}
		}
	}
	if len(s.Suggestions) == 0 && len(words) > 0 && len(words) <= 3 && looksLikeNames(words) {
		// "firefox", "mpvScripts": a name alone is most likely something to look up.
		s.Suggestions = append(s.Suggestions, "ask-nix search "+strings.Join(strings.Fields(text), " "))
	}
	if len(s.Suggestions) > 5 {
		s.Suggestions = s.Suggestions[:5]
	}
	s.Suggestions = append(s.Suggestions, "ask-nix help")
	return s
}

// stopWords say nothing about which command a request wanted.
var stopWords = map[string]bool{"the": true, "what": true, "what's": true, "how": true, "who": true, "why": true,
	"when": true, "where": true, "which": true, "are": true, "and": true, "for": true, "you": true, "your": true,
	"can": true, "does": true, "this": true, "that": true, "with": true, "about": true, "please": true, "tell": true,
	"show": true, "give": true, "some": true, "any": true, "have": true, "has": true, "was": true, "were": true}

// looksLikeNames reports whether every word could be (part of) a package name.
func looksLikeNames(words []string) bool {
	for _, w := range words {
		if stopWords[w] || w == "a" || w == "an" || w == "is" || w == "me" || w == "my" {
			return false // a sentence, not names
		}
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '+') {
				return false
			}
		}
	}
	return true
}

// IsNotProfile reports whether err means a profile path is not a profile.
func IsNotProfile(err error) bool { return errors.Is(err, nixstore.ErrNotProfile) }

// ErrCorrupt is a store path whose contents no longer match its registered hash (exit 1).
var ErrCorrupt = errors.New("corrupted store paths")

// CorruptError names the corrupted paths and how to repair them.
type CorruptError struct{ Paths []string }

func (e *CorruptError) Error() string {
	if len(e.Paths) == 1 {
		return "1 store path is corrupted: " + e.Paths[0]
	}
	return fmt.Sprintf("%d store paths are corrupted: %s", len(e.Paths), strings.Join(e.Paths, ", "))
}
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Hint is the repair command (SPEC §2: verify proposes nix-store --repair-path).
func (e *CorruptError) Hint() string {
	return "repair with: " + strings.Join(append([]string{"sudo", "nix-store", "--repair-path"}, e.Paths...), " ")
}

// verify recomputes NAR hashes natively (always the native reader: the nix CLI has no
// equivalent that reports the actual hash) for paths, or for the whole store.
func (e *Engine) verify(ctx context.Context, env *Envelope, paths []string) (any, error) {
	b, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	n, ok := b.(*nixstore.Native)
	if !ok {
		if n, err = nixstore.OpenNative(ctx, e.o.Host.Store); err != nil {
			return nil, fmt.Errorf("verify reads the store database natively: %w", err)
		}
		defer n.Close()
	}
	if len(paths) == 0 {
		if paths, err = n.AllPaths(ctx); err != nil {
			return nil, err
		}
	}
	var progress func(done, total int)
	if e.o.ProgressItems != nil {
		progress = func(done, total int) { e.o.ProgressItems(int64(done), int64(total)) }
	}
	res, err := n.Verify(ctx, paths, progress)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, v := range res {
		if !v.OK {
			bad = append(bad, v.Path)
		}
	}
	if len(bad) > 0 {
		env.Result = res
		return res, &CorruptError{Paths: bad}
	}
	return res, nil
}
