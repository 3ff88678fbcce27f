#!/usr/bin/env bash
# End-to-end tests of the si command line, one case per call (ctest runs each as its own test):
#   run.sh SI_BINARY WORK_DIR CASE
# "train" is the fixture: it trains the tiny models the other cases use. JSON checks use node.
set -u
SI="$1"
WORK="$2"
CASE="$3"
rm -rf "${WORK:?}/$CASE"
mkdir -p "$WORK/$CASE"
cd "$WORK/$CASE" || exit 1

failures=0
fail() { echo "FAIL [$CASE]: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok   [$CASE]: $*"; }

# expect_exit CODE PATTERN -- command...: the exit code and a stderr line matching PATTERN.
expect_exit() {
  local want="$1" pattern="$2"
  shift 3
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "'$*' exited $got, expected $want; stderr: $(head -c 400 err.txt)"
  elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" err.txt; then
    fail "'$*' stderr does not match /$pattern/: $(head -c 400 err.txt)"
  else
    pass "'$*' -> $want"
  fi
}

# node_check FILE.json 'JS expression over j' DESCRIPTION
node_check() {
  if node -e "const j = JSON.parse(require('fs').readFileSync('$1', 'utf8')); if (!($2)) { console.error(JSON.stringify(j, null, 1)); process.exit(1); }"; then
    pass "$3"
  else
    fail "$3: ($2) is false for $1"
  fi
}

# SI_TEST_QUICK=1 (sanitized builds, scripts/sanitize.sh): the fixture trains 150 steps instead of
# 600 and eval runs on small sizes; the model-quality thresholds below are then not checked (they
# were measured for 600 steps and n = 1000), every command and format check still is.
QUICK=0
[ -n "${SI_TEST_QUICK:-}" ] && [ "${SI_TEST_QUICK}" != 0 ] && QUICK=1
TRAIN_STEPS=600
[ "$QUICK" = 1 ] && TRAIN_STEPS=150

MODEL="$WORK/train/model.json"
UNTRAINED="$WORK/train/untrained.json"
# 30 steps learn the blob over [-4, 4]^2 but not the checkerboard inside it.
BLOB="$WORK/train/blob.json"

# What the trained model must reach and the broken ones must not. Measured with tiny.json at eval
# --n 1000 --sde-nll-n 100 --sde-nll-paths 4, seeds 3, 4, 5 (min-max over the seeds):
#   training steps    support share ODE / SDE    energy dist. ODE / SDE    NLL ODE / SDE
#   1 (untrained)     0.48-0.53 / 0.46-0.50      0.60-0.62 / 0.29-0.32     6.7-7.1 / 7.6-7.9
#   30 (blob)         0.39-0.42 / 0.42-0.44      0.03-0.05 / 0.02-0.03     4.40-4.45 / 4.48-4.56
#   100               0.47-0.49 / 0.51-0.57      0.015-0.03 / 0.014-0.02   4.22-4.27 / 4.20-4.29
#   300 (half-way)    0.62-0.65 / 0.65-0.70      0.020-0.032 / 0.012-0.028 3.97-3.97 / 3.97-4.09
#   600 (the test's)  0.73-0.74 / 0.74-0.78      0.012-0.023 / 0.005-0.014 3.87-3.89 / 3.92-3.98
# Chance is 1/2: a uniform spread over [-4, 4]^2 and the N(0, I) base put half their mass on the
# support. SUPPORT_MIN lies about 5 standard errors (sqrt(0.25 / 1000) = 0.016) above the 1-, 30-
# and 100-step models (0.57 at most) and below the trained one (0.73 at least); 300 steps sit on it.
# Energy distance cannot tell the blob from the checkerboard at n = 1000 (its noise floor is 0.016),
# so the NLL has to: the uniform density over [-4, 4]^2 has NLL log 64 = 4.16; the trained model is
# below it, the 30- and 100-step ones above.
SUPPORT_MIN=0.65
ENERGY_MAX=0.1
ODE_NLL_MAX=4.05
SDE_NLL_MAX=4.1

write_tiny_config() {
  cat >tiny.json <<JSON
{"base": {"type": "gaussian"}, "target": {"type": "checkerboard"},
 "interpolant": {"path": "one-sided-linear"}, "fields": "b+s",
 "network": {"hidden": [64, 64, 64], "activation": "relu"},
 "optimizer": {"lr": 3e-3, "step_size": 400, "decay": 0.5},
 "training": {"steps": $TRAIN_STEPS, "batch": 512, "seed": 0},
 "sampling": {"ode": {"method": "rk4", "steps": 100}, "sde": {"method": "heun", "eps": 0.5, "steps": 100}}}
JSON
}

case "$CASE" in
train)
  write_tiny_config
  expect_exit 0 "saved model.json after $TRAIN_STEPS steps" -- "$SI" train --config tiny.json --out model.json --log losses.csv
  expect_exit 0 "" -- "$SI" train --config tiny.json --steps 1 --out untrained.json --quiet
  expect_exit 0 "" -- "$SI" train --config tiny.json --steps 30 --out blob.json --quiet
  [ -s model.json ] || fail "no model.json"
  head -1 losses.csv | grep -qx "step,lr,loss_b,loss_s,seconds" || fail "losses.csv header: $(head -1 losses.csv)"
  [ "$(wc -l <losses.csv)" = $((TRAIN_STEPS / 10 + 1)) ] ||
    fail "losses.csv has $(wc -l <losses.csv) lines, expected $((TRAIN_STEPS / 10 + 1)) ($TRAIN_STEPS steps / 10 + header)"
  node_check model.json 'j.format === "stochastic-interpolants-model" && j.version === 1 && j.networks.b && j.networks.s && j.config.training.steps === '"$TRAIN_STEPS" "model file format and version"
  # Progress lines (stderr is not a terminal here) carry steps/s and time left.
  "$SI" train --config tiny.json --steps 20 --out p.json 2>progress.txt
  grep -qE "step 20/20 \(100%\).*b -?[0-9.]+ .*s -?[0-9.]+.*step/s.*left" progress.txt || fail "progress output: $(cat progress.txt)"
  ;;

help)
  expect_exit 0 "" -- "$SI" --help
  grep -q "Exit codes" out.txt || fail "top-level help lacks the exit codes"
  for c in train sample eval field plot figure bench info; do
    expect_exit 0 "" -- "$SI" $c --help
    grep -q "Usage: si $c" out.txt || fail "si $c --help: $(head -2 out.txt)"
  done
  expect_exit 0 "" -- "$SI" plot samples --help
  for k in densities trajectories linear-gamma gmm-likelihood high-dim; do
    expect_exit 0 "" -- "$SI" figure $k --help
    grep -q "Usage: si figure $k" out.txt || fail "si figure $k --help: $(head -2 out.txt)"
  done
  ;;

