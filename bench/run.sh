#!/usr/bin/env bash
# Times ask-nix against the nix CLI on the same work and prints medians and ratios.
#   bench/run.sh     # builds the store once in $BENCH_DIR (default /var/tmp/ask-nix-bench), then measures
# Needs nix-bin and hyperfine (apt-get install -y nix-bin hyperfine). BASE, GENS, UNIQUE and
# RUNS size the work.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
out=${BENCH_DIR:-/var/tmp/ask-nix-bench}
BASE=${BASE:-1400} GENS=${GENS:-110} UNIQUE=${UNIQUE:-10} RUNS=${RUNS:-30}
mkdir -p "$out"
export NIX_STORE_DIR=$out/store NIX_STATE_DIR=$out/var NIX_LOG_DIR=$out/log
export NIX_CONFIG=$'substituters =\nexperimental-features = nix-command\nbuild-users-group =\nmax-jobs = 2'
CGO_ENABLED=0 go build -o "$out/ask-nix" ./cmd/ask-nix   # with the real HOME and Go caches
export XDG_RUNTIME_DIR=$out/run XDG_CACHE_HOME=$out/cache XDG_STATE_HOME=$out/state HOME=$out/home
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
profile=$out/profiles/system
if [ ! -e "$out/built-$BASE-$GENS-$UNIQUE" ]; then
  echo "bench: building $BASE shared + $GENS x $UNIQUE unique paths and $GENS generations (takes a while, once)" >&2
  rm -rf "$out/profiles"; mkdir -p "$out/profiles"
  paths=$(nix-build --no-out-link bench/store.nix --arg base "$BASE" --arg gens "$GENS" --arg unique "$UNIQUE" 2>/dev/null)
  for p in $paths; do nix-env -p "$profile" --set "$p"; done
  touch "$out/built-$BASE-$GENS-$UNIQUE"
fi

A="$out/ask-nix --no-cache"
one=$(readlink -f "$profile")
links=$(ls -d "$out"/profiles/system-*-link)
npaths=$(nix path-info --all | wc -l)
ngens=$(ls -d "$out"/profiles/system-*-link | wc -l)
nclosure=$(nix-store -qR "$one" | wc -l)
echo "store: $npaths paths; profile: $ngens generations; one closure: $nclosure paths" >&2

json=$out/results; mkdir -p "$json"
bench() { # name, ask-nix command, nix command (run through a shell: the nix side may be a pipeline)
  hyperfine -N -w 3 -r "$RUNS" --export-json "$json/$1.json" -n ask-nix "$2" -n nix "$3" >/dev/null 2>&1 || { echo "bench: $1 failed without a shell, retrying with one" >&2;
    hyperfine -w 3 -r "$RUNS" --export-json "$json/$1.json" -n ask-nix "$2" -n nix "$3" >/dev/null; }
}
bench list-generations "$A generations --no-sizes --profile $profile" "nix-env -p $profile --list-generations"
# The fastest route users have today (as nh does it): list, then one batched path-info -S.
cat > "$out/nix-generations-with-sizes" <<SH
#!/bin/sh
nix-env -p $profile --list-generations >/dev/null && nix path-info -S $(echo $links) >/dev/null
SH
chmod +x "$out/nix-generations-with-sizes"
bench generations-with-sizes "$A generations --profile $profile" "$out/nix-generations-with-sizes"
# The same with the result cache warm (hyperfine's warm-up runs fill it): a repeated request.
bench generations-cached "$out/ask-nix generations --profile $profile" "$out/nix-generations-with-sizes"
bench closure-size "$A path-info -S $one" "nix path-info -S $one"
bench path-info "$A path-info --json $one" "nix path-info --json $one"
bench version "$out/ask-nix --version" "nix --version"
go run ./bench/report "$json"/*.json
