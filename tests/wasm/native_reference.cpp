// The native side of the wasm agreement test (tests/wasm/native.test.mjs) and of the benchmark
// (tests/wasm/bench.mjs): runs the same calls as the wasm bindings, through the same sampling plan
// (core's si/sampling.hpp), and prints the numbers as JSON.
//
//   native_reference run request.json     -> results of the request's parts (see below)
//   native_reference bench config.json N  -> {"seconds_per_step": ...} over N steps after a warm-up
//
// A request: {"train": {"config": {...}, "steps": 50, "ode": {...}, "sde": {...}, "modelJSON": true,
//                       "likelihood": {"points": [...], "ode": {...}}},
//             "load": {"model": "<model file text>", "field": "b", "t": 0.5, "points": [...]},
//             "exact": {"spec": {...}, "ode": {...}, "sde": {...}},
//             "distribution": {"spec": ..., "n": 100, "seed": 3}}
// Every part is optional; sampler options are the JS ones (API.md).
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "si/config.hpp"
#include "si/distributions.hpp"
#include "si/gmm_fields.hpp"
#include "si/model.hpp"
#include "si/parallel.hpp"
#include "si/sampling.hpp"
#include "si/session.hpp"

using nlohmann::json;

namespace {

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

template <typename Derived>
json flat(const Eigen::PlainObjectBase<Derived>& m) {
  std::vector<double> v(m.data(), m.data() + m.size());
  return v;
}

template <typename S>
json sampled_json(const si::Sampled<S>& s) {
  json out = {{"samples", flat(s.result.x)}, {"nfe", s.result.stats.nfe}};
  if (s.logp.size()) out["logDensity"] = flat(s.logp);
  return out;
}

json run(const json& req) {
  json out = json::object();
  if (req.contains("train")) {
    const json& tr = req["train"];
    si::TrainingSession session(tr.at("config"));
    json losses = json::array();
    const int steps = tr.value("steps", 50);
    for (int i = 0; i < steps; ++i) losses.push_back(session.step(1).losses);
    out["losses"] = losses;
    const si::Model model = session.model();
    const si::SamplingDefaults ctx = si::sampling_defaults(model);
    if (tr.value("modelJSON", false)) out["model"] = model.to_json().dump();
    if (tr.contains("ode"))
      out["ode"] = sampled_json(si::run_ode<float>(model, ctx, si::read_ode_plan(tr["ode"], ctx, true)));
    if (tr.contains("sde"))
      out["sde"] = flat(si::run_sde<float>(model, ctx, si::read_sde_plan(tr["sde"], ctx, true)).result.x);
    if (tr.contains("likelihood")) {
      const json& lk = tr["likelihood"];
      const std::vector<float> p = lk.at("points").get<std::vector<float>>();
      const si::MatF x = Eigen::Map<const si::MatF>(p.data(), model.dim(), p.size() / model.dim());
      const si::OdePlan c = si::read_ode_plan(lk.value("ode", json::object()), ctx, false);
      out["likelihood"] = flat(si::run_ode_likelihood<float>(model, ctx, x, c).logp);
    }
  }
  if (req.contains("exact")) {
    const json& ex = req["exact"];
    const json& spec = ex.at("spec");
    const si::GmmFields fields = si::GmmFields::from_config(si::TrainingConfig::from_json(spec));
    const si::SamplingDefaults ctx = si::sampling_defaults(fields);
    if (ex.contains("ode"))
      out["exactOde"] = sampled_json(si::run_ode<double>(fields, ctx, si::read_ode_plan(ex["ode"], ctx, true)));
    if (ex.contains("sde"))
      out["exactSde"] = flat(si::run_sde<double>(fields, ctx, si::read_sde_plan(ex["sde"], ctx, true)).result.x);
  }
  if (req.contains("load")) {  // a model file written elsewhere (e.g. by the wasm package), evaluated here
    const json& ld = req["load"];
    const si::Model model = si::Model::from_json(json::parse(ld.at("model").get<std::string>()));
    const std::vector<float> p = ld.at("points").get<std::vector<float>>();
    const si::MatF x = Eigen::Map<const si::MatF>(p.data(), model.dim(), p.size() / model.dim());
    si::MatF y;
    model.evaluate(ld.at("field").get<std::string>(), ld.at("t").get<double>(), x, y);
    out["loaded"] = flat(y);
  }
  if (req.contains("distribution")) {
    const json& d = req["distribution"];
    const auto dist = si::make_distribution(d.at("spec"), "spec");
    si::Rng rng(d.value("seed", std::uint64_t{0}));
    out["distribution"] = flat(dist->sample(d.at("n").get<Eigen::Index>(), rng));
  }
  return out;
}

json bench(const json& config, int steps) {
  si::TrainingSession session(config);
  session.step(2);  // warm-up: caches and allocations
  const auto t0 = std::chrono::steady_clock::now();
  session.step(steps);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {{"seconds_per_step", s / steps}, {"steps", steps}};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    si::set_threads(1);  // the wasm module's one thread: the bench compares one core with one core
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "run" && argc == 3) {
      std::cout << run(read_json(argv[2])).dump() << "\n";
      return 0;
    }
    if (mode == "bench" && argc == 4) {
      std::cout << bench(read_json(argv[2]), std::stoi(argv[3])).dump() << "\n";
      return 0;
    }
    std::cerr << "usage: native_reference run request.json | bench config.json steps\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "native_reference: " << e.what() << "\n";
    return 1;
  }
}