usage_errors)
  expect_exit 2 "subcommand is required" -- "$SI"
  expect_exit 2 "--n: must be positive, got 0" -- "$SI" sample --model "$MODEL" --n 0 --out s.csv
  expect_exit 2 "--n: must be positive, got -5" -- "$SI" eval --model "$MODEL" --n -5
  expect_exit 2 "--steps: must be positive" -- "$SI" train --config x.json --steps 0
  expect_exit 2 "--method: foo not in" -- "$SI" sample --model "$MODEL" --method foo --out s.csv
  expect_exit 2 "--model is required" -- "$SI" sample --out s.csv
  expect_exit 2 "--bogus" -- "$SI" sample --model "$MODEL" --out s.csv --bogus 3
  expect_exit 2 "--eps: must be non-negative" -- "$SI" sample --model "$MODEL" --method sde --eps -1 --out s.csv
  expect_exit 2 "--atol: tolerances apply to dopri5 only" -- "$SI" sample --model "$MODEL" --ode-method rk4 --atol 1e-3 --out s.csv
  expect_exit 2 "--steps: fixed steps do not apply to dopri5" -- "$SI" sample --model "$MODEL" --ode-method dopri5 --steps 10 --out s.csv
  expect_exit 2 "--eps: applies to --method sde only" -- "$SI" sample --model "$MODEL" --eps 0.5 --out s.csv
  expect_exit 2 "--t: .*not in range|--t: .*1" -- "$SI" field --model "$MODEL" --field b --t 1.5 --points p.csv
  expect_exit 2 "--field: q not in" -- "$SI" field --model "$MODEL" --field q --t 0.5 --points p.csv
  expect_exit 2 "--config: required" -- "$SI" field --field b --t 0.5 --points "$WORK/train/tiny.json"
  ;;

config_errors)
  echo '{"optimizer": {"lr": -1}}' >lr.json
  expect_exit 2 "optimizer.lr" -- "$SI" train --config lr.json --out m.json
  echo '{"network": {"hidden": [64], "activaton": "relu"}}' >key.json
  expect_exit 2 "network.activaton" -- "$SI" train --config key.json --out m.json
  echo '{"target": {"type": "banana"}}' >target.json
  expect_exit 2 "target" -- "$SI" train --config target.json --out m.json
  echo '{"training": {"batch": 0}}' >batch.json
  expect_exit 2 "training.batch" -- "$SI" train --config batch.json --out m.json
  echo '{"interpolant": {"path": "one-sided-linear"}, "base": {"type": "gmm", "means": [[0,0],[1,1]], "covs": [[[1,0],[0,1]],[[1,0],[0,1]]]}, "target": {"type": "gaussian"}}' >onesided.json
  expect_exit 2 "base" -- "$SI" train --config onesided.json --out m.json --steps 1
  [ ! -e m.json ] || fail "a failed train left m.json behind"
  ;;

numerical_error)
  # A learning rate of 1e30 blows the weights up: exit 1, and the last finite model is saved (and
  # said where), so nothing already learned is lost.
  echo '{"network": {"hidden": [16]}, "optimizer": {"lr": 1e30}, "training": {"batch": 64}}' >nan.json
  expect_exit 1 "si: numerical error: training step [0-9]+: .*NaN or inf.*saved the model after [0-9]+ finite steps to nan-model.json" -- "$SI" train --config nan.json --steps 50 --out nan-model.json
  [ -e nan-model.json ] || fail "the last finite model was not saved"
  "$SI" info --model nan-model.json >nan-info.json && pass "the saved model loads (its weights are finite)" ||
    fail "the saved model does not load"
  # 1e300: one step would make every weight inf from finite gradients; the weights are checked after
  # the update, not only the loss and gradient.
  echo '{"network": {"hidden": [16]}, "optimizer": {"lr": 1e300}, "training": {"batch": 64}}' >huge.json
  expect_exit 1 "would make a weight NaN or inf" -- "$SI" train --config huge.json --steps 1 --out huge-model.json
  grep -q null huge-model.json && fail "huge-model.json has null (non-finite) weights" || pass "no null weights saved"
  ;;

