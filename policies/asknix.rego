# Default policy of ask-nix (SPEC §6). Every request, sentence or subcommand, is decided
# here before anything runs. Administrators add denials and confirmations in package
# asknix.admin (and may waive a default by id); users in asknix.user.
package asknix

# ---------------------------------------------------------------- shell syntax

# Operators that chain, background, substitute or redirect in a shell. "&" alone is
# handled below: between words of a search query it is data.
shell_operators := [";", "&&", "||", "|", "`", "$(", "${", ">", "<"]

deny contains d if {
	some op in shell_operators
	contains(shell_checked_text, op)
	d := {"id": "shell-syntax", "msg": sprintf("Security: dangerous pattern detected. Please use simple commands. (shell syntax %q is not allowed)", [op])}
}

# A NixOS option path's placeholder ("systemd.services.<name>.path", as the options list
# writes it) in a search query is data: it follows a dot and is one word in angle brackets.
option_placeholder := `\.<[A-Za-z][A-Za-z0-9_-]*>`

shell_checked_text := regex.replace(input.request.text, option_placeholder, ".name") if {
	input.intent.action == "search"
} else := input.request.text

shell_checked_query := regex.replace(input.intent.args.query, option_placeholder, ".name")

deny contains d if {
	contains(input.request.text, "&")
	not lone_ampersand_in_search
	d := {"id": "shell-syntax", "msg": "Security: dangerous pattern detected. Please use simple commands. (shell syntax \"&\" is not allowed)"}
}

# Every argument of the intent, also those not in the text (--profile PATH): shell
# syntax in any of them is denied. A search query's lone "&" is data, as in the text.
arg_strings contains v if {
	some k, v in input.intent.args
	is_string(v)
	k != "query"
}

arg_strings contains v if {
	some k, list in input.intent.args
	is_array(list)
	some v in list
	is_string(v)
}

deny contains d if {
	some v in arg_strings
	some op in array.concat(shell_operators, ["&", "\n", "\r"])
	contains(v, op)
	d := {"id": "shell-syntax", "msg": sprintf("Security: dangerous pattern detected. Please use simple commands. (shell syntax %q in an argument)", [op])}
}

deny contains d if {
	is_string(input.intent.args.query)
	some op in shell_operators
	contains(shell_checked_query, op)
	d := {"id": "shell-syntax", "msg": sprintf("Security: dangerous pattern detected. Please use simple commands. (shell syntax %q in the query)", [op])}
}

# Path traversal anywhere: "..", "../x", "x/../y". (`index update --source` names a file
# to read: a path is what it takes.)
deny contains d if {
	input.intent.action != "index-update"
	regex.match(`(^|[\s/=])\.\.($|[\s/])`, input.request.text)
	d := {"id": "path-traversal", "msg": "paths that climb out of a directory (..) are not allowed in a request"}
}

# A lone "&" between words of a free-text search query ("search network & security").
lone_ampersand_in_search if {
	input.intent.action == "search"
	q := input.intent.args.query
	regex.match(`^[^&\s][^&]*(\s&\s+[^&\s][^&]*)*$`, q)
	count(indexof_n(input.request.text, "&")) == count(indexof_n(q, "&"))
}

# Control characters, invisible characters and look-alikes of shell operators, by Unicode
# property rather than by list (SPEC §6), in the text and in every argument (the profile
# path and a rule module's proposals included).
control_chars := `[\x00-\x1f\x7f-\x9f]`

deny contains d if {
	some v in all_strings
	regex.match(control_chars, v)
	d := {"id": "shell-syntax", "msg": "Security: dangerous pattern detected. Please use simple commands. (control characters are not allowed)"}
}

# Default_Ignorable_Code_Point (Unicode's derived property, written out: RE2 has no class
# for it), the other format characters, and what looks blank: every space separator but
# the ASCII space, line and paragraph separators, the Braille blank.
invisible := `[\x{00AD}\x{034F}\x{061C}\x{115F}\x{1160}\x{17B4}\x{17B5}\x{180B}-\x{180F}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{206F}\x{3164}\x{FE00}-\x{FE0F}\x{FEFF}\x{FFA0}\x{FFF0}-\x{FFF8}\x{1BCA0}-\x{1BCA3}\x{1D173}-\x{1D17A}\x{E0000}-\x{E0FFF}\x{2800}\x{1D159}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]|[^\x20\P{Zs}]`

