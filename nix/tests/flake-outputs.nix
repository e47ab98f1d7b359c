# Evaluates flake.nix's outputs against stub.nix and reports what a user relies on.
let
  stub = import ./stub.nix;
  flake = import ../../flake.nix;
  outputs = flake.outputs { self = outputs // { shortRev = "abcdef0"; }; nixpkgs = stub.nixpkgs; };
  sys = "x86_64-linux";
  pkg = outputs.packages.${sys}.ask-nix;
in
{
  systems = builtins.attrNames outputs.packages;
  packages = builtins.attrNames outputs.packages.${sys};
  pname = pkg.pname;
  version = pkg.version;
  subPackages = pkg.subPackages;
  cgo = pkg.env.CGO_ENABLED;
  ldflags = pkg.ldflags;
  vendorHash = pkg.vendorHash;
  mainProgram = pkg.meta.mainProgram;
  completions = builtins.match ".*completion bash.*completion zsh.*completion fish.*" pkg.postInstall != null;
  plans = builtins.match ".*policy compile --out [$]out/share/ask-nix/plans.*" pkg.postInstall != null;
  app = outputs.apps.${sys}.default.program;
  appAskNix = outputs.apps.${sys}.ask-nix.program;
  overlay = (outputs.overlays.default stub.pkgs stub.pkgs).ask-nix.pname;
  module = builtins.isFunction outputs.nixosModules.default;
  devShell = map (p: p.name) outputs.devShells.${sys}.default.packages;
  checks = builtins.attrNames outputs.checks.${sys};
}