bad_inputs)
  # The CLI's bad-input table: each row exits 2 (usage) with a message naming the flag or field, in
  # bounded time (timeout 20 s each) and memory (ulimit -v 4 GB), never a crash, hang or silent run.
  # AddressSanitizer reserves terabytes of address space for its shadow memory, so under
  # scripts/sanitize.sh (SI_SANITIZED=1) ASan's own allocation limit stands in for the ulimit.
  if [ "${SI_SANITIZED:-0}" = 1 ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:max_allocation_size_mb=4000"
  else
    ulimit -v 4000000
  fi
  node -e "
    const fs = require('fs');
    const m = JSON.parse(fs.readFileSync('$MODEL', 'utf8'));
    const edit = (name, f) => { const j = JSON.parse(JSON.stringify(m)); f(j); fs.writeFileSync(name, JSON.stringify(j)); };
    edit('m-version.json', (j) => { j.version = 4294967297; });
    edit('m-hidden.json', (j) => { j.networks.b.hidden = [100000, 100000]; });
    edit('m-in.json', (j) => { j.networks.b.in = 1e20; });
    edit('m-act.json', (j) => { j.networks.b.activation = 'tanh'; });
    edit('m-steps.json', (j) => { j.steps = 9223372036854775807; });
    edit('m-neg.json', (j) => { j.networks.s.hidden = [-3]; });
    fs.writeFileSync('deep.json', '{\"base\": ' + '['.repeat(100000) + ']'.repeat(100000) + '}');
    fs.writeFileSync('m-deep.json', '{\"format\": \"stochastic-interpolants-model\", \"version\": 1, \"config\": ' + '['.repeat(100000) + ']'.repeat(100000) + '}');
    fs.writeFileSync('big-gmm.json', JSON.stringify({target: {type: 'random-gmm', components: 10000, dim: 4096}, base: {type: 'gaussian', dim: 4096}}));
    fs.writeFileSync('big-mean.json', JSON.stringify({target: {type: 'gaussian', mean: new Array(50000).fill(0)}}));
    fs.writeFileSync('garbage.json', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]));
  "
  printf '1,2x\n3,4\n' >bad-header.csv
  printf 'x,y\n1,nan\n' >nan.csv
  printf '0,0\n1,1\n' >pts.csv
  printf '0\n1\n' >pts1.csv
  mkdir -p adir
  T="$WORK/train/tiny.json"
  bad() {  # bad PATTERN -- command...
    local pattern="$1"
    shift 2
    expect_exit 2 "$pattern" -- timeout 20 "$@"
  }
  bad "--batch: must be an integer in \[1, 1048576\]" -- "$SI" train --config "$T" --batch 200000000 --out o.json
  bad "--batch: must be an integer in" -- "$SI" train --config "$T" --batch 4294967312 --out o.json
  bad "--batch: must be an integer in" -- "$SI" train --config "$T" --batch 3000000000 --out o.json
  bad "--steps: must be an integer in" -- "$SI" train --config "$T" --steps 9999999999999 --out o.json
  bad "--seed: must be an integer in \[0, 2\^53 - 1\]" -- "$SI" train --config "$T" --seed 99999999999999999999 --out o.json
  bad "--seed: must be an integer" -- "$SI" sample --model "$MODEL" --seed 1.5 --out s.csv
  bad "--seed: must be an integer" -- "$SI" sample --model "$MODEL" --seed -1 --out s.csv
  bad "--threads: must be an integer in \[1, 256\]" -- "$SI" train --config "$T" --threads 0 --out o.json
  bad "--threads: must be an integer in \[1, 256\]" -- "$SI" sample --model "$MODEL" --threads 257 --out s.csv
  bad "--threads: must be an integer in \[1, 256\]" -- "$SI" eval --model "$MODEL" --threads -2
  bad "--out: 'adir' is a directory" -- "$SI" train --config "$T" --out adir
  bad "--config: 'adir' is a directory" -- "$SI" train --config adir
  bad "--log: 'adir' is a directory" -- "$SI" train --config "$T" --out o.json --log adir
  bad "--config: 'deep.json' .*nested deeper than 64" -- "$SI" train --config deep.json
  bad "--model: 'm-deep.json' .*nested deeper than 64" -- "$SI" info --model m-deep.json
  bad "--config: 'garbage.json' .*not valid JSON" -- "$SI" train --config garbage.json
  bad "target: .*limit" -- "$SI" train --config big-gmm.json
  bad "target.mean: .*limit" -- "$SI" train --config big-mean.json
  bad "version: unsupported model file version 4294967297" -- "$SI" info --model m-version.json
  bad "networks.b.hidden: width 0 must be an integer in \[1, 4096\]" -- "$SI" info --model m-hidden.json
  bad "networks.b.in: must be an integer in \[3, 3\]" -- "$SI" info --model m-in.json
  bad "networks.b.activation: 'tanh' differs from the config" -- "$SI" info --model m-act.json
  bad "steps: must be an integer in" -- "$SI" info --model m-steps.json
  bad "networks.s.hidden: width 0" -- "$SI" info --model m-neg.json
  bad "--t: must be a finite number in \[0, 1\], got 'nan'" -- "$SI" field --model "$MODEL" --field b --t nan --points pts.csv
  bad "--t: must be in \[0, 1\]" -- "$SI" field --model "$MODEL" --field b --t 2 --points pts.csv
  bad "--t0: must be a finite number" -- "$SI" sample --model "$MODEL" --t0 nan --out s.csv
  bad "--t1: must be a finite number" -- "$SI" sample --model "$MODEL" --t1 nan --out s.csv
  bad "--eps-until: must be a finite number" -- "$SI" sample --model "$MODEL" --method sde --eps-until nan --out s.csv
  bad "--steps: must be an integer in \[1, 1000000\]" -- "$SI" sample --model "$MODEL" --method sde --steps 1000000000 --out s.csv
  bad "--n: .*limit" -- "$SI" sample --model "$MODEL" --n 100000 --trajectories t.csv --frames 100000 --out s.csv
  bad "--atol: must be in \[1e-12, 1\]" -- "$SI" sample --model "$MODEL" --atol 1e-300 --rtol 1e-300 --out s.csv
  bad "--steps: fixed steps do not apply to dopri5" -- "$SI" sample --model "$MODEL" --ode-method dopri5 --steps 5 --out s.csv
  bad "--atol: tolerances apply to dopri5 only" -- "$SI" sample --model "$MODEL" --ode-method rk4 --atol 1e-3 --out s.csv
  bad "--eps: must be non-negative" -- "$SI" sample --model "$MODEL" --method sde --eps -1 --out s.csv
  bad "--eps: applies to --method sde only" -- "$SI" sample --model "$MODEL" --method ode --eps 1 --out s.csv
  bad "--method" -- "$SI" sample --model "$MODEL" --method xyz --out s.csv
  bad "--ode-method" -- "$SI" sample --model "$MODEL" --ode-method rk45 --out s.csv
  bad "--n: must be positive" -- "$SI" sample --model "$MODEL" --n 0 --out s.csv
  bad "--points: 'bad-header.csv' line 1: not a row of numbers: '1,2x'" -- "$SI" field --model "$MODEL" --field b --t 0.5 --points bad-header.csv
  bad "--points: 'nan.csv' line 2: NaN or inf" -- "$SI" field --model "$MODEL" --field b --t 0.5 --points nan.csv
  bad "--from: points have dimension 1, the model's 2" -- "$SI" sample --model "$MODEL" --from pts1.csv --out s.csv
  bad "--model: cannot open 'nope.json'" -- "$SI" sample --model nope.json --out s.csv
  bad "--field" -- "$SI" field --model "$MODEL" --field w --t 0.5 --points pts.csv
  bad "--grid" -- "$SI" plot density --model "$MODEL" --grid 1000000 --out p.svg
  bad "--sde-nll-paths" -- "$SI" eval --model "$MODEL" --sde-nll-paths 1
  bad "" -- "$SI" frobnicate
  # The happy relatives still work: --from starts where it is told, backward runs from the target.
  "$SI" sample --model "$MODEL" --from pts.csv --method ode --steps 5 --out from.csv -q && [ "$(wc -l <from.csv)" = 3 ] &&
    pass "--from samples its 2 points" || fail "--from"
  ;;

file_errors)
  expect_exit 2 "--config: cannot open 'missing.json'" -- "$SI" train --config missing.json
  expect_exit 2 "--model: cannot open 'missing.json'" -- "$SI" eval --model missing.json
  printf '{"steps": \n' >broken.json
  expect_exit 2 "--config: 'broken.json' is not valid JSON.*line 2" -- "$SI" train --config broken.json
  expect_exit 2 "--model: 'broken.json' is not valid JSON" -- "$SI" sample --model broken.json --out s.csv
  cp "$WORK/train/tiny.json" config-as-model.json
  expect_exit 2 "--model: .*format: not a stochastic-interpolants model file" -- "$SI" sample --model config-as-model.json --out s.csv
  node -e "const fs=require('fs'); const j=JSON.parse(fs.readFileSync('$MODEL','utf8')); j.version=99; fs.writeFileSync('v99.json', JSON.stringify(j));"
  expect_exit 2 "version" -- "$SI" sample --model v99.json --out s.csv
  node -e "const fs=require('fs'); const j=JSON.parse(fs.readFileSync('$MODEL','utf8')); j.networks.b.params.pop(); fs.writeFileSync('short.json', JSON.stringify(j));"
  expect_exit 2 "networks.b.params" -- "$SI" sample --model short.json --out s.csv
  printf 'x,y\n1,2\n3,oops\n' >bad.csv
  expect_exit 2 "--points: 'bad.csv' line 3" -- "$SI" field --model "$MODEL" --field b --t 0.5 --points bad.csv
  printf '1,2,3\n' >d3.csv
  expect_exit 2 "--points: points have dimension 3" -- "$SI" field --model "$MODEL" --field b --t 0.5 --points d3.csv
  expect_exit 2 "--out: cannot write" -- "$SI" sample --model "$MODEL" --n 10 --out /nonexistent-dir/s.csv
  expect_exit 2 "--log: 'missing.csv'|--log: cannot open" -- "$SI" plot loss --log missing.csv --out l.svg
  ;;

