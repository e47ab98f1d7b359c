# A realistic store for benchmarks: BASE leaf packages shared by every generation (through
# an "env" path referring to all of them) and GENS system generations, each with UNIQUE
# packages of its own, so closures overlap as real ones do.
{ base ? 1400, gens ? 110, unique ? 10 }:
let
  sys = builtins.currentSystem;
  mk = name: deps: derivation {
    inherit name; system = sys; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = [ "-c" "mkdir -p $out; echo ${name} > $out/name; printf '%s\\n' ${toString deps} > $out/deps" ];
  };
  range = n: builtins.genList (i: i) n;
  leaves = map (i: mk "lib${toString i}-1.${toString i}" []) (range base);
  env = mk "system-path-1" leaves;
  gen = g: mk "nixos-system-gen${toString g}" ([ env ] ++ map (u: mk "pkg-g${toString g}-u${toString u}-1.0" []) (range unique));
in map gen (range gens)
