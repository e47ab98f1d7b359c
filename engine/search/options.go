package search

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Options are NixOS options, kept in the same index format as packages: Attr is the option
// name, Pname the module it belongs to (nginx for services.nginx.*), Version its type,
// Category its default as Nix shows it, Family how many options its parent path holds.

// ErrBadInput marks package or option data ask-nix cannot read.
var ErrBadInput = errors.New("unreadable package data")

// UpdateResult is what `index update --json` prints.
type UpdateResult struct {
	Index   Meta    `json:"index"`
	Seconds float64 `json:"seconds"`
}

// OptionResult is one hit of `search --options` (SPEC §5).
type OptionResult struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Description string  `json:"description"`
	Default     string  `json:"default"`
	Score       float64 `json:"score"`
}

// RawOption is one entry of NixOS's options.json.
type RawOption struct {
	Description json.RawMessage `json:"description"`
	Type        string          `json:"type"`
	Default     json.RawMessage `json:"default"`
	Loc         []string        `json:"loc"`
}

// ParseOptions reads NixOS's options.json ({NAME: {description, type, default, loc, …}})
// with encoding/json: the running system's file, indexed once per system version.
// `index update --options` decodes with goccy/go-json instead (engine/search/ingest) and
// shares Options.
func ParseOptions(r io.Reader) ([]Package, error) {
	var raw map[string]RawOption
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	return Options(raw)
}

// Options turns decoded options into index entries, sorted, with their module families.
func Options(raw map[string]RawOption) ([]Package, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: no options", ErrBadInput)
	}
	out := make([]Package, 0, len(raw))
	for name, o := range raw {
		loc := o.Loc
		if len(loc) == 0 {
			loc = strings.Split(name, ".")
		}
		module := loc[len(loc)-1]
		if len(loc) >= 2 && (loc[0] == "services" || loc[0] == "programs" || loc[0] == "virtualisation" || loc[0] == "hardware" || loc[0] == "boot" || loc[0] == "networking" || loc[0] == "security") {
			module = loc[1]
		}
		out = append(out, Package{Attr: name, Pname: module, Version: o.Type, Category: defaultText(o.Default),
			Description: strings.Join(strings.Fields(textOf(o.Description)), " ")})
	}
	slices.SortFunc(out, func(a, b Package) int { return strings.Compare(a.Attr, b.Attr) })
	// Family: how many options the option's parent path holds (services.openssh.enable:
	// every services.openssh.* option). A module people configure has many; a corner of
	// another module (boot.initrd.network.ssh.enable) few.
	count := map[string]int{}
	for _, p := range out {
		parts := strings.Split(p.Attr, ".")
		for k := 1; k < len(parts); k++ {
			count[strings.Join(parts[:k], ".")]++
		}
	}
	for i := range out {
		out[i].Family = min(count[parentPath(out[i].Attr)], 999)
	}
	return out, nil
}

// parentPath is the option's path without its last part: services.openssh for
// services.openssh.enable.
func parentPath(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

// textOf reads a description: a string, or {"_type": "mdDoc", "text": …}.
func textOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Text
	}
	return ""
}

// defaultText is the default as Nix shows it: a literalExpression's text, or the JSON value.
func defaultText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var o struct {
		Type string `json:"_type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &o) == nil && o.Type != "" {
		return o.Text
	}
	return string(raw)
}

// SearchOptions ranks options for query.
func (idx *Index) SearchOptions(query string, limit int) []OptionResult {
	res := idx.search(query, limit, true)
	out := make([]OptionResult, 0, len(res))
	for _, r := range res {
		out = append(out, OptionResult{Name: idx.field(r.i, fAttr), Type: idx.field(r.i, fVersion),
			Description: idx.field(r.i, fDescription), Default: idx.field(r.i, fCategory), Score: r.score})
	}
	return out
}