round_trip)
  "$SI" sample --model "$MODEL" --method sde --n 300 --seed 7 --out a.csv -q &&
    "$SI" sample --model "$MODEL" --method sde --n 300 --seed 7 --out b.csv -q &&
    "$SI" sample --model "$MODEL" --method sde --n 300 --seed 8 --out c.csv -q || fail "sample failed"
  cmp -s a.csv b.csv && pass "same seed, identical SDE samples" || fail "same seed gave different samples"
  cmp -s a.csv c.csv && fail "different seeds gave identical samples" || pass "different seeds differ"
  "$SI" info --model "$MODEL" --out resaved.json >info.json || fail "info failed"
  cmp -s "$MODEL" resaved.json && pass "load + save is byte-identical" || fail "re-saved model differs from the original"
  node_check info.json 'j.version === 1 && j.fields.includes("b") && j.fields.includes("s") && j.networks.b.parameters > 0' "info summary"
  "$SI" sample --model resaved.json --method sde --n 300 --seed 7 --out d.csv -q
  cmp -s a.csv d.csv && pass "the re-saved model samples identically" || fail "re-saved model samples differently"
  ;;

sample_shape)
  for m in ode sde; do
    "$SI" sample --model "$MODEL" --method $m --n 257 --out $m.csv -q || fail "sample $m failed"
    [ "$(head -1 $m.csv)" = "x,y" ] || fail "$m header: $(head -1 $m.csv)"
    [ "$(wc -l <$m.csv)" = 258 ] || fail "$m.csv has $(wc -l <$m.csv) lines, expected 258"
    bad=$(tail -n +2 $m.csv | grep -cvE '^-?[0-9.]+(e-?[0-9]+)?,-?[0-9.]+(e-?[0-9]+)?$')
    [ "$bad" = 0 ] && pass "$m: 257 rows of 2 finite numbers" || fail "$m.csv has $bad malformed rows"
  done
  "$SI" sample --model "$MODEL" --method ode --ode-method dopri5 --atol 1e-4 --rtol 1e-4 --n 50 --out dp.csv 2>dp.txt || fail "dopri5 sample"
  grep -q "ODE dopri5 (atol 0.0001, rtol 0.0001)" dp.txt && pass "dopri5 options reported" || fail "dopri5 summary: $(cat dp.txt)"
  for e in euler heun; do
    "$SI" sample --model "$MODEL" --method ode --ode-method $e --steps 20 --n 20 --out $e.csv -q || fail "ode $e"
  done
  for e in euler heun-karras; do
    "$SI" sample --model "$MODEL" --method sde --sde-method $e --steps 20 --eps 0.2 --n 20 --out $e.csv -q || fail "sde $e"
  done
  ;;

trajectories)
  "$SI" sample --model "$MODEL" --method ode --steps 50 --n 40 --out s.csv --trajectories tr.csv --frames 11 -q || fail "sample failed"
  [ "$(head -1 tr.csv)" = "path,frame,t,x,y" ] || fail "trajectory header: $(head -1 tr.csv)"
  [ "$(wc -l <tr.csv)" = 441 ] || fail "tr.csv has $(wc -l <tr.csv) lines, expected 40 x 11 + 1"
  grep -q "^0,0,0," tr.csv && grep -q "^39,10,1," tr.csv && pass "frames from t=0 to t=1" || fail "frame times: $(sed -n 2p tr.csv)"
  # The last frame of each path is the sample itself.
  [ "$(grep '^0,10,' tr.csv | cut -d, -f4-)" = "$(sed -n 2p s.csv)" ] && pass "last frame = sample" || fail "last frame differs from the sample"
  ;;

eval_trained | eval_untrained)
  if [ "$CASE" = eval_trained ]; then
    names=(trained) models=("$MODEL")
  else
    names=(untrained blob) models=("$UNTRAINED" "$BLOB")
  fi
  sizes=(--n 1000 --sde-nll-n 100 --sde-nll-paths 4)
  [ "$QUICK" = 1 ] && sizes=(--n 200 --ode-steps 50 --sde-steps 50 --sde-nll-n 10 --sde-nll-paths 2)
  for i in "${!names[@]}"; do
    name=${names[$i]} model=${models[$i]}
    "$SI" eval --model "$model" --seed 3 "${sizes[@]}" >eval-$name.json 2>err.txt || fail "eval $name failed: $(cat err.txt)"
    node_check eval-$name.json '["energy_distance_ode","energy_distance_sde","energy_distance_noise_floor","ode_nll","ode_nll_se","sde_nll","sde_nll_se","ode_samples_mean_logp","support_share_ode","support_share_sde","true_entropy"].every(k => typeof j[k] === "number" && isFinite(j[k]))' "$name: every figure present and finite"
    node_check eval-$name.json 'Math.abs(j.true_entropy - 3.4657) < 1e-4 && j.support_share_target === 1' "$name: true entropy"
    [ "$QUICK" = 1 ] || node_check eval-$name.json 'j.energy_distance_noise_floor < 0.03' "$name: noise floor"
  done
  if [ "$QUICK" = 1 ]; then
    pass "SI_TEST_QUICK: model-quality thresholds not checked"
  elif [ "$CASE" = eval_trained ]; then
    node_check eval-trained.json "j.support_share_ode > $SUPPORT_MIN && j.support_share_sde > $SUPPORT_MIN" "trained: > $SUPPORT_MIN of samples on the support (chance 0.5)"
    node_check eval-trained.json "j.energy_distance_ode < $ENERGY_MAX && j.energy_distance_sde < $ENERGY_MAX" "trained: energy distance < $ENERGY_MAX"
    node_check eval-trained.json "j.ode_nll > 3.3 && j.ode_nll < $ODE_NLL_MAX && j.sde_nll > 3.3 && j.sde_nll < $SDE_NLL_MAX" "trained: NLLs between the entropy 3.47 and the uniform square's 4.16"
    node_check eval-trained.json 'Math.abs(-j.ode_samples_mean_logp - j.ode_nll) < 0.5' "trained: own-sample log-density close to the held-out NLL"
  else
    # Each broken model fails the support share and the NLL; the untrained one the energy distance too.
    for name in untrained blob; do
      node_check eval-$name.json "j.support_share_ode < $SUPPORT_MIN && j.support_share_sde < $SUPPORT_MIN" "$name: support share below $SUPPORT_MIN"
      node_check eval-$name.json "j.ode_nll > $ODE_NLL_MAX && j.sde_nll > $SDE_NLL_MAX" "$name: NLLs above the trained thresholds"
    done
    node_check eval-untrained.json "j.energy_distance_ode > $ENERGY_MAX && j.energy_distance_sde > $ENERGY_MAX" "untrained: energy distance above $ENERGY_MAX"
  fi
  ;;

field_exact)
  cat >gmm.json <<'JSON'
{"base": {"type": "gaussian"},
 "target": {"type": "gmm", "weights": [0.3, 0.7], "means": [[2, 0], [-1, 1]], "covs": [[[0.5, 0], [0, 0.5]], [[0.3, 0.1], [0.1, 0.4]]]},
 "interpolant": {"path": "linear", "gamma": "brownian"}}
