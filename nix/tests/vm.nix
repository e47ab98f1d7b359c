# A NixOS VM test (pkgs.testers.runNixOSTest): the module enabled on a real NixOS, and ask-nix
# run in the VM. flake.nix puts it in checks.<linux system>.vm. Machines here have no
# nixpkgs and no KVM: .ci/run parses it, it runs where `nix flake check` can build VMs.
{ self, pkgs }:
pkgs.testers.runNixOSTest {
  name = "ask-nix";
  nodes.machine = { ... }: {
    imports = [ self.nixosModules.default ];
    programs.ask-nix = {
      enable = true;
      mcp.enable = true;
      policies = [ ../../docs/examples/policies/wheel-rollback.rego ../../docs/examples/policies/wheel-rollback_test.rego ];
    };
  };
  testScript = ''
    machine.wait_for_unit("multi-user.target")
    out = machine.succeed("ask-nix generations --profile system --json")
    assert '"generations"' in out, out
    assert "firefox" in machine.succeed("ask-nix search firefox")
    # the injection example is denied: exit 3, nothing runs
    machine.succeed("ask-nix 'install firefox && rm -rf /' >/dev/null 2>&1; test $? -eq 3")
    machine.succeed("test -e /etc")
    machine.succeed("ask-nix policy test")
    machine.succeed("test -e /etc/ask-nix/mcp.json")
  '';
}
