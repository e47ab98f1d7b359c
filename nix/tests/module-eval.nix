# Evaluates nix/module.nix under nixpkgs' real module system (lib.evalModules, from
# ../shared/data/nixpkgs-lib), beside declarations of the few NixOS options it sets, with
# the types NixOS gives them. Packages come from stub.nix (there is no nixpkgs here).
# TestModuleUnderModuleSystem (cmd/ask-nix) evaluates and builds what this returns.
{ libPath, askNix }:
let
  lib = import libPath;
  stub = import ./stub.nix;
  system = builtins.currentSystem;
  package = name: { type = "derivation"; inherit name; outPath = askNix; meta.mainProgram = "ask-nix"; };
  askNixPkg = package "ask-nix";
  otherPkg = package "ask-nix-other";
  self.packages.${system}.ask-nix = askNixPkg;

  # pkgs.formats.toml as nixpkgs defines it (pkgs-lib/formats.nix): a freeform type of TOML
  # values, and a generator (the stub's, which writes the file).
  toml = {
    type = with lib.types;
      let valueType = nullOr (oneOf [ bool int float str path (attrsOf valueType) (listOf valueType) ]) // { description = "TOML value"; };
      in attrsOf valueType;
    generate = name: value: builtins.toFile name (stub.toTOML value);
  };
  pkgs = stub.pkgs // { inherit lib; formats.toml = _: toml; };

  nixosOptions = { ... }: {
    options = {
      # nixos/modules/misc/assertions.nix
      assertions = lib.mkOption { type = lib.types.listOf lib.types.unspecified; default = [ ]; };
      # nixos/modules/config/system-path.nix
      environment.systemPackages = lib.mkOption { type = lib.types.listOf lib.types.package; default = [ ]; };
      # nixos/modules/system/etc/etc.nix (source: a path; the other attributes left out)
      environment.etc = lib.mkOption {
        type = lib.types.attrsOf (lib.types.submodule { options.source = lib.mkOption { type = lib.types.path; }; });
        default = { };
      };
      # nixos/modules/system/boot/systemd.nix (units as attribute sets; their options left out)
      systemd.services = lib.mkOption { type = lib.types.attrsOf (lib.types.attrsOf lib.types.anything); default = { }; };
      systemd.timers = lib.mkOption { type = lib.types.attrsOf (lib.types.attrsOf lib.types.anything); default = { }; };
    };
  };

  eval = modules: (lib.evalModules {
    modules = [ nixosOptions { _module.args.pkgs = pkgs; } (import ../module.nix self) ] ++ modules;
  }).config;

  policy = id: ''
    package asknix.admin

    deny contains {"id": "${id}", "msg": "${id}"} if {
    	input.intent.args.package == "${id}"
    }
  '';

  disabled = eval [ ];
  enabled = eval [{ programs.ask-nix = { enable = true; settings.cache.ttl = 60; indexTimer.enable = true; mcp.enable = true; }; }];
  merged = eval [
    { programs.ask-nix = { enable = true; policies = [ (policy "from-module-a") ]; }; }
    { programs.ask-nix.policies = [ (policy "from-module-b") ]; }
  ];
  overridden = eval [{ programs.ask-nix = { enable = true; package = otherPkg; }; }];
  badType = eval [{ programs.ask-nix = { enable = true; settings.cache.ttl = "soon"; }; }];
in
{
  disabledProducesNothing = disabled.environment.etc == { } && disabled.environment.systemPackages == [ ]
    && disabled.systemd.services == { } && disabled.systemd.timers == { } && disabled.assertions == [ ];
  enabledPackage = map (p: p.name) enabled.environment.systemPackages;
  enabledTimer = enabled.systemd.timers.ask-nix-index.wantedBy;
  enabledService = enabled.systemd.services.ask-nix-index.serviceConfig.Type;
  enabledEtc = enabled.environment.etc."ask-nix".source;
  noTimerUnlessAsked = (eval [{ programs.ask-nix.enable = true; }]).systemd.timers == { };
  mergedPolicies = builtins.length merged.programs.ask-nix.policies;
  mergedEtc = merged.environment.etc."ask-nix".source;
  overriddenPackage = map (p: p.name) overridden.environment.systemPackages;
  badTypeEtc = badType.environment.etc."ask-nix".source;
}
