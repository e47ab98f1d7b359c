# The smallest honest stand-in for nixpkgs that evaluates ask-nix's flake.nix and
# nix/module.nix offline (there is no nixpkgs on the test machine). It implements only the
# functions those files call, with nixpkgs' meaning where the tests depend on it:
# runCommand really builds (builder /bin/sh, host tools — Nix 2.8 here runs without a
# sandbox), writeText and formats.toml really write files, getExe follows meta.mainProgram.
# What it does NOT do: the module system (option merging, type checks, defaults) —
# mkOption returns its declaration and the tests fill programs.ask-nix by hand.
let
  inherit (builtins) attrNames concatStringsSep filter isAttrs isBool isList isString listToAttrs map toJSON;

  lib = rec {
    genAttrs = names: f: listToAttrs (map (n: { name = n; value = f n; }) names);
    cleanSource = p: p;
    optionalString = c: s: if c then s else "";
    optionalAttrs = c: a: if c then a else { };
    concatStrings = concatStringsSep "";
    imap0 = f: l: builtins.genList (i: f i (builtins.elemAt l i)) (builtins.length l);
    hasPrefix = p: s: builtins.substring 0 (builtins.stringLength p) s == p;
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
    getExe = p: "${p}/bin/${p.meta.mainProgram}";
    length = builtins.length;
    unique = l: builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ] l;
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkOption = decl: decl // { _type = "option"; };
    mkEnableOption = description: mkOption { default = false; inherit description; };
    types = rec {
      package = "package";
      path = "path";
      str = "str";
      bool = "bool";
      listOf = t: "listOf ${t}";
      either = a: b: "either ${a} ${b}";
      enum = l: "enum ${toJSON l}";
      submodule = m: { submodule = m; };
      ints.between = lo: hi: "int ${toString lo}..${toString hi}";
    };
  };

  # TOML of an attrset of scalars, lists and one level of tables (what settings hold).
  toTOML = attrs:
    let
      scalar = v:
        if isString v then toJSON v
        else if isBool v then (if v then "true" else "false")
        else if isList v then "[" + concatStringsSep ", " (map scalar v) + "]"
        else toString v;
      keys = filter (n: !(isAttrs attrs.${n})) (attrNames attrs);
      tables = filter (n: isAttrs attrs.${n}) (attrNames attrs);
      table = t: "\n[${t}]\n" + lib.concatStrings (map (n: "${n} = ${scalar attrs.${t}.${n}}\n") (attrNames attrs.${t}));
    in
    lib.concatStrings (map (n: "${n} = ${scalar attrs.${n}}\n") keys) + lib.concatStrings (map table tables);

  system = builtins.currentSystem;
  stubDrv = name: { inherit name; outPath = "/nix/store/00000000000000000000000000000000-${name}"; };

  pkgs = {
    inherit lib;
    stdenv = {
      hostPlatform.system = system;
      buildPlatform.canExecute = _: true;
    };
    formats.toml = _: {
      type = "toml";
      generate = name: value: builtins.toFile name (toTOML value);
    };
    writeText = name: text: builtins.toFile name text;
    runCommand = name: env: script: derivation ({
      inherit name system;
      builder = "/bin/sh";
      args = [ "-c" script ];
      PATH = "/usr/local/bin:/usr/bin:/bin";
    } // env);
    # buildGoModule returns its arguments, so tests can read what the flake passes.
    buildGoModule.override = _: args: args // stubDrv args.pname;
    mkShell = args: args // stubDrv "shell";
    go_1_26 = stubDrv "go-1.26";
    installShellFiles = stubDrv "installShellFiles";
    gopls = stubDrv "gopls";
    nix = stubDrv "nix";
    wabt = stubDrv "wabt";
    open-policy-agent = stubDrv "opa";
    sqlite = stubDrv "sqlite";
    hyperfine = stubDrv "hyperfine";
  };
in
{
  inherit lib pkgs toTOML;
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] (_: pkgs);
  };
}
