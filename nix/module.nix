# NixOS module: programs.ask-nix (SPEC §11).
self:
{ config, lib, pkgs, ... }:
let
  cfg = config.programs.ask-nix;
  toml = pkgs.formats.toml { };
  policyFile = i: p:
    if builtins.isPath p || lib.isDerivation p then p
    else pkgs.writeText "ask-nix-policy-${toString i}.rego" p;
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
      description = "Administrator Rego policies (package asknix.admin), as paths or Rego text; installed to /etc/ask-nix/policies.";
    };
    rules = lib.mkOption {
      type = lib.types.listOf lib.types.path;
      default = [ ];
      description = "WASM rule modules, installed to /etc/ask-nix/rules.";
    };
    settings = lib.mkOption {
      type = toml.type;
      default = { };
      description = "Settings written to /etc/ask-nix/config.toml.";
    };
    indexTimer.enable = lib.mkEnableOption "a daily refresh of the package index in /var/lib/ask-nix/index";
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    environment.etc =
      lib.listToAttrs (lib.imap0 (i: p: lib.nameValuePair "ask-nix/policies/policy-${toString i}.rego" { source = policyFile i p; }) cfg.policies)
      // lib.listToAttrs (lib.imap0 (i: r: lib.nameValuePair "ask-nix/rules/${toString i}-${baseNameOf (toString r)}" { source = r; }) cfg.rules)
      // lib.optionalAttrs (cfg.settings != { }) { "ask-nix/config.toml".source = toml.generate "config.toml" cfg.settings; };
    systemd.services.ask-nix-index = lib.mkIf cfg.indexTimer.enable {
      description = "Refresh the ask-nix package index";
      serviceConfig = { Type = "oneshot"; StateDirectory = "ask-nix"; ExecStart = "${lib.getExe cfg.package} index update"; };
    };
    systemd.timers.ask-nix-index = lib.mkIf cfg.indexTimer.enable {
      wantedBy = [ "timers.target" ];
      timerConfig = { OnCalendar = "daily"; Persistent = true; };
    };
  };
}
