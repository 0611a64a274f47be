#!/usr/bin/env bash
# Builds every fuzz target and runs each for N seconds (default 30):
#   fuzz/run.sh [seconds] [target...]
# Works on the stable toolchain (see README.md). New inputs the fuzzer finds
# go to target/fuzz/corpus/<target> (not into the repo's seeds); a crash
# stops the run with its input in fuzz/artifacts/<target>/.
set -euo pipefail
seconds=${1:-30}
shift || true
cd "$(dirname "$0")"
root=$(cd .. && pwd)

# The targets never need the server's embedded plugin: point its build
# script at an empty directory that exists (a missing one would make cargo
# rebuild the server crate on every call).
export HOST_SHIM_EMBED_BUNDLES="$root/target/fuzz/no-bundles"
mkdir -p "$HOST_SHIM_EMBED_BUNDLES/playbooks"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
# Stable toolchain: with no sanitizer, cargo-fuzz passes rustc no -Z flag
# (the code under test is safe Rust; ASan would add little and needs
# nightly). Release with debug assertions and overflow checks (its
# default). 16 codegen units instead of its 1: the instrumented build of
# wasmtime and Cranelift takes a fraction of the time, and the targets
# still run tens of thousands of inputs a second.
flags=(--sanitizer none --codegen-units 16)

start=$(date +%s)
cargo fuzz build "${flags[@]}"
echo "fuzz: build took $(( $(date +%s) - start )) s"

for target in "${targets[@]}"; do
    work="$root/target/fuzz/corpus/$target"
    mkdir -p "$work"
    dict=()
    [ -f "dict/$target.dict" ] && dict=("-dict=$PWD/dict/$target.dict")
    echo "fuzz: $target for ${seconds} s"
    log="$root/target/fuzz/logs/$target.log"
    mkdir -p "$(dirname "$log")"
    # -rss_limit_mb: the targets meter their own calls (fuzz/src/lib.rs);
    # this is the backstop for the whole process.
    if ! cargo fuzz run "${flags[@]}" "$target" "$work" "$PWD/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz: $target FAILED (log $log; the input is in fuzz/artifacts/$target/)"
        exit 1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $target: $runs inputs, no crash; corpus $(ls "$work" | wc -l) entries"
done
echo "fuzz: all targets ran ${seconds} s without a crash ($(( $(date +%s) - start )) s in all)"
