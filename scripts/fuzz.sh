#!/usr/bin/env bash
# Fuzzes the readers of untrusted input with libFuzzer, ASan and UBSan (harnesses in tests/fuzz/):
#   config        JSON text -> si::TrainingConfig::from_json (and its to_json round trip)
#   model         JSON text -> si::Model::from_json (round trip, every field evaluated on 3 points)
#   distribution  JSON text -> si::make_distribution, 5 samples, log_density where known
#   points_csv    CSV file  -> si::cli::read_points_csv (checked against read_csv_table, round trip)
#
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]
#   SECONDS per harness (default 60); one process per harness, as many at a time as there are cores
#   (SI_FUZZ_PARALLEL=1: one after another).
#   Configures build-fuzz/ once (clang, -DSI_FUZZ=ON), rebuilds it incrementally, then prints per
#   harness the executions, coverage (cov: edges, ft: features), corpus size and findings. Exits 1 if
#   any harness crashed (sanitizer report, uncaught exception, failed check), timed out (> 10 s for
#   one input) or ran out of memory (> 2048 MB): an accepted input must be cheap to read.
#
# Where things go:
#   tests/fuzz/corpus/<harness>/   the committed seeds (read only during a run)
#   build-fuzz/corpus/<harness>/   the working corpus: what the fuzzer found interesting; it persists,
#                                  so every run continues where the last one stopped
#   tests/fuzz/findings/<harness>/ crash-*, timeout-*, oom-*, leak-* inputs (ignored by git)
#   build-fuzz/logs/<harness>.log  the fuzzer's output
#
# Long run (e.g. overnight, or one harness for an hour; the working corpus keeps growing):
#   scripts/fuzz.sh 28800                  # 8 hours per harness
#   scripts/fuzz.sh 3600 model             # one harness
#   SI_FUZZ_FLAGS="-jobs=2 -workers=2" ... # more processes, only on a machine nobody else uses
# The harnesses run in libFuzzer's fork mode (-fork=1 -ignore_crashes=1 ...), so a finding does not
# end the run: every distinct one is saved and the run goes on.
#
# Reproduce or minimise a finding (the same binary runs a single input when given a file):
#   build-fuzz/tests/fuzz/fuzz_model tests/fuzz/findings/model/crash-...
#   build-fuzz/tests/fuzz/fuzz_model -minimize_crash=1 -runs=20000 tests/fuzz/findings/model/crash-...
# Add an input worth keeping to the seeds: copy it into tests/fuzz/corpus/<harness>/ (keep files small),
# or shrink the working corpus into the seeds: fuzz_X -merge=1 tests/fuzz/corpus/X build-fuzz/corpus/X.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(config model distribution points_csv)
build=build-fuzz

bash scripts/setup.sh clang-14 libclang-rt-14-dev
cxx=$(command -v clang++ || command -v clang++-14)

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "== configuring $build (clang, SI_FUZZ=ON)"
  # -O1 -g without NDEBUG: Eigen's own assertions (sizes, indices) stay on.
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DSI_FUZZ=ON -DSI_BUILD_TESTS=OFF -DSI_BUILD_CLI=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
fi
echo "== building $build"
mkdir -p "$build/logs"
if ! cmake --build "$build" -j "${JOBS:-2}" --target $(printf 'fuzz_%s ' "${harnesses[@]}") >"$build/logs/build.log" 2>&1; then
  tail -40 "$build/logs/build.log" >&2
  exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One fuzzer per core at a time (SI_FUZZ_PARALLEL, default: the cores), each a single process.
parallel=${SI_FUZZ_PARALLEL:-$(nproc)}
fuzz_one() {
  local h=$1 dict=tests/fuzz/si.dict
  [ "$h" = points_csv ] && dict=tests/fuzz/csv.dict
  # shellcheck disable=SC2086
  "$build/tests/fuzz/fuzz_$h" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -dict="$dict" -artifact_prefix="tests/fuzz/findings/$h/" -print_final_stats=1 \
    ${SI_FUZZ_FLAGS:-} "$build/corpus/$h" "tests/fuzz/corpus/$h" >"$build/logs/$h.log" 2>&1 || true
}
running=0
for h in "${harnesses[@]}"; do
  mkdir -p "$build/corpus/$h" "$build/logs" "tests/fuzz/findings/$h"
  # libFuzzer names an input by its hash, so a known finding found again rewrites its file: count
  # the files written during this run.
  touch "$build/logs/$h.start"
  echo "== fuzzing $h for ${seconds}s (log: $build/logs/$h.log)"
  fuzz_one "$h" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