JSON
  printf 'x,y\n0,0\n1,-2\n-1.5,0.5\n3,3\n' >pts.csv
  "$SI" field --config gmm.json --field logp --t 0 --points pts.csv --out logp0.csv || fail "field logp t=0"
  # At t = 0, rho_0 = N(0, I): log p = -log(2 pi) - |x|^2 / 2.
  node -e "
    const rows = require('fs').readFileSync('logp0.csv','utf8').trim().split('\n');
    if (rows[0] !== 'x,y,logp') { console.error('header', rows[0]); process.exit(1); }
    for (const r of rows.slice(1)) { const [x,y,l] = r.split(',').map(Number);
      const want = -Math.log(2*Math.PI) - (x*x+y*y)/2;
      if (Math.abs(l - want) > 1e-9) { console.error(r, want); process.exit(1); } }" &&
    pass "logp at t=0 equals the base log-density" || fail "logp at t=0"
  "$SI" field --config gmm.json --field logp --t 1 --points pts.csv --out logp1.csv || fail "field logp t=1"
  node -e "
    const rows = require('fs').readFileSync('logp1.csv','utf8').trim().split('\n').slice(1);
    const N = (x,y,mx,my,a,b,c) => { const det=a*c-b*b, dx=x-mx, dy=y-my; return Math.exp(-(c*dx*dx-2*b*dx*dy+a*dy*dy)/(2*det))/(2*Math.PI*Math.sqrt(det)); };
    for (const r of rows) { const [x,y,l] = r.split(',').map(Number);
      const want = Math.log(0.3*N(x,y,2,0,0.5,0,0.5) + 0.7*N(x,y,-1,1,0.3,0.1,0.4));
      if (Math.abs(l - want) > 1e-9) { console.error(r, want); process.exit(1); } }" &&
    pass "logp at t=1 equals the target mixture's log-density" || fail "logp at t=1"
  # The score at t=0 of N(0, I) is -x.
  "$SI" field --config gmm.json --field s --t 0 --points pts.csv --div >s0.csv || fail "field s"
  [ "$(head -1 s0.csv)" = "x,y,sx,sy,div_s" ] || fail "score header: $(head -1 s0.csv)"
  node -e "
    const rows = require('fs').readFileSync('s0.csv','utf8').trim().split('\n').slice(1);
    for (const r of rows) { const [x,y,sx,sy,d] = r.split(',').map(Number);
      if (Math.abs(sx + x) > 1e-9 || Math.abs(sy + y) > 1e-9 || Math.abs(d + 2) > 1e-9) { console.error(r); process.exit(1); } }" &&
    pass "score at t=0 is -x with divergence -2" || fail "score at t=0"
  for f in b eta v; do
    "$SI" field --config gmm.json --field $f --t 0.5 --points pts.csv >$f.csv || fail "field $f"
    [ "$(wc -l <$f.csv)" = 5 ] || fail "$f.csv lines"
  done
  expect_exit 2 "target: exact fields need a Gaussian mixture (.*); 'checkerboard' is not one" -- "$SI" field --config "$WORK/train/tiny.json" --field b --t 0.5 --points pts.csv
  ;;

field_model)
  printf 'x,y\n0,0\n1,-2\n-1.5,0.5\n' >pts.csv
  "$SI" field --model "$MODEL" --field b --t 0.3 --points pts.csv --div >b.csv || fail "learned b"
  [ "$(head -1 b.csv)" = "x,y,bx,by,div_b" ] && [ "$(wc -l <b.csv)" = 4 ] && pass "learned b table" || fail "b.csv: $(cat b.csv)"
  # The learned log rho_t at t = 0.8 (the backward flow of the network b from 0.8 to 0) against the
  # exact one of x_t = 0.2 x0 + 0.8 x1, x0 ~ N(0, I), x1 ~ checkerboard: a sum over the 8 squares
  # [a1, b1] x [a2, b2] of prod_k [Q((x_k - t b_k) / s) - Q((x_k - t a_k) / s)] / t, with s = 1 - t,
  # Q the normal upper tail, over 32. At the 16 square centres scaled by t it is -log(32 t^2) = -3.02
  # on the support and about -12 off it. Measured (max error on the support; mean on minus mean off):
  # untrained 4.35, 0.02; blob (30 steps) 1.29, 0.11; 100 steps 0.87, 0.45; trained 0.27, 2.14.
  { echo x,y; for u in -2.4 -0.8 0.8 2.4; do for w in -2.4 -0.8 0.8 2.4; do echo $u,$w; done; done; } >centres.csv
  "$SI" field --model "$MODEL" --field logp --t 0.8 --points centres.csv --steps 50 >l08.csv || fail "learned logp t=0.8"
  node -e "
    const erfc = (x) => { const z = Math.abs(x), t = 1 / (1 + 0.5 * z);  // Numerical Recipes erfcc, rel. error < 1.2e-7
      const r = t * Math.exp(-z*z - 1.26551223 + t*(1.00002368 + t*(0.37409196 + t*(0.09678418 + t*(-0.18628806 +
        t*(0.27886807 + t*(-1.13520398 + t*(1.48851587 + t*(-0.82215223 + t*0.17087277)))))))));
      return x >= 0 ? r : 2 - r; };
    const Q = (x) => 0.5 * erfc(x / Math.SQRT2), t = 0.8, s = 1 - t;
    const exact = (x, y) => { let p = 0;
      for (let i = -2; i <= 1; i++) for (let k = -2; k <= 1; k++) if ((i + k) % 2 === 0) {
        const f = (xk, a) => (Q((xk - t * (a + 2)) / s) - Q((xk - t * a) / s)) / t;
        p += f(x, 2 * i) * f(y, 2 * k); }
      return Math.log(p / 32); };
    const rows = require('fs').readFileSync('l08.csv','utf8').trim().split('\n').slice(1).map(r => r.split(',').map(Number));
    const on = [], off = [];
    for (const [x, y, l] of rows) ((Math.floor(x / (2 * t)) + Math.floor(y / (2 * t))) % 2 === 0 ? on : off).push([x, y, l]);
    const mean = (a) => a.reduce((p, [x, y, l]) => p + l, 0) / a.length;
    const err = Math.max(...on.map(([x, y, l]) => Math.abs(l - exact(x, y)))), contrast = mean(on) - mean(off);
    console.log('t = 0.8: max |learned - exact| on the support', err.toFixed(3), ', on minus off', contrast.toFixed(3));
    if (rows.length !== 16 || on.length !== 8 || ($QUICK === 0 && !(err < 0.5 && contrast > 1.3))) process.exit(1);" &&
    pass "learned logp at t=0.8 within 0.5 of the exact rho_t on the support, > 1.3 nats above off it" ||
    fail "learned logp at t=0.8 against the exact rho_t"
  "$SI" field --model "$MODEL" --field logp --t 1 --points pts.csv --steps 50 >l1.csv || fail "learned logp t=1"
  expect_exit 2 "--div: only b and s" -- "$SI" field --model "$MODEL" --field eta --t 0.5 --points pts.csv --div
  ;;

