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
CGO_ENABLED=0 go build -o "$out/ask-nix-policy" ./cmd/ask-nix-policy   # beside it, where ask-nix looks
CGO_ENABLED=0 go build -o "$out/ask-nix-index" ./cmd/ask-nix-index     # index update runs it
export GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) # kept when HOME moves below
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
# The same right after nix-env touched the profile (its lock file moves the directory's
# mtime): closure sizes are cached by store path, so only the generation list is re-read.
hyperfine -N -w 3 -r "$RUNS" --prepare "nix-env -p $profile --list-generations" --export-json "$json/generations-after-nix-env.json" \
  -n ask-nix "$out/ask-nix generations --profile $profile" -n nix "nix-env -p $profile --list-generations" >/dev/null
bench closure-size "$A path-info -S $one" "nix path-info -S $one"
bench path-info "$A path-info --json $one" "nix path-info --json $one"
bench version "$out/ask-nix --version" "nix --version"
go run ./bench/report "$json"/*.json

# Search (issue 3): end to end against ask-nix's own start-up (target ≤ 3x), in process
# (target p50 ≤ 1 ms, p99 ≤ 5 ms), and building the index (≤ 2 s, ≤ 300 MB, ≤ 25 MB).
shared=${SHARED:-../shared}
hyperfine -N -w 3 -r "$RUNS" --export-json "$out/search.json" -n search "$out/ask-nix search firefox" -n version "$out/ask-nix --version" \
  -n need "$out/ask-nix search video editors" -n details "$out/ask-nix search --details python312" >/dev/null
python3 - "$out/search.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"search firefox: {r[0]['median']*1000:.1f} ms, --version {r[1]['median']*1000:.1f} ms: {r[0]['median']/r[1]['median']:.2f}x (medians)")
print(f"search video editors: {r[2]['median']*1000:.1f} ms ({r[2]['median']/r[1]['median']:.2f}x); search --details python312: {r[3]['median']*1000:.1f} ms ({r[3]['median']/r[1]['median']:.2f}x)")
PY
go test -count=1 ./engine/search -run 'TestQueryLatency' -v | grep -o 'package benchmark.*\|all, .*'
if [ -e "$shared/data/nixpkgs/packages.json.br" ]; then
  XDG_DATA_HOME=$out/data hyperfine -N -w 1 -r 5 --export-json "$out/index.json" "$out/ask-nix index update --from $shared/data/nixpkgs/packages.json.br" >/dev/null
  python3 - "$out/index.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"index update: median {r['median']:.2f} s of 5")
PY
  XDG_DATA_HOME=$out/data /usr/bin/time -f "index update: peak RSS %M KB" "$out/ask-nix" index update --from "$shared/data/nixpkgs/packages.json.br" >/dev/null
  echo "index on disk: $(stat -c %s "$out/data/ask-nix/index") bytes"
fi

# Agent mode (issue 17): calls through the MCP SDK's client against a warm server, on this
# store's 110-generation profile (targets: generations ≤ 5 ms, a closure size ≤ 3 ms,
# search firefox ≤ 2 ms a call), next to the command line's times above.
NIX_STORE_DIR=$NIX_STORE_DIR NIX_STATE_DIR=$NIX_STATE_DIR BENCH_PROFILE=$profile \
  go test -count=1 ./engine/agent -run XXX -bench BenchmarkWarm -benchtime 300x -count 3 | grep Benchmark

# WASM rules (issue 6): what one ask-nix process pays, medians of 3 × 20.
go test -count=1 ./engine/rules -run XXX -bench . -benchtime 20x -count 3 | grep Benchmark
