package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

// completionCmd prints a shell completion script generated from the command-line model,
// so it always lists the commands and flags this binary has.
type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

type cmdInfo struct {
	path  string   // "cache stats"
	subs  []string // its subcommands
	flags []string // its flags and the global ones, as --name
}

func commandInfos(app *kong.Application) []cmdInfo {
	globals := flagNames(app.Flags)
	var out []cmdInfo
	var walk func(n *kong.Node, path string)
	walk = func(n *kong.Node, path string) {
		flags := append(slices.Clone(globals), flagNames(n.Flags)...)
		slices.Sort(flags)
		info := cmdInfo{path: path, flags: slices.Compact(flags)}
		for _, c := range n.Children {
			if c.Type == kong.CommandNode && !c.Hidden {
				info.subs = append(info.subs, c.Name)
			}
		}
		out = append(out, info)
		for _, c := range n.Children {
			if c.Type == kong.CommandNode && !c.Hidden {
				walk(c, strings.TrimSpace(path+" "+c.Name))
			}
		}
	}
	walk(app.Node, "")
	return out
}

func flagNames(fs []*kong.Flag) []string {
	var out []string
	for _, f := range fs {
		if f.Hidden {
			continue
		}
		out = append(out, "--"+f.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func writeCompletion(w io.Writer, app *kong.Application, shell string) {
	infos := commandInfos(app)
	switch shell {
	case "bash", "zsh":
		if shell == "zsh" {
			fmt.Fprintln(w, "autoload -U +X bashcompinit && bashcompinit")
		}
		fmt.Fprintln(w, "_ask_nix() {")
		fmt.Fprintln(w, `  local cur="${COMP_WORDS[COMP_CWORD]}" path="" i w`)
		fmt.Fprintln(w, `  for ((i = 1; i < COMP_CWORD; i++)); do`)
		fmt.Fprintln(w, `    w="${COMP_WORDS[i]}"`)
		fmt.Fprintln(w, `    case "$w" in -*) continue ;; esac`)
		fmt.Fprintln(w, `    case "${path:+$path }$w" in`)
		for _, in := range infos {
			if in.path != "" {
				fmt.Fprintf(w, "      %q) path=%q ;;\n", in.path, in.path)
			}
		}
		fmt.Fprintln(w, `    esac`)
		fmt.Fprintln(w, `  done`)
		fmt.Fprintln(w, `  local words`)
		fmt.Fprintln(w, `  case "$path" in`)
		for _, in := range infos {
			words := in.subs
			fmt.Fprintf(w, "    %q) if [[ $cur == -* ]]; then words=%q; else words=%q; fi ;;\n", in.path, strings.Join(in.flags, " "), strings.Join(words, " "))
		}
		fmt.Fprintln(w, `  esac`)
		fmt.Fprintln(w, `  COMPREPLY=($(compgen -W "$words" -- "$cur"))`)
		fmt.Fprintln(w, "}")
		fmt.Fprintln(w, "complete -F _ask_nix ask-nix")
	case "fish":
		fmt.Fprintln(w, "complete -c ask-nix -f")
		for _, in := range infos {
			cond := "__fish_use_subcommand"
			if in.path != "" {
				parts := strings.Fields(in.path)
				cond = "__fish_seen_subcommand_from " + parts[len(parts)-1]
			}
			for _, s := range in.subs {
				fmt.Fprintf(w, "complete -c ask-nix -n '%s' -a %s\n", cond, s)
			}
			if in.path != "" {
				for _, f := range in.flags {
					fmt.Fprintf(w, "complete -c ask-nix -n '%s' -l %s\n", cond, strings.TrimPrefix(f, "--"))
				}
			}
		}
		for _, f := range infos[0].flags {
			fmt.Fprintf(w, "complete -c ask-nix -n '__fish_use_subcommand' -l %s\n", strings.TrimPrefix(f, "--"))
		}
	}
}
