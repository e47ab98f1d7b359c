# Evaluates nix/module.nix against stub.nix with programs.ask-nix filled in by hand (the
# stand-in has no module system) and returns the /etc/ask-nix tree it installs: a real
# derivation, which checks itself with the given ask-nix when built.
{ askNix, rulesDir, policiesDir, extraPolicy ? "", settings ? "{}" }:
let
  stub = import ./stub.nix;
  self.packages.${builtins.currentSystem}.ask-nix = { outPath = askNix; meta.mainProgram = "ask-nix"; };
  module = import ../module.nix self;
  cfg = {
    enable = true;
    package = { outPath = askNix; meta.mainProgram = "ask-nix"; };
    policies = [
      (/. + "${policiesDir}/rules-read-only.rego")
      (/. + "${policiesDir}/rules-read-only_test.rego")
      ''
        package asknix.admin

        deny contains {"id": "no-cowsay", "msg": "cowsay is not allowed on this machine"} if {
        	input.intent.args.package == "cowsay"
        }
      ''
    ] ++ (if extraPolicy == "" then [ ] else [ extraPolicy ]);
    rules = [ (/. + "${rulesDir}/german.wasm") (/. + "${rulesDir}/alias.wasm") ];
    settings = {
      cache.ttl = 60;
      defaults.elevation = "doas";
      rules = { timeout_ms = 100; memory_mib = 64; output_kib = 64; };
    } // builtins.fromJSON settings;
    indexTimer.enable = true;
    mcp.enable = true;
  };
  evaluated = module { config.programs.ask-nix = cfg; inherit (stub) lib pkgs; };
  c = evaluated.config.content;
in
assert builtins.deepSeq evaluated.options true;
assert builtins.all (a: a.assertion) c.assertions;
assert c.systemd.timers.ask-nix-index.content.wantedBy == [ "timers.target" ];
assert c.environment.systemPackages == [ cfg.package ];
c.environment.etc."ask-nix".source
