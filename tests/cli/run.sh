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

MODEL="$WORK/train/model.json"
UNTRAINED="$WORK/train/untrained.json"

write_tiny_config() {
  cat >tiny.json <<'JSON'
{"base": {"type": "gaussian"}, "target": {"type": "checkerboard"},
 "interpolant": {"path": "one-sided-linear"}, "fields": "b+s",
 "network": {"hidden": [64, 64, 64], "activation": "relu"},
 "optimizer": {"lr": 3e-3, "step_size": 400, "decay": 0.5},
 "training": {"steps": 600, "batch": 512, "seed": 0},
 "sampling": {"ode": {"method": "rk4", "steps": 100}, "sde": {"method": "heun", "eps": 0.5, "steps": 100}}}
JSON
}

case "$CASE" in
train)
  write_tiny_config
  expect_exit 0 "saved model.json after 600 steps" -- "$SI" train --config tiny.json --out model.json --log losses.csv
  expect_exit 0 "" -- "$SI" train --config tiny.json --steps 1 --out untrained.json --quiet
  [ -s model.json ] || fail "no model.json"
  head -1 losses.csv | grep -qx "step,lr,loss_b,loss_s,seconds" || fail "losses.csv header: $(head -1 losses.csv)"
  [ "$(wc -l <losses.csv)" = 61 ] || fail "losses.csv has $(wc -l <losses.csv) lines, expected 61 (600 steps / 10 + header)"
  node_check model.json 'j.format === "stochastic-interpolants-model" && j.version === 1 && j.networks.b && j.networks.s && j.config.training.steps === 600' "model file format and version"
  # Progress lines (stderr is not a terminal here) carry steps/s and time left.
  "$SI" train --config tiny.json --steps 20 --out p.json 2>progress.txt
  grep -qE "step 20/20 \(100%\).*b -?[0-9.]+ .*s -?[0-9.]+.*step/s.*left" progress.txt || fail "progress output: $(cat progress.txt)"
  ;;

help)
  expect_exit 0 "" -- "$SI" --help
  grep -q "Exit codes" out.txt || fail "top-level help lacks the exit codes"
  for c in train sample eval field plot bench info; do
    expect_exit 0 "" -- "$SI" $c --help
    grep -q "Usage: si $c" out.txt || fail "si $c --help: $(head -2 out.txt)"
  done
  expect_exit 0 "" -- "$SI" plot samples --help
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
  # A learning rate of 1e30 blows the weights up at once: exit 1, no model file left behind.
  echo '{"network": {"hidden": [16]}, "optimizer": {"lr": 1e30}, "training": {"batch": 64}}' >nan.json
  expect_exit 1 "si: numerical error: training step [0-9]+: .*NaN or inf" -- "$SI" train --config nan.json --steps 50 --out nan-model.json
  [ ! -e nan-model.json ] || fail "a failed train left nan-model.json behind"
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
  grep -q "ODE dopri5 (atol 1e-04, rtol 1e-04)" dp.txt && pass "dopri5 options reported" || fail "dopri5 summary: $(cat dp.txt)"
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
  model="$MODEL"
  [ "$CASE" = eval_untrained ] && model="$UNTRAINED"
  "$SI" eval --model "$model" --n 1000 --seed 3 --sde-nll-n 100 --sde-nll-paths 4 >eval.json 2>err.txt || fail "eval failed: $(cat err.txt)"
  node_check eval.json '["energy_distance_ode","energy_distance_sde","energy_distance_noise_floor","ode_nll","ode_nll_se","sde_nll","sde_nll_se","ode_samples_mean_logp","support_share_ode","support_share_sde","true_entropy"].every(k => typeof j[k] === "number" && isFinite(j[k]))' "every figure present and finite"
  node_check eval.json 'Math.abs(j.true_entropy - 3.4657) < 1e-4 && j.support_share_target === 1 && j.energy_distance_noise_floor < 0.03' "true entropy and noise floor"
  if [ "$CASE" = eval_trained ]; then
    # Measured: support ~0.75 (ODE and SDE), energy distance ~0.01-0.02, NLL ~3.9 (truth 3.466).
    node_check eval.json 'j.support_share_ode > 0.6 && j.support_share_sde > 0.6' "trained: > 60% of samples on the support"
    node_check eval.json 'j.energy_distance_ode < 0.1 && j.energy_distance_sde < 0.1' "trained: energy distance < 0.1"
    node_check eval.json 'j.ode_nll > 3.3 && j.ode_nll < 4.6 && j.sde_nll > 3.3 && j.sde_nll < 4.8' "trained: NLLs near the entropy 3.47"
    node_check eval.json 'Math.abs(-j.ode_samples_mean_logp - j.ode_nll) < 0.5' "trained: own-sample log-density close to the held-out NLL"
  else
    # Measured: support ~0.5, energy distance ~0.4-0.7, NLL ~7.
    node_check eval.json 'j.support_share_ode < 0.6 && j.energy_distance_ode > 0.2 && j.ode_nll > 5' "untrained: fails the trained thresholds"
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
  expect_exit 2 "target: is 'checkerboard', not a Gaussian mixture" -- "$SI" field --config "$WORK/train/tiny.json" --field b --t 0.5 --points pts.csv
  ;;

field_model)
  printf 'x,y\n0,0\n1,-2\n-1.5,0.5\n' >pts.csv
  "$SI" field --model "$MODEL" --field b --t 0.3 --points pts.csv --div >b.csv || fail "learned b"
  [ "$(head -1 b.csv)" = "x,y,bx,by,div_b" ] && [ "$(wc -l <b.csv)" = 4 ] && pass "learned b table" || fail "b.csv: $(cat b.csv)"
  "$SI" field --model "$MODEL" --field logp --t 0 --points pts.csv >l0.csv || fail "learned logp"
  node -e "
    const rows = require('fs').readFileSync('l0.csv','utf8').trim().split('\n').slice(1);
    for (const r of rows) { const [x,y,l] = r.split(',').map(Number);
      if (Math.abs(l + Math.log(2*Math.PI) + (x*x+y*y)/2) > 1e-9) { console.error(r); process.exit(1); } }" &&
    pass "learned logp at t=0 is the base density" || fail "learned logp at t=0"
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

bench_smoke)
  expect_exit 0 "" -- "$SI" bench --config "$WORK/train/tiny.json" --steps 2 --warmup 1 --no-torch
  grep -qE "si s/step" out.txt && grep -qE "tiny.json +[0-9.]+ +[0-9.]+" out.txt && pass "bench table" || fail "bench output: $(cat out.txt)"
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