# Text that is all ASCII needs none of the Unicode rules below (whose character classes
# cost a request's start-up to compile): this cheap test goes first.
non_ascii(v) if regex.match(`[^\x00-\x7f]`, v)

# An emoji's variation selector or joiner in a search query is part of the emoji.
emoji_sequence := `(\p{So})[\x{FE0E}\x{FE0F}\x{200D}]+`

deny contains d if {
	some v in all_strings
	non_ascii(v)
	regex.match(invisible, without_emoji_sequences(v))
	d := {"id": "unicode-invisible", "msg": "Security: dangerous pattern detected. Please use simple commands. (invisible Unicode characters are not allowed)"}
}

without_emoji_sequences(v) := regex.replace(v, emoji_sequence, "$1") if {
	input.intent.action == "search"
} else := v

# The text and every string argument.
all_strings contains input.request.text

all_strings contains v if some v in arg_strings

all_strings contains input.intent.args.query if is_string(input.intent.args.query)

# A shell operator after NFKC folding (fullwidth and small forms: "；", "＆＆", "﹩("): the
# engine gives the folded text as request.folded when it differs.
deny contains d if {
	folded := input.request.folded
	some op in shell_operators
	contains(folded, op)
	not contains(input.request.text, op)
	d := {"id": "unicode-lookalike", "msg": "Security: dangerous pattern detected. Please use simple commands. (look-alike Unicode characters are not allowed)"}
}

# Any non-ASCII punctuation or symbol outside a free-text search query (an Arabic
# semicolon, a dental click that looks like "|", a guillemet like ">"): most have no
# confusable mapping to the ASCII operator they imitate.
deny contains d if {
	some v in lookalike_checked
	non_ascii(v)
	regex.match(`[\p{P}\p{S}]`, regex.replace(v, `[\x00-\x7f]+`, ""))
	d := {"id": "unicode-lookalike", "msg": "Security: dangerous pattern detected. Please use simple commands. (look-alike Unicode characters are not allowed)"}
}

lookalike_checked contains text_outside_query

# Outside a search query, the fullwidth forms of ASCII ("ｒｍ") and the few letters drawn
# as a bar ("ǀ", Latin dental click; "ꓲ", Lisu; "ᛁ", runic) are look-alikes too: NFKC folds
# the first, and the second are letters, not punctuation.
deny contains d if {
	some v in lookalike_checked
	non_ascii(v)
	regex.match(`[\x{FF01}-\x{FF5E}\x{01C0}-\x{01C3}\x{A4F2}\x{16C1}\x{2D4F}]`, v)
	d := {"id": "unicode-lookalike", "msg": "Security: dangerous pattern detected. Please use simple commands. (look-alike Unicode characters are not allowed)"}
}

lookalike_checked contains v if some v in arg_strings

text_outside_query := replace(input.request.text, input.intent.args.query, " ") if {
	input.intent.action == "search"
	is_string(input.intent.args.query)
	input.intent.args.query != ""
} else := input.request.text

# ---------------------------------------------------------------- raw commands

