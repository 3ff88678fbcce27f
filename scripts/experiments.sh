#!/usr/bin/env bash
# The four reference experiments of SPEC section 8, run through the si command line: train each
# config, evaluate it on 5000 samples (si eval) and draw its pictures, then print the figures table
# beside the reference PyTorch code's. checker-with-score runs with several seeds to show the
# run-to-run noise. Takes about an hour on one core; not part of the test command.
#
#   scripts/experiments.sh                     # everything, results in experiments/
#   STEPS=500 SEEDS=0 scripts/experiments.sh   # a quick look at the whole pipeline
#   ONLY=checker-with-score scripts/experiments.sh
#   TABLE_ONLY=1 scripts/experiments.sh        # reprint the table from earlier results
#
# Environment: BUILD_DIR (default build), OUT (default experiments), STEPS (default: the configs'
# 7000), SEEDS (seeds of checker-with-score, default "0 1 2"), N (eval samples, default 5000),
# ONLY (one experiment), TABLE_ONLY.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
OUT=${OUT:-experiments}
STEPS=${STEPS:-}
SEEDS=${SEEDS:-"0 1 2"}
N=${N:-5000}
ONLY=${ONLY:-}
EXPERIMENTS="checker-with-score checker-with-denoiser checker-with-score-non-gaussian-base checker-mirror"
SI="$BUILD_DIR/cli/si"

if [ -z "${TABLE_ONLY:-}" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target si
fi
mkdir -p "$OUT"

run() {  # run NAME SEED
  local name=$1 seed=$2 dir="$OUT/$1-seed$2"
  mkdir -p "$dir"
  echo "== $name (seed $seed)"
  "$SI" train --config "configs/$name.json" --seed "$seed" ${STEPS:+--steps $STEPS} \
    --out "$dir/model.json" --log "$dir/losses.csv" 2>&1 | tee "$dir/train.txt" | grep -vE '^step ' || true
  "$SI" eval --model "$dir/model.json" --n "$N" --seed "$((seed + 100))" >"$dir/eval.json"
  cat "$dir/eval.json"
  # The pictures use the config's samplers: ODE dopri5 (atol = rtol = 1e-5), SDE eps 0.5 with 100 Heun steps.
  "$SI" sample --model "$dir/model.json" --method ode --n "$N" --seed "$seed" --out "$dir/ode.csv" \
    --trajectories "$dir/trajectories.csv" --frames 40 --paths 300
  "$SI" sample --model "$dir/model.json" --method sde --n "$N" --seed "$seed" --out "$dir/sde.csv"
  "$SI" plot samples --samples "$dir/ode.csv" --samples "$dir/sde.csv" --label "ODE (dopri5)" --label "SDE" \
    --model "$dir/model.json" --title "$name (seed $seed)" --out "$dir/samples.svg"
  "$SI" plot trajectories --trajectories "$dir/trajectories.csv" --title "$name: probability flow" \
    --out "$dir/trajectories.svg"
  "$SI" plot density --model "$dir/model.json" --grid 120 --title "$name: density" --out "$dir/density.svg" || true
  "$SI" plot loss --log "$dir/losses.csv" --title "$name: training losses" --out "$dir/loss.svg"
}

if [ -z "${TABLE_ONLY:-}" ]; then
  for name in $EXPERIMENTS; do
    [ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
    if [ "$name" = checker-with-score ]; then
      for seed in $SEEDS; do run "$name" "$seed"; done
    else
      run "$name" 0
    fi
  done
fi

# The table: mean (and spread over seeds where there are several) of each figure.
node - "$OUT" $EXPERIMENTS <<'JS'
const fs = require('fs');
const [out, ...names] = process.argv.slice(2);
const figures = [
  ['support_share_sde', 'SDE (eps 0.5, 100 Heun steps): share on the support', v => (100 * v).toFixed(1) + '%', '98.4%'],
  ['energy_distance_sde', 'SDE: energy distance to 5000 target samples', v => v.toFixed(4), '0.0028'],
  ['energy_distance_noise_floor', 'noise floor (two target samples)', v => v.toFixed(4), '0.0007'],
  ['support_share_ode', 'ODE (RK4, 200 steps): share on the support', v => (100 * v).toFixed(1) + '%', '93.1%'],
  ['energy_distance_ode', 'ODE: energy distance', v => v.toFixed(4), '0.0035'],
  ['ode_nll', 'ODE held-out NLL, nats (truth 3.4657)', v => v.toFixed(3), '3.613'],
  ['sde_nll', 'SDE held-out NLL, nats (500 points x 10 paths)', v => v.toFixed(3), '-'],
  ['train_seconds', 'training time, one thread', v => v.toFixed(0) + ' s', '819 s'],
  ['sec_per_step', 'seconds a step', v => v.toFixed(4), '0.117'],
];
const runs = {};
for (const name of names) {
  const dirs = fs.existsSync(out) ? fs.readdirSync(out).filter(d => d.startsWith(name + '-seed')) : [];
  runs[name] = dirs.map(d => {
    const f = `${out}/${d}/eval.json`;
    if (!fs.existsSync(f)) return null;
    const e = JSON.parse(fs.readFileSync(f, 'utf8'));
    // Training time from the loss log: its last row holds the step count and the seconds so far.
    const rows = fs.readFileSync(`${out}/${d}/losses.csv`, 'utf8').trim().split('\n');
    const last = rows[rows.length - 1].split(',').map(Number);
    e.train_seconds = last[last.length - 1];
    e.sec_per_step = e.train_seconds / last[0];
    return e;
  }).filter(Boolean);
}
const cell = (rs, key, fmt) => {
  const v = rs.map(r => r[key]).filter(x => typeof x === 'number');
  if (!v.length) return '-';
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length === 1) return fmt(m);
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  return `${fmt(m)} ± ${fmt(sd).replace(/ s$/, '')} (${v.length} seeds)`;
};
const head = ['figure (5000 samples)', 'reference code (checker-with-score)', ...names];
console.log('| ' + head.join(' | ') + ' |');
console.log('|' + head.map(() => '---').join('|') + '|');
for (const [key, label, fmt, ref] of figures)
  console.log('| ' + [label, ref, ...names.map(n => cell(runs[n], key, fmt))].join(' | ') + ' |');
JS
