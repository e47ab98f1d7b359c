{
  description = "ask-nix: run Nix and NixOS in plain words, fast and checked by Rego policies";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      version = "0.1.0";
      # .ci/run recomputes this (go mod vendor, then nix hash path) and fails on a mismatch.
      vendorHash = "sha256-m6ZOzSichuyEbrcGZHXBTlLt1ZiQo0mIYjjvF/ths88=";
      mkAskNix = pkgs:
        (pkgs.buildGoModule.override { go = pkgs.go_1_26; }) {
          pname = "ask-nix";
          inherit version vendorHash;
          src = nixpkgs.lib.cleanSource ./.;
          # ask-nix-policy (the OPA compiler), ask-nix-tui (the search screen), ask-nix-index
          # (index update) and ask-nix-mcp (agent mode) live beside ask-nix, where it looks.
          subPackages = [ "cmd/ask-nix" "cmd/ask-nix-policy" "cmd/ask-nix-tui" "cmd/ask-nix-index" "cmd/ask-nix-mcp" ];
          env.CGO_ENABLED = "0";
          ldflags = [ "-s" "-w" "-X main.version=${version}" "-X main.commit=${self.shortRev or "dirty"}" ];
          # Tests that need a real Nix store skip inside the build sandbox (no nix there);
          # the pure-Go tests run.
          nativeBuildInputs = [ pkgs.installShellFiles ];
          # The default policy compiled once here, so that no user's first request (and no
          # service user without a cache, ever) waits for the OPA compiler.
          postInstall = pkgs.lib.optionalString (pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform) ''
            $out/bin/ask-nix man > ask-nix.1
            installManPage ask-nix.1
            installShellCompletion --cmd ask-nix \
              --bash <($out/bin/ask-nix completion bash) \
              --zsh <($out/bin/ask-nix completion zsh) \
              --fish <($out/bin/ask-nix completion fish)
            mkdir -p "$TMPDIR/asknix-root"
            HOME="$TMPDIR" XDG_CACHE_HOME="$TMPDIR/cache" ASK_NIX_ROOT="$TMPDIR/asknix-root" \
              $out/bin/ask-nix policy compile --out $out/share/ask-nix/plans
          '';
          meta = {
            description = "Run Nix and NixOS in plain words, checked by Rego policies";
            mainProgram = "ask-nix";
          };
        };
    in
    {
      packages = forAll (pkgs: rec {
        ask-nix = mkAskNix pkgs;
        default = ask-nix;
      });

      apps = forAll (pkgs: rec {
        ask-nix = { type = "app"; program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.ask-nix}/bin/ask-nix"; };
        default = ask-nix;
      });

      overlays.default = final: prev: { ask-nix = mkAskNix final; };

      nixosModules.default = import ./nix/module.nix self;

      devShells = forAll (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.go_1_26 pkgs.gopls pkgs.nix pkgs.wabt pkgs.open-policy-agent pkgs.sqlite pkgs.hyperfine ];
        };
      });

      checks = forAll (pkgs: {
        ask-nix = self.packages.${pkgs.stdenv.hostPlatform.system}.ask-nix;
      } // nixpkgs.lib.optionalAttrs (builtins.match ".*-linux" pkgs.stdenv.hostPlatform.system != null) {
        # The module in a NixOS VM: generations, search, a denial, policy test.
        vm = import ./nix/tests/vm.nix { inherit self pkgs; };
      });
    };
}