raw_programs := {
	"rm", "rmdir", "dd", "chmod", "chown", "chgrp", "sudo", "su", "doas", "run0", "pkexec", "nc", "ncat", "netcat",
	"socat", "curl", "wget", "shred", "mv", "cp", "ln", "systemctl", "crontab", "perl", "ruby", "node", "php",
	"lua", "bash", "sh", "zsh", "fish", "dash", "ksh", "csh", "tcsh", "eval", "exec", "killall", "pkill",
	"reboot", "shutdown", "poweroff", "halt", "mount", "umount", "fdisk", "sfdisk", "parted", "wipefs", "truncate",
	"xargs", "awk", "gawk", "sed", "nohup", "ssh", "scp", "sftp", "rsync", "openssl", "passwd", "chpasswd", "chsh",
	"useradd", "userdel", "usermod", "groupadd", "gpasswd", "newgrp", "visudo", "iptables", "ip6tables", "nft",
	"nix-env", "nix-store", "nix-shell", "nix-build", "nix-channel", "nix-instantiate", "nix-collect-garbage",
	"nixos-rebuild", "nixos-install", "apt", "apt-get", "dpkg", "yum", "dnf", "pacman", "snap", "flatpak", "brew",
	"chattr", "setfacl", "setcap", "insmod", "rmmod", "modprobe", "sysctl", "telnet", "ftp", "tftp", "vi", "vim",
	"nano", "emacs", "ed", "chroot", "unshare", "nsenter", "strace", "ltrace", "gdb", "ls", "echo", "printf",
	"mkdir", "docker", "podman", "busybox", "setsid", "timeout", "at", "batch", "journalctl", "loginctl",
	"machinectl", "systemd-run", "tee", "base64", "whoami", "id", "ps", "pwd", "uname", "hostname", "ifconfig",
	"netstat", "lsof", "pgrep", "dmesg", "lsblk", "blkid", "losetup", "cryptsetup", "mdadm", "lvm", "zpool",
	"zfs", "swapon", "swapoff", "ulimit", "umask", "screen", "tmux", "xterm", "nmap", "masscan", "hydra", "git",
	"gcc", "g++", "cc", "clang", "ld", "objdump", "hexdump", "xxd", "od", "cargo", "npm", "npx", "java", "dotnet",
	"export", "unset", "alias", "declare", "trap", "source", "exit", "logout", "chown", "install",
	"nix-prefetch-url", "nix-prefetch-git", "nix-copy-closure", "nix-daemon", "nix-push", "home-manager",
	"nixos-generate-config", "nixos-enter", "nixos-container", "nixos-install", "nixos-rebuild-ng", "nh",
	"stdbuf", "ionice", "chrt", "taskset", "builtin",
}

# Words that are also plain English or ask-nix phrasing ("find me an editor", "free up
# space", "top rated editors"): a shell command only when an argument looks like one (a
# path, a flag, an assignment, a glob, a URL or a file name).
ambiguous_programs := {
	"find", "cat", "head", "tail", "less", "more", "touch", "kill", "env", "tar", "file", "stat", "make", "unzip",
	"zip", "free", "which", "who", "time", "watch", "top", "sort", "uniq", "wc", "cut", "tr", "grep", "locate",
	"strings", "test", "yes", "ip", "ss", "sync", "df", "du", "date", "set", "nice", "command",
}

# The request's words, with politeness and filler in front dropped: "please cat /etc/shadow"
# reads as "cat /etc/shadow".
fillers := `^(?i)((please|pls|plz|kindly|just|now|ok|okay|hey|hi|hello|so|then|also|can you|could you|would you|will you|you should|go ahead and|i want to|i need to|i'd like to|let's|lets|try to|try|run|execute|exec|launch|start|invoke|do)[\s,:]+)*`

command_text := regex.replace(regex.replace(regex.replace(trim_space(input.request.text), opening, ""), fillers, ""), opening, "")

# A command line behind quotes, parentheses, braces or brackets: "(rm -rf /)", "{ rm …; }".
opening := `^[\s"'({\[]+`

command_words := [w | some w in split(command_text, " "); w != ""]

first_word := lower(command_words[0])

# ask-nix's own verbs are never programs, whatever else they mean in a shell ("install" is
# also install(1): "install firefox" is ours).
ask_nix_verbs := {"search", "find", "install", "remove", "uninstall", "list", "show", "diff", "rollback", "cleanup",
	"clean", "update", "upgrade", "disk", "info", "config", "help", "explain", "generations", "what", "how", "why",
	"where", "which", "is", "are", "do", "does", "can", "could", "should", "get", "add", "delete", "free"}

is_raw_program(w) if {
	raw_programs[w]
	not ask_nix_verb_here(w)
}

# "install" is a program too, but "install firefox" is a request; install(1) needs flags
# or paths.
ask_nix_verb_here(w) if {
	ask_nix_verbs[w]
	not command_args_look_like_shell
}

command_args_look_like_shell if {
	some arg in array.slice(command_words, 1, count(command_words))
	regex.match(`^(-|/|~|\.|\*)|=|\*|://`, arg)
}

