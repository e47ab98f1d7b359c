# NixOS module: programs.ask-nix (SPEC §11).
#
# Everything under /etc/ask-nix comes from one derivation (etcTree) that also checks it with
# the configured ask-nix: the policies compile and their tests pass (`policy test`), the
# settings file is valid, every rule module loads (`rules test`). A broken policy therefore
# fails nixos-rebuild, not the user's first request. The compiled plan of the defaults and
# these policies lands in /etc/ask-nix/plans, so no user's request waits for the compiler.
self:
{ config, lib, pkgs, ... }:
let
  cfg = config.programs.ask-nix;
  toml = pkgs.formats.toml { };

  # A file's name without the store hash ("/nix/store/<32>-german.wasm" → "german.wasm"),
  # so a rule keeps its name (policies see "wasm:german") and a *_test.rego stays a test.
  fileName = p:
    let
      s = toString p;
      base = baseNameOf s;
    in
    if lib.hasPrefix "${builtins.storeDir}/" s && builtins.stringLength base > 33
    then builtins.substring 33 (builtins.stringLength base) base
    else base;

  policyName = i: p: if builtins.isString p && !(lib.hasPrefix "/" p) then "policy-${toString i}.rego" else fileName p;
  policySource = i: p:
    if builtins.isString p && !(lib.hasPrefix "/" p)
    then pkgs.writeText "ask-nix-policy-${toString i}.rego" p
    else p;

  ruleNames = map fileName cfg.rules;
  settingsFile = toml.generate "ask-nix-config.toml" cfg.settings;
  # An MCP client's configuration (Claude Code, Claude Desktop, any client): the server is
  # `ask-nix mcp` on stdio (SPEC §12).
  mcpFile = pkgs.writeText "ask-nix-mcp.json" (builtins.toJSON {
    mcpServers.ask-nix = { type = "stdio"; command = lib.getExe cfg.package; args = [ "mcp" ]; };
  });
  askNix = lib.getExe cfg.package;

  etcTree = pkgs.runCommand "ask-nix-etc" { } ''
    set -eu
    mkdir -p $out/policies $out/rules root/etc home
    ${lib.concatStrings (lib.imap0 (i: p: ''
      cp ${policySource i p} $out/policies/${lib.escapeShellArg (policyName i p)}
    '') cfg.policies)}
    ${lib.concatStrings (map (r: ''
      cp ${r} $out/rules/${lib.escapeShellArg (fileName r)}
    '') cfg.rules)}
    cp ${settingsFile} $out/config.toml
    ${lib.optionalString cfg.mcp.enable "cp ${mcpFile} $out/mcp.json"}
    ln -s $out root/etc/ask-nix
    export ASK_NIX_ROOT=$PWD/root HOME=$PWD/home XDG_CONFIG_HOME=$PWD/home/config \
      XDG_CACHE_HOME=$PWD/home/cache XDG_STATE_HOME=$PWD/home/state XDG_RUNTIME_DIR=$PWD/home/run
    # Loads the settings and every policy layer, then runs the policies' tests.
    ${askNix} policy test
    # The defaults and these administrator policies compiled for every user: /etc/ask-nix/plans.
    ${askNix} policy compile --out $out/plans
    ${lib.concatStrings (map (r: ''
      ${askNix} rules test $out/rules/${lib.escapeShellArg (fileName r)} help >/dev/null
    '') cfg.rules)}
  '';
in
{
  options.programs.ask-nix = {
    enable = lib.mkEnableOption "ask-nix, Nix and NixOS in plain words";
    package = lib.mkOption {
      type = lib.types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.ask-nix;
      description = "The ask-nix package.";
    };
    policies = lib.mkOption {
      type = lib.types.listOf (lib.types.either lib.types.path lib.types.str);
      default = [ ];
      description = ''
        Administrator Rego policies (package asknix.admin) and their tests
        (package asknix.admin_test, files named *_test.rego), as paths or Rego text;
        installed to /etc/ask-nix/policies after `ask-nix policy test` passes on them.
      '';
    };
    rules = lib.mkOption {
      type = lib.types.listOf lib.types.path;
      default = [ ];
      description = "WASM rule modules, installed to /etc/ask-nix/rules under their file names (the rule's name).";
    };
    settings = lib.mkOption {
      type = lib.types.submodule {
        freeformType = toml.type;
        options = {
          cache.ttl = lib.mkOption {
            type = lib.types.ints.between 0 2592000;
            default = 300;
            description = "Seconds a cached answer stays valid (0 disables the cache).";
          };
          defaults.elevation = lib.mkOption {
            type = lib.types.enum [ "sudo" "doas" "run0" ];
            default = "sudo";
            description = "How privileged steps are run.";
          };
          rules = {
            timeout_ms = lib.mkOption { type = lib.types.ints.between 1 60000; default = 100; description = "Time limit per rule-module call."; };
            memory_mib = lib.mkOption { type = lib.types.ints.between 1 4096; default = 64; description = "Memory cap of a rule module."; };
            output_kib = lib.mkOption { type = lib.types.ints.between 1 16384; default = 64; description = "Largest result a rule module may return."; };
          };
        };
      };
      default = { };
      description = "Settings written to /etc/ask-nix/config.toml (see the README for every key); unknown keys fail the build.";
    };
    indexTimer.enable = lib.mkEnableOption "a daily refresh of the package index in /var/lib/ask-nix/index";
    mcp.enable = lib.mkEnableOption "agent mode: an example MCP client configuration in /etc/ask-nix/mcp.json (the server is `ask-nix mcp`)";
  };

  config = lib.mkIf cfg.enable {
    assertions = [{
      assertion = lib.length (lib.unique ruleNames) == lib.length ruleNames;
      message = "programs.ask-nix.rules: two modules share a file name: ${toString ruleNames}";
    }];
    environment.systemPackages = [ cfg.package ];
    environment.etc."ask-nix".source = etcTree;
    systemd.services.ask-nix-index = lib.mkIf cfg.indexTimer.enable {
      description = "Refresh the ask-nix package index";
      # The user-level index location of this service is /var/lib/ask-nix/index, the
      # system index every user's ask-nix reads when they have none of their own.
      environment = { XDG_DATA_HOME = "/var/lib"; HOME = "/var/lib/ask-nix"; XDG_CACHE_HOME = "/var/cache/ask-nix"; };
      serviceConfig = { Type = "oneshot"; StateDirectory = "ask-nix"; CacheDirectory = "ask-nix"; ExecStart = "${askNix} index update"; };
    };
    systemd.timers.ask-nix-index = lib.mkIf cfg.indexTimer.enable {
      wantedBy = [ "timers.target" ];
      timerConfig = { OnCalendar = "daily"; Persistent = true; };
    };
  };
}