plot)
  "$SI" sample --model "$MODEL" --n 500 --out ode.csv --steps 40 --trajectories tr.csv --frames 10 --paths 50 -q || fail "sample"
  "$SI" sample --model "$MODEL" --method sde --n 500 --out sde.csv -q || fail "sample sde"
  expect_exit 0 "wrote samples.svg" -- "$SI" plot samples --samples ode.csv --samples sde.csv --label ODE --label SDE --model "$MODEL" --out samples.svg
  expect_exit 0 "wrote traj.svg" -- "$SI" plot trajectories --trajectories tr.csv --out traj.svg
  expect_exit 0 "wrote density.svg" -- "$SI" plot density --model "$MODEL" --grid 24 --steps 20 --out density.svg
  expect_exit 0 "wrote loss.svg" -- "$SI" plot loss --log "$WORK/train/losses.csv" --out loss.svg
  for f in samples traj density loss; do
    if [ -s $f.svg ] && head -c 200 $f.svg | grep -q "<svg" && tail -1 $f.svg | grep -q "</svg>"; then pass "$f.svg is an SVG"; else fail "$f.svg"; fi
  done
  [ "$(grep -c '<circle' samples.svg)" -ge 1500 ] || fail "samples.svg has $(grep -c '<circle' samples.svg) points, expected 3 x 500"
  grep -q 'data:image/png;base64,iVBORw0KGgo' density.svg && pass "density heatmap is an embedded PNG" || fail "no PNG in density.svg"
  grep -q '<polyline' loss.svg || fail "no curve in loss.svg"
  expect_exit 2 "--trajectories: .*no column 'path'" -- "$SI" plot trajectories --trajectories ode.csv --out t.svg
  expect_exit 2 "--label" -- "$SI" plot samples --samples ode.csv --label a --label b --out x.svg
  ;;

figure_densities)
  # Figure A with the SPEC's defaults: three rows, the curves a density (trapezoid on 150 points).
  expect_exit 0 "wrote a.svg and a.csv" -- "$SI" figure densities --out a.svg --csv a.csv
  [ "$(grep -c 'data:image/png;base64,iVBORw0KGgo' a.svg)" -ge 4 ] && pass "three heatmaps and a colour bar" || fail "heatmaps in a.svg"
  head -1 a.csv | grep -qx "kind,interpolant,t,x,density" || fail "a.csv header: $(head -1 a.csv)"
  node -e "
    const rows = require('fs').readFileSync('a.csv','utf8').trim().split('\n').slice(1).map(r => r.split(','));
    // kind, a quoted label with commas, then t, x, density: read from the end.
    const curves = {};
    for (const r of rows) if (r[0] === 'curve') { const k = r.slice(1, -3).join(',') + '@' + r[r.length-3];
      (curves[k] = curves[k] || []).push([+r[r.length-2], +r[r.length-1]]); }
    const keys = Object.keys(curves);
    if (keys.length !== 15) { console.error('curves', keys.length); process.exit(1); }
    for (const k of keys) { const c = curves[k], h = c[1][0] - c[0][0];
      let m = 0; for (let i = 0; i < c.length; i++) m += (i === 0 || i === c.length - 1 ? 0.5 : 1) * c[i][1] * h;
      if (Math.abs(m - 1) > 2e-3) { console.error(k, m); process.exit(1); } }
    // t = 0 is rho0 = 1/2 N(-3, 0.25) + 1/2 N(3, 0.25).
    const N = (x, m, v) => Math.exp(-(x-m)*(x-m)/(2*v)) / Math.sqrt(2*Math.PI*v);
    for (const [x, p] of curves[keys.find(k => k.endsWith('@0'))]) if (Math.abs(p - 0.5*N(x,-3,0.25) - 0.5*N(x,3,0.25)) > 1e-12) process.exit(1);" &&
    pass "15 curves, each integrating to 1 (2e-3 on the coarse grid); t = 0 is rho0" || fail "densities CSV"
  # Formula interpolants reach the figures: trig spelled out equals the built-in trig row.
  "$SI" figure densities --interpolant trig/zero --interpolant '{"path": "custom", "alpha": "cos(pi*t/2)", "beta": "sin(pi*t/2)", "gamma": "zero"}' --out f.svg --csv f.csv 2>/dev/null || fail "formula interpolant figure"
  node -e "
    const rows = require('fs').readFileSync('f.csv','utf8').trim().split('\n').slice(1).map(r => r.split(','));
    const a = rows.filter(r => r[1].includes('trig')), b = rows.filter(r => r[1].includes('alpha'));
    if (a.length !== b.length || a.length === 0) process.exit(1);
    for (let i = 0; i < a.length; i++) if (Math.abs(+a[i][a[i].length-1] - +b[i][b[i].length-1]) > 1e-9) { console.error(a[i], b[i]); process.exit(1); }" &&
    pass "a formula path equal to trig gives the same densities" || fail "formula vs built-in trig"
  ;;

figure_paths)
  # Figures B and C, smaller than the SPEC's (the C++ tests run the full size): every histogram
  # passes a KS test against its exact rho_t at level 1e-3 and lies close to it.
  expect_exit 0 "wrote b.svg" -- "$SI" figure trajectories --paths 400 --steps 100 --out b.svg --csv b.csv --csv-paths 5
  [ "$(grep -c '<polyline' b.svg)" = 27 ] && pass "3 highlighted paths in each of 9 panels" || fail "b.svg: $(grep -c '<polyline' b.svg) highlighted paths, expected 27"
  p_values=$(grep -oE '[0-9.]+:[0-9.e-]+' err.txt | cut -d: -f2)
  [ "$(echo "$p_values" | wc -l)" = 45 ] && pass "45 KS checks reported" || fail "KS lines: $(head -c 300 err.txt)"
  echo "$p_values" | awk '$1 < 1e-3 { bad++ } END { exit bad > 0 }' && pass "every KS p-value of figure B above 1e-3" || fail "figure B KS: $p_values"
  [ "$(wc -l <b.csv)" = $((9 * 5 * 101 + 1)) ] && pass "b.csv: 5 paths x 101 times x 9 panels" || fail "b.csv lines $(wc -l <b.csv)"
  expect_exit 0 "wrote c.svg and c.csv" -- "$SI" figure linear-gamma --paths 2000 --out c.svg --csv c.csv
  node -e "
    const rows = require('fs').readFileSync('c.csv','utf8').trim().split('\n').slice(1).map(r => r.split(','));
    if (rows.length !== 3 * 5 * 100) { console.error(rows.length); process.exit(1); }
    const by = {};
    for (const r of rows) { const n = r.length; const k = r[0] + '@' + r[n-7];
      (by[k] = by[k] || {gap: 0, n: 0, p: +r[n-1]}); by[k].gap += Math.abs(+r[n-4] - +r[n-3]); by[k].n++; }
    for (const [k, v] of Object.entries(by)) if (!(v.p > 1e-3) || v.gap / v.n > 0.03) { console.error(k, v); process.exit(1); }" &&
    pass "figure C: 15 histograms, KS p > 1e-3, mean gap to rho_t < 0.03" || fail "figure C histograms"
  ;;