# A file name such as secrets.txt (for cat, head, tar…; not for ask-nix's verbs, where
# xorg.xeyes is an attribute path).
command_args_name_files if {
	some arg in array.slice(command_words, 1, count(command_words))
	regex.match(`^[A-Za-z0-9_-]+\.(txt|log|conf|cfg|ini|json|ya?ml|toml|sh|py|pl|rb|key|pem|crt|gz|xz|zst|bz2|tar|tgz|zip|db|sqlite|csv|env|bak|old|rc|d)$`, arg)
}

is_raw_program(w) if {
	ambiguous_programs[w]
	command_args_look_like_shell
}

is_raw_program(w) if {
	ambiguous_programs[w]
	command_args_name_files
}

is_raw_program(w) if regex.match(`^(mkfs|python[0-9.]*|fsck|pip[0-9.]*|\.{0,2}/|~/)`, w)

is_raw_program(w) if regex.match(`^:\(\)|^[a-z0-9_.-]+\(\)`, w)

# "nix run …", "nix-env …": Nix's own command lines are ask-nix's job to write.
is_raw_program("nix") if {
	count(command_words) > 1
	lower(command_words[1]) in {"run", "shell", "build", "develop", "profile", "eval", "repl", "store", "copy", "flake",
		"path-info", "registry", "daemon", "upgrade-nix", "hash", "log", "why-depends", "bundle", "print-dev-env"}
}

# "make install", "make clean": build targets, not "make room".
is_raw_program("make") if {
	count(command_words) > 1
	lower(command_words[1]) in {"install", "all", "clean", "uninstall", "build", "test", "check", "dist", "deploy", "-j", "-C"}
}

# Subcommands are typed on ask-nix's own command line: their first word is ours.
subcommand if input.request.subcommand

deny contains d if {
	not subcommand
	count(command_words) > 0
	is_raw_program(first_word)
	d := {"id": "raw-command", "msg": "Security: dangerous pattern detected. Please use simple commands."}
}

# A fork bomb or function definition anywhere.
deny contains d if {
	regex.match(`:\s*\(\s*\)\s*\{|\(\)\s*\{`, input.request.text)
	d := {"id": "raw-command", "msg": "Security: dangerous pattern detected. Please use simple commands."}
}

# ---------------------------------------------------------------- package arguments

# Package and attribute arguments of the intent (install, remove, installed).
package_arg := input.intent.args.package

# The kinds of things that are not attribute names. Each has its own id, so an
# administrator can waive one narrowly (e.g. flake-ref for github:myorg/*).
is_url(p) if regex.match(`^[a-zA-Z][a-zA-Z0-9+.-]*://`, p)

is_flake_ref(p) if {
	regex.match(`^[a-zA-Z][a-zA-Z0-9+.-]*:`, p)
	not is_url(p)
}

is_path(p) if {
	not regex.match(`^[a-zA-Z][a-zA-Z0-9+.-]*:`, p)
	regex.match(`(^[~./])|/|\\|(^|\.)\.\.($|\.)`, p)
}

is_flag(p) if startswith(p, "-")

deny contains d if {
	is_url(package_arg)
	d := {"id": "url-package", "msg": sprintf("URLs such as %q are not package names; use an attribute name from nixpkgs such as firefox", [package_arg])}
}

deny contains d if {
	is_flake_ref(package_arg)
	d := {"id": "flake-ref", "msg": sprintf("flake references such as %q are not package names; use an attribute name from nixpkgs such as firefox", [package_arg])}
}

deny contains d if {
	is_path(package_arg)
	d := {"id": "path-package", "msg": sprintf("paths such as %q are not package names; use an attribute name from nixpkgs such as firefox", [package_arg])}
}

deny contains d if {
	is_flag(package_arg)
	d := {"id": "nix-flag", "msg": sprintf("%q looks like a Nix option, not a package name", [package_arg])}
}

