package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// parseFull is parse without pruning: kong's model of every command.
func parseFull(args []string) (c *cli, cmd string, code int, err error, out, errOut string) {
	var o, e bytes.Buffer
	c = &cli{}
	kctx, code, err := parseInto(c, args, &o, &e)
	if kctx != nil {
		cmd = kctx.Command()
	} else {
		c = nil
	}
	return c, cmd, code, err, o.String(), e.String()
}

func parsePruned(args []string) (c *cli, cmd string, code int, err error, out, errOut string) {
	var o, e bytes.Buffer
	c, kctx, code, err := parse(args, &o, &e)
	if kctx != nil {
		cmd = kctx.Command()
	}
	return c, cmd, code, err, o.String(), e.String()
}

// comparePrunedWithFull fails t when parse, which shows kong only the command args name,
// reads args differently from kong with the whole model: another struct, command, exit
// code, error or output.
func comparePrunedWithFull(t *testing.T, args []string) {
	t.Helper()
	c1, cmd1, code1, err1, out1, e1 := parsePruned(args)
	c2, cmd2, code2, err2, out2, e2 := parseFull(args)
	if !reflect.DeepEqual(c1, c2) || cmd1 != cmd2 || code1 != code2 || out1 != out2 || e1 != e2 || (err1 == nil) != (err2 == nil) ||
		(err1 != nil && err1.Error() != err2.Error()) {
		t.Fatalf("args %q:\npruned: %+v %q %d %v %q %q\nfull:   %+v %q %d %v %q %q", args, c1, cmd1, code1, err1, out1, e1, c2, cmd2, code2, err2, out2, e2)
	}
}

func TestPrunedParseMatchesFull(t *testing.T) {
	for _, line := range []string{
		"--version", "--version --version", "--json --version --debug", "--version --profile x", "--version --json=true",
		"--version -q", "--quiet --version", "--version generations", "generations --version", "--json --version",
		"generations", "generations --no-sizes --profile user", "--profile system generations --json",
		"--profile=generations generations", "--profile generations", "--config generations info",
		"path-info -S /nix/store/x /nix/store/y", "path-info", "path-info --closure-size -q /x",
		"search firefox", "search -i firefox", "search --limit 3 --options boot", "search --limit x",
		"install firefox", "install", "remove a b", "rollback --to 3", "rollback --to x", "cleanup --keep 2 --older-than 30d",
		"diff 1 2", "diff 1 x", "update --to /nix/store/a", "disk", "info", "config", "verify", "verify /a /b",
		"explain rollback please", "cache stats", "cache clear", "cache", "cache bogus", "errors", "policy test d1 d2",
		"policy eval install firefox", "index update --from f --options", "rules list", "rules test m.wasm hello there",
		"help", "help me", "list my generations", "please -y install firefox", "-- generations", "-- --json",
		"--jsn generations", "generations --bogus", "--bogus", "-x", "-qy generations", "-yq install hello", "-",
		"generations extra", "info extra", "'rm -rf /'", "search", "--policy-dir a --policy-dir b info",
		"--rules-dir r generations", "--debug --show-metrics --no-cache --dry-run --quiet --yes info",
		"generation", "path-infos /x", "Generations", "--profile", "--config",
	} {
		comparePrunedWithFull(t, strings.Fields(line))
	}
}

// FuzzPrunedParse: any command line made of ask-nix's own words (each input byte picks one)
// reads the same with the pruned model as with the whole one.
func FuzzPrunedParse(f *testing.F) {
	words := []string{"generations", "path-info", "search", "install", "info", "cache", "stats", "policy", "eval",
		"rules", "test", "index", "update", "explain", "diff", "rollback", "cleanup", "verify", "help", "ask", "firefox",
		"/nix/store/x", "1", "x", "--", "-", "--json", "--version", "--profile", "--profile=user", "--config", "--policy-dir",
		"--rules-dir", "-S", "-q", "-y", "-qy", "-i", "--limit", "--to", "--keep", "--older-than", "--no-sizes", "--from",
		"--options", "--bogus", "-x", "--closure-size", "--dry-run", "--debug"}
	for _, s := range []string{"\x00\x1a", "\x1b\x01\x15", "\x19\x04", "\x18\x00", "\x02\x26\x14"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 12 {
			return
		}
		args := make([]string, len(b))
		for i, c := range b {
			args[i] = words[int(c)%len(words)]
		}
		comparePrunedWithFull(t, args)
	})
}