figure_likelihood)
  expect_exit 0 "wrote d.svg and d.csv" -- "$SI" figure gmm-likelihood --n 1000 --out d.svg --csv d.csv
  [ "$(grep -c '<circle' d.svg)" = 3000 ] && pass "3 x 1000 coloured points" || fail "d.svg points: $(grep -c '<circle' d.svg)"
  node -e "
    const rows = require('fs').readFileSync('d.csv','utf8').trim().split('\n');
    if (rows[0] !== 'panel,x,y,logp,logp_se,exact_logp') { console.error(rows[0]); process.exit(1); }
    const p = {target: [], sde: [], ode: []};
    for (const r of rows.slice(1)) { const c = r.split(','); p[c[0]].push(c.slice(3).map(Number)); }
    const ode = Math.max(...p.ode.map(([l, s, e]) => Math.abs(l - e)));
    const err = p.sde.reduce((a, [l, s, e]) => a + l - e, 0) / p.sde.length;
    const se = Math.sqrt(p.sde.reduce((a, [l, s]) => a + s * s, 0)) / p.sde.length;
    console.log('ODE max error', ode, 'SDE mean error', err, 'SE', se);
    if (!(ode < 1e-3 && Math.abs(err) < 3 * se && p.target.every(([l, s, e]) => l === e))) process.exit(1);" &&
    pass "ODE likelihood within 1e-3 of log rho1; SDE likelihood within 3 SE on average" || fail "figure D likelihoods"
  ;;

figure_high_dim)
  expect_exit 0 "wrote e.svg and e.csv" -- "$SI" figure high-dim --dim 4 --steps 300 --every 150 --batch 256 --hidden 64,64 --lr 3e-3 --kl-n 200 --ode-steps 20 --sde-steps 20 --sde-paths 3 --field-points 100 --out e.svg --csv e.csv
  head -1 e.csv | grep -qx "step,train_seconds,loss_v,loss_s,kl_ode,kl_ode_se,kl_sde,kl_sde_se,kl_diff_se,err_v,err_s,exact_kl_ode,exact_kl_sde,ode_point_se,sde_point_se" || fail "e.csv header: $(head -1 e.csv)"
  [ "$(wc -l <e.csv)" = 4 ] || fail "e.csv: $(wc -l <e.csv) lines, expected records at 0, 150, 300"
  node -e "
    const rows = require('fs').readFileSync('e.csv','utf8').trim().split('\n').slice(1).map(r => r.split(',').map(Number));
    const [first, last] = [rows[0], rows[rows.length - 1]];
    // kl_ode, its SE, kl_sde, its SE at 4..7; errors at 9, 10; exact-field KLs at 11, 12.
    const falls = (k) => first[k] - last[k] > 3 * (first[k + 1] + last[k + 1]);
    if (!(falls(4) && falls(6) && last[9] < first[9] && last[10] < first[10] && Math.abs(last[11]) < 1e-3)) process.exit(1);" &&
    pass "KLs (ODE and SDE) and field errors fall in training; exact-field ODE KL ~ 0" || fail "figure E curves: $(cat e.csv)"
  grep -q "gives the lower KL by" err.txt && pass "reports which likelihood gives the lower KL" || fail "no verdict in: $(tail -3 err.txt)"
  ;;

figure_errors)
  expect_exit 2 "subcommand is required|A subcommand is required" -- "$SI" figure
  expect_exit 2 "--interpolant.alpha: 'cos\(pi\*t/2' at position 11: expected '\)'" -- "$SI" figure densities --interpolant '{"path": "custom", "alpha": "cos(pi*t/2", "beta": "t"}' --out x.svg
  expect_exit 2 "--interpolant.alpha: '1-t/2' must be 1 at t = 0 and 0 at t = 1" -- "$SI" figure densities --interpolant '{"path": "custom", "alpha": "1-t/2", "beta": "t"}' --out x.svg
  expect_exit 2 "--interpolant.gamma: unknown gamma 'wiggly'" -- "$SI" figure trajectories --interpolant linear/wiggly --out x.svg
  expect_exit 2 "--rho0: give every component a weight, or none" -- "$SI" figure densities --rho0 "1/2 N(0, 1) + N(1, 1)" --out x.svg
  expect_exit 2 "--eps: must be a number in \[0, 1000000\], got -1" -- "$SI" figure trajectories --eps=-1 --out x.svg
  expect_exit 2 "--times: must be a number in \[0, 1\], got 2" -- "$SI" figure densities --times 0,2 --out x.svg
  expect_exit 2 "--heat-times: must be an integer in \[2, 100000\], got 1|--heat-times: Value 1 not in range" -- "$SI" figure densities --heat-times 1 --out x.svg
  expect_exit 2 "--interpolant.beta: required" -- "$SI" figure linear-gamma --interpolant '{"path": "custom", "alpha": "1-t"}' --out x.svg
  expect_exit 2 "--base-components: must be an integer in \[1, 10000\], got 0" -- "$SI" figure gmm-likelihood --base-components 0 --out x.svg
  expect_exit 2 "--csv is required" -- "$SI" figure high-dim --out x.svg
  expect_exit 2 "--interpolant: figure E learns v and s of a two-sided path" -- "$SI" figure high-dim --interpolant one-sided-linear --out x.svg --csv x.csv
  expect_exit 2 "--out: cannot write" -- "$SI" figure densities --out /nonexistent-dir/x.svg
  [ ! -e x.svg ] || fail "a failed figure left x.svg behind"
  ;;

one_d)
  # A 1-D config with formula interpolant (trig spelled out, gamma typed in): training, sampling,
  # the exact field and the plots all take it.
  cat >one.json <<'JSON'
{"base": {"type": "gmm", "means": [[-3], [3]], "covs": [[[0.25]], [[0.25]]]},
 "target": {"type": "gmm", "means": [[-6], [0], [6]], "covs": [[[0.5]], [[0.33]], [[0.5]]]},
 "interpolant": {"path": "custom", "alpha": "cos(pi*t/2)", "beta": "sin(pi*t/2)", "gamma": "custom", "gamma_expr": "sqrt(2*t*(1-t))/2"},
 "network": {"hidden": [32, 32], "activation": "silu"}, "training": {"steps": 50, "batch": 128},
 "sampling": {"ode": {"method": "rk4", "steps": 20}, "sde": {"steps": 20}}}