# Nix's attribute-path grammar: identifiers separated by dots, ASCII only.
# An empty name is no attack: planning says what is missing (SPEC §10: exit 2).
deny contains d if {
	is_string(package_arg)
	package_arg != ""
	not regex.match(`^[a-zA-Z_][a-zA-Z0-9_'+-]*(\.[a-zA-Z_][a-zA-Z0-9_'+-]*)*$`, package_arg)
	not is_url(package_arg)
	not is_flake_ref(package_arg)
	not is_path(package_arg)
	not is_flag(package_arg)
	d := {"id": "package-name", "msg": sprintf("%q is not a valid package attribute name (letters, digits, _ - ' + separated by dots)", [package_arg])}
}

deny contains d if {
	some k in ["package", "query", "older_than", "profile"]
	v := input.intent.args[k]
	not is_string(v)
	d := {"id": "bad-argument", "msg": sprintf("%s must be text", [k])}
}

# Nix options smuggled anywhere into a request: they would change what Nix evaluates,
# fetches or trusts.
nix_flags := `--option|--impure|--expr|-E|-f|--file|--arg|--argstr|-I|--include|--substituters|--extra-substituters|--trusted-public-keys|--extra-trusted-public-keys|--store|--eval-store|--builders|--override-input|--override-flake|--no-sandbox|--sandbox|--allow-import-from-derivation|--accept-flake-config|--post-build-hook|--pure-eval|--repair|--keep-failed|--log-format`

deny contains d if {
	regex.match(sprintf(`(^|\s)(%s)(=|\s|$)`, [nix_flags]), input.request.text)
	d := {"id": "nix-flag", "msg": "Nix options cannot be passed through a request; ask-nix chooses the flags of the commands it runs"}
}

# Shell syntax written in an encoding: %3B, \x3b, \u003b, &#59;, &#x3b;.
deny contains d if {
	regex.match(`(?i)%(0a|0d|00|26|3b|7c|60|24|3c|3e)|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\[0-7]{3}|&#x?[0-9a-f]+;`, input.request.text)
	d := {"id": "encoded-syntax", "msg": "Security: dangerous pattern detected. Please use simple commands. (encoded characters are not allowed)"}
}

# A word mixing Latin with Cyrillic or Greek letters ("fіrefox" with a Cyrillic і).
deny contains d if {
	non_ascii(input.request.text)
	regex.match(`\p{Latin}[\p{Cyrillic}\p{Greek}]|[\p{Cyrillic}\p{Greek}]\p{Latin}`, input.request.text)
	d := {"id": "unicode-lookalike", "msg": "Security: dangerous pattern detected. Please use simple commands. (a word mixes Latin with look-alike letters)"}
}

deny contains d if {
	some k in ["generation", "steps", "from", "to", "keep"]
	v := input.intent.args[k]
	not is_number(v)
	not regex.match(`^[-+#]?[0-9a-zA-Z]{1,40}$`, v)
	d := {"id": "bad-number", "msg": sprintf("%s must be a whole number", [k])}
}

# A number out of bounds (a negative generation, 20 digits) is a usage error of the plan
# (SPEC §10, exit 2), not an attack.

# A duration that is merely malformed ("5x") is a usage error of the plan (SPEC §10, exit
# 2); one with anything but letters and digits in it could be an attack.
deny contains d if {
	v := input.intent.args.older_than
	not regex.match(`^[-+]?[0-9A-Za-z]{1,40}$`, v)
	d := {"id": "bad-duration", "msg": "older_than must look like 30d or 12h"}
}

# ---------------------------------------------------------------- confirmation

confirm contains d if {
	input.plan.mutates
	d := {"id": "mutation", "msg": sprintf("%s changes %s", [input.intent.action, changed])}
}

# What a change changes: the profile the plan names (the user's profile for an install),
# the system when it names none.
changed := sprintf("the profile %s", [input.plan.profile]) if {
	is_string(input.plan.profile)
	input.plan.profile != ""
} else := "your system"

# An AI assistant (agent mode, SPEC §12) changes nothing without a person confirming: its
# own id, so that an administrator who waives "mutation" for people still has agents ask.
confirm contains d if {
	input.request.source == "mcp"
	input.plan.mutates
	d := {"id": "agent-mutation", "msg": "an AI assistant asks for this change; a person confirms it"}
}

confirm contains d if {
	input.plan.privileged
	d := {"id": "privileged", "msg": "this runs a privileged step through the elevation command"}
}
