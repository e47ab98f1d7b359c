package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"unknown key", "[cache]\nttl = 5\ncolour = true\n", `f.toml:3: unknown key "cache.colour"`},
		{"unknown table", "\n\n[caches]\nttl = 5\n", `f.toml:3: unknown key "caches"`},
		{"unknown top-level key", "ttl = 5\n", `f.toml:1: unknown key "ttl"`},
		{"wrong type", "[rules]\ntimeout_ms = \"fast\"\n", "f.toml:2: rules.timeout_ms must be an integer"},
		{"syntax", "[cache\nttl = 5\n", "f.toml:1:"},
		{"list of wrong type", "[rules]\ndirs = [1]\n", "f.toml:2:"},
	} {
		_, err := Parse("f.toml", []byte(tc.toml))
		if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line containing %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadLayersAndValidates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sys := write("sys.toml", "[cache]\nttl = 60\n[rules]\ntimeout_ms = 50\ndirs = [\"/srv/rules\"]\n[defaults]\nelevation = \"doas\"\nprofile = \"system\"\n")
	usr := write("usr.toml", "[cache]\nttl = 10\n[rules]\ndirs = [\"/home/u/rules\"]\n")
	s, err := Load(sys, usr, filepath.Join(dir, "missing.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.CacheTTL != 10 || s.RuleTimeoutMS != 50 || s.Elevation != "doas" || s.Profile != "system" || s.SearchLimit != 20 {
		t.Errorf("layered: %+v", s)
	}
	if strings.Join(s.RuleDirs, ",") != "/srv/rules,/home/u/rules" || len(s.Files) != 2 {
		t.Errorf("rule dirs %v files %v", s.RuleDirs, s.Files)
	}
	for _, tc := range []struct{ body, want string }{
		{"[defaults]\nelevation = \"su\"\n", "defaults.elevation must be sudo, doas or run0"},
		{"[defaults]\nprofile = \"relative/path\"\n", "defaults.profile must be"},
		{"[rules]\ntimeout_ms = 0\n", "rules.timeout_ms must be between 1 and 60000"},
		{"[rules]\ndirs = [\"rules\"]\n", `rules.dirs "rules" is not an absolute path`},
		{"[cache]\nttl = -1\n", "cache.ttl must be between"},
	} {
		p := write("bad.toml", tc.body)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%q: %v, want %q naming the file", tc.body, err, tc.want)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "d.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "d.toml")); err == nil {
		t.Error("a directory was read as a settings file")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[cache]\nttl = 5\n[rules]\ndirs = [\"/a\"]\n"))
	f.Add([]byte("[defaults]\nprofile = 'system'\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := Parse("f.toml", b)
		if err != nil && (!errors.Is(err, ErrConfig) || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("error %q is not one ErrConfig line", err)
		}
	})
}

func TestByteOrderMark(t *testing.T) {
	f, err := Parse("config.toml", []byte("\xef\xbb\xbf[cache]\nttl = 60\n"))
	if err != nil {
		t.Fatalf("a BOM: %v", err)
	}
	if f.Cache.TTL == nil || *f.Cache.TTL != 60 {
		t.Errorf("parsed %+v", f)
	}
}