summary=()
for h in "${harnesses[@]}"; do
  bin="$build/tests/fuzz/fuzz_$h"
  marker="$build/logs/$h.start"
  log="$build/logs/$h.log"
  # Fork mode's status lines: "#<runs>: cov: C ft: F corp: N exec/s E oom/timeout/crash: O/T/X time: Ss ...".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  if [ -z "$last" ]; then
    echo "   $h: the fuzzer did not start; see $log" >&2
    tail -20 "$log" >&2
    failed=1
    continue
  fi
  runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(sed -E 's/.* cov: ([0-9]+) .*/\1/' <<<"$last")
  ft=$(sed -E 's/.* ft: ([0-9]+) .*/\1/' <<<"$last")
  corp=$(sed -E 's/.* corp: ([0-9]+) .*/\1/' <<<"$last")
  eps=$(sed -E 's/.* exec\/s ([0-9]+) .*/\1/' <<<"$last")
  otc=$(sed -E 's/.* oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+) .*/\1/' <<<"$last")
  new=$(find "tests/fuzz/findings/$h" -type f -newer "$marker" | wc -l)
  line=$(printf '%-13s %10s execs %6s exec/s  cov %5s  ft %6s  corpus %5s  oom/timeout/crash %s  inputs saved %s' \
    "$h" "$runs" "$eps" "$cov" "$ft" "$corp" "$otc" "$new")
  summary+=("$line")
  echo "   $line"
  if [ "$otc" != "0/0/0" ] || [ "$new" -gt 0 ]; then
    failed=1
    # Fork mode does not keep the children's reports: run each new input again on its own, and
    # group the inputs by what they hit and the innermost frame in the project's code.
    echo "   findings of $h (inputs: kind | innermost frame in core/, cli/ or tests/fuzz/ | smallest input):"
    find "tests/fuzz/findings/$h" -type f -newer "$marker" | while read -r path; do
      out=$("$bin" -timeout=10 -rss_limit_mb=2048 "$path" 2>&1 || true)
      kind=$(grep -m1 -oE 'si-fuzz finding: .{0,150}|runtime error: .{0,150}|ERROR: (AddressSanitizer|LeakSanitizer): .{0,100}|ERROR: libFuzzer: [a-z-]+|out-of-memory \(malloc\([0-9]+\)\)' <<<"$out" |
        sed -E 's/0x[0-9a-f]+/0x.../g; s/ \(pc .*//' || echo "no report on a rerun (flaky?)")
      frame=$(grep -E '^ *#[0-9]+ 0x[0-9a-f]+ in .* /[^ ]*/(core|cli|tests/fuzz)/[^ ]+:[0-9]+' <<<"$out" |
        grep -v fuzz_support.hpp | head -1 |
        sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ in //; s/\(.*\)//; s# /[^ ]*/((core|cli|tests/fuzz)/[^ ]*)$# \1#' | cut -c1-160)
      printf '%s\t%s | %s\t%s\n' "$(wc -c <"$path")" "$kind" "${frame:-?}" "$path"
    done | sort -n | awk -F'\t' '{ key = $2; gsub(/[0-9]+/, "N", key)  # one group for "read 1 points" and "read 3 points"
        if (!(key in n)) { order[++k] = key; text[key] = $2; first[key] = $3 } n[key]++ }
      END { for (i = 1; i <= k; i++) printf "     %d x %s | %s\n", n[order[i]], text[order[i]], first[order[i]] }'
  fi
done

echo "== summary (${seconds}s per harness)"
printf '   %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "== fuzz: findings (inputs in tests/fuzz/findings/; reproduce with $build/tests/fuzz/fuzz_<harness> FILE)" >&2
  exit 1
fi
echo "== fuzz: no findings"