JSON
  expect_exit 0 "saved m.json after 50 steps" -- "$SI" train --config one.json --out m.json
  node_check m.json 'j.config.interpolant.alpha === "cos(pi*t/2)" && j.config.interpolant.gamma_expr === "sqrt(2*t*(1-t))/2"' "the model file keeps the formulas"
  "$SI" sample --model m.json --n 300 --out ode.csv --trajectories tr.csv --frames 11 --paths 30 -q &&
    "$SI" sample --model m.json --method sde --n 300 --out sde.csv -q || fail "1-D sampling"
  [ "$(head -1 ode.csv)" = "x0" ] && [ "$(head -1 tr.csv)" = "path,frame,t,x0" ] || fail "1-D CSV headers: $(head -1 ode.csv) / $(head -1 tr.csv)"
  expect_exit 0 "wrote h.svg" -- "$SI" plot samples --samples ode.csv --samples sde.csv --model m.json --out h.svg
  [ "$(grep -c '<rect' h.svg)" -ge 180 ] && pass "1-D samples drawn as histograms (3 x 60 bins)" || fail "h.svg bars: $(grep -c '<rect' h.svg)"
  expect_exit 0 "wrote p.svg" -- "$SI" plot trajectories --trajectories tr.csv --out p.svg
  [ "$(grep -c '<polyline' p.svg)" = 30 ] && pass "30 paths over (t, x)" || fail "p.svg: $(grep -c '<polyline' p.svg) lines"
  expect_exit 0 "wrote dd.svg" -- "$SI" plot density --model m.json --steps 10 --out dd.svg
  # The exact score at t = 0 of rho0: at x = 3 (a component's mean, the other far) it is ~0.
  printf 'x0
3
-3.5
' >pts.csv
  "$SI" field --config one.json --field s --t 0 --points pts.csv >s.csv || fail "1-D exact field"
  node -e "
    const r = require('fs').readFileSync('s.csv','utf8').trim().split('\n');
    const [x1, s1] = r[1].split(',').map(Number), [x2, s2] = r[2].split(',').map(Number);
    if (r[0] !== 'x0,sx0' || Math.abs(s1) > 1e-6 || Math.abs(s2 - 2) > 1e-6) { console.error(r); process.exit(1); }" &&
    pass "exact 1-D score with a formula interpolant" || fail "s.csv: $(cat s.csv)"
  ;;

images)
  # Fashion-MNIST at 14 x 14 (a 2,000-image subset, a small network, 40 steps): training, the PNG grid,
  # the image figures and the image yardsticks run and write what they say; bad uses are named.
  cat >img.json <<'JSON'
{"base": {"type": "gaussian", "dim": 196}, "target": {"type": "fashion-mnist", "size": 14, "limit": 2000},
 "interpolant": {"path": "one-sided-linear"}, "fields": "b+s",
 "network": {"hidden": [64, 64], "activation": "silu"},
 "optimizer": {"lr": 1e-3, "schedule": "cosine", "ema": 0.99}, "training": {"steps": 40, "batch": 64},
 "sampling": {"ode": {"method": "heun", "steps": 10}, "sde": {"method": "heun", "eps": 1, "steps": 20}}}
JSON
  expect_exit 0 "saved m.json after 40 steps" -- "$SI" train --config img.json --out m.json
  node_check m.json 'j.config.optimizer.schedule === "cosine" && j.config.optimizer.ema === 0.99 && j.config.target.size === 14' "the model keeps the image config"
  expect_exit 0 "64 samples" -- "$SI" sample --model m.json --n 64 --out s.csv --png s.png
  [ "$(head -c 8 s.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && pass "s.png is a PNG" || fail "s.png header"
  [ "$(head -1 s.csv | tr ',' '\n' | wc -l)" = 196 ] && [ "$(wc -l <s.csv)" = 65 ] && pass "s.csv: 64 rows of 196 pixels" || fail "s.csv shape"
  expect_exit 0 "wrote g.svg \(7 rows x 10 frames\)" -- "$SI" figure eps-grid --model m.json --out g.svg --steps 18
  [ "$(grep -c '<image' g.svg)" = 7 ] && pass "eps-grid: 7 rows of frames" || fail "g.svg images: $(grep -c '<image' g.svg)"
  expect_exit 0 "" -- "$SI" eval --model m.json --n 200 --bpd-n 10 --image-eps 1,4 --ode-steps 10 --out e.json -q
  node_check e.json 'j.samples.length === 3 && j.samples[2].eps === 4 && j.energy_distance.floor_test_halves > 0 && j.energy_distance.gaussian > j.energy_distance.floor_test_halves && j.judge.test_accuracy > 0.7 && j.bits_per_dim.hutchinson > 0 && Math.abs(j.bits_per_dim.exact_first - j.bits_per_dim.hutchinson_first) < 0.05' "eval: ODE + 2 SDE rows, references ordered, judge > 70%, bpd by both divergences"
  # The samplers' flags reach the image yardsticks (each sample row says how it was drawn); --eps is refused.
  expect_exit 0 "" -- "$SI" eval --model m.json --n 50 --bpd-n 0 --image-eps 1 --ode-method rk4 --ode-steps 6 --sde-method euler --sde-steps 7 --eps-until 0.5 --out e2.json -q
  node_check e2.json '/^ODE rk4 \(6 steps\)/.test(j.samples[0].how) && /^SDE euler \(eps 1, 7 steps\)/.test(j.samples[1].how) && /noise off after t = 0.5/.test(j.samples[1].how)' "eval: --ode-method, --sde-method and --eps-until reach the image samplers"
  expect_exit 2 "--eps: image models take their noise levels from --image-eps" -- "$SI" eval --model m.json --n 50 --eps 1
  expect_exit 2 "--png: images must be square" -- "$SI" sample --model "$MODEL" --n 4 --out x.csv --png x.png
  expect_exit 2 "--model: eps-grid draws images" -- "$SI" figure eps-grid --model "$MODEL" --out x.svg
  expect_exit 2 "--model: is not a mirror model" -- "$SI" figure mirror --model m.json --out x.svg
  expect_exit 2 "target.size: " -- "$SI" train --config <(sed 's/"size": 14/"size": 15/' img.json) --out x.json
  expect_exit 2 "target: cannot open" -- "$SI" train --config <(sed 's|"limit": 2000|"limit": 2000, "dir": "/nonexistent"|' img.json) --out x.json
  # The mirror strip of a mirror model: from a training image through noise to a new one.
  sed -e 's/"path": "one-sided-linear"}, "fields": "b+s"/"path": "mirror", "gamma": "brownian"}, "fields": "s"/' img.json >mirror.json
  expect_exit 0 "saved mm.json" -- "$SI" train --config mirror.json --out mm.json
  expect_exit 0 "wrote ms.svg \(2 rows x 7 frames\)" -- "$SI" figure mirror --model mm.json --image 5 --rows 2 --steps 14 --out ms.svg
  expect_exit 2 "--image: must be below 2000" -- "$SI" figure mirror --model mm.json --image 2000 --out ms.svg
  ;;

bench_smoke)
  expect_exit 0 "" -- "$SI" bench --config "$WORK/train/tiny.json" --steps 2 --warmup 1 --no-torch
  grep -qE "si 1 thr" out.txt && grep -qE "tiny.json +[0-9.]+ +[0-9.]+ +[0-9.]+x" out.txt && pass "bench table" || fail "bench output: $(cat out.txt)"
  ;;

*)
  echo "unknown case $CASE" >&2
  exit 2
  ;;
esac

if [ "$failures" -gt 0 ]; then
  echo "$CASE: $failures failure(s)" >&2
  exit 1
fi
exit 0
