// si bench: seconds per training step of the reference config (4 x 256 relu, batch 2000,
// one-sided-linear b + s) and of the browser config (3 x 128, batch 512), side by side with the
// PyTorch peer (shared/bench/torch_peer.py, single-threaded) when python3 with torch is around.
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "common.hpp"
#include "si/session.hpp"

#ifndef SI_SOURCE_DIR
#define SI_SOURCE_DIR "."
#endif

namespace si::cli {

namespace {

struct BenchOptions {
  std::string config;
  int steps = 20, warmup = 2;
  bool no_torch = false, json = false;
};

struct Case {
  std::string name;
  TrainingConfig cfg;
};

TrainingConfig reference_config(std::vector<int> hidden, int batch) {
  // The rest is the schema's default: gaussian -> checkerboard, one-sided-linear, b+s, relu, Adam 2e-3.
  return TrainingConfig::from_json({{"network", {{"hidden", hidden}}}, {"training", {{"batch", batch}}}});
}

double time_ours(const TrainingConfig& cfg, int steps, int warmup) {
  TrainingSession s(cfg);
  s.step(warmup);
  const auto t0 = std::chrono::steady_clock::now();
  s.step(steps);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
}

bool exists(const std::string& p) { return std::ifstream(p).good(); }

std::string find_peer() {
  if (const char* e = std::getenv("SI_TORCH_PEER"))
    if (exists(e)) return e;
  for (const std::string& p :
       {std::string("../shared/bench/torch_peer.py"), std::string(SI_SOURCE_DIR) + "/../shared/bench/torch_peer.py"})
    if (exists(p)) return p;
  return "";
}

std::string find_torch_python() {
  for (const char* py : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(py) + " -c 'import torch' >/dev/null 2>&1").c_str()) == 0) return py;
  return "";
}

// The peer trains exactly this kind of model; other configs have no torch figure.
bool peer_matches(const TrainingConfig& c) {
  return c.path == "one-sided-linear" && c.fields == FieldSet::BS && c.activation == Activation::ReLU &&
         c.make_target()->name() == "checkerboard" && c.make_base()->name() == "gaussian" &&
         c.make_base()->dim() == 2 && c.antithetic;
}

double time_torch(const std::string& py, const std::string& peer, const TrainingConfig& cfg, int steps,
                  std::string& threads) {
  std::string hidden;
  for (size_t i = 0; i < cfg.hidden.size(); ++i) hidden += (i ? "," : "") + std::to_string(cfg.hidden[i]);
  const std::string cmd = "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 " + py + " '" + peer + "' " +
                          std::to_string(steps) + " " + hidden + " " + std::to_string(cfg.batch) + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return -1;
  std::string out;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), int(buf.size()), f)) out += buf.data();
  if (pclose(f) != 0) {
    std::cerr << "bench: the torch peer failed:\n" << out;
    return -1;
  }
  const auto at = out.find("sec_per_step=");
  if (at == std::string::npos) return -1;
  const auto th = out.find("threads=");
  if (th != std::string::npos) threads = out.substr(th + 8, out.find_first_of(" \n", th) - th - 8);
  return std::atof(out.c_str() + at + 13);
}

int run_bench(const BenchOptions& o) {
  std::vector<Case> cases;
  if (!o.config.empty()) {
    cases.push_back({o.config, load_config(o.config)});
  } else {
    cases.push_back({"reference 4x256, batch 2000", reference_config({256, 256, 256, 256}, 2000)});
    cases.push_back({"browser 3x128, batch 512", reference_config({128, 128, 128}, 512)});
  }
  const std::string peer = o.no_torch ? "" : find_peer();
  const std::string py = peer.empty() ? "" : find_torch_python();
  if (!o.no_torch && (peer.empty() || py.empty()))
    std::cerr << "bench: no PyTorch peer (" << (peer.empty() ? "torch_peer.py not found" : "python3 without torch")
              << "); timing si only\n";
  nlohmann::json rows = nlohmann::json::array();
  std::printf("%-30s %12s %10s %14s %12s\n", "config (one thread)", "si s/step", "steps/s", "torch s/step",
              "torch / si");
  for (const Case& c : cases) {
    const double ours = time_ours(c.cfg, o.steps, o.warmup);
    double torch = -1;
    std::string threads;
    if (!py.empty() && peer_matches(c.cfg)) torch = time_torch(py, peer, c.cfg, o.steps + o.warmup, threads);
    char tb[32] = "-", rb[32] = "-";
    if (torch > 0) {
      std::snprintf(tb, sizeof tb, "%.4f", torch);
      std::snprintf(rb, sizeof rb, "%.2fx", torch / ours);
    }
    std::printf("%-30s %12.4f %10.1f %14s %12s\n", c.name.c_str(), ours, 1.0 / ours, tb, rb);
    std::fflush(stdout);
    nlohmann::json row{{"config", c.name}, {"si_sec_per_step", ours}, {"si_steps_per_sec", 1.0 / ours}};
    row["torch_sec_per_step"] = torch > 0 ? nlohmann::json(torch) : nlohmann::json(nullptr);
    row["ratio_torch_over_si"] = torch > 0 ? nlohmann::json(torch / ours) : nlohmann::json(nullptr);
    if (!threads.empty()) row["torch_threads"] = threads;
    rows.push_back(row);
  }
  std::printf("(%d timed steps after %d warm-up; torch/si > 1 means si is faster)\n", o.steps, o.warmup);
  if (o.json) std::cout << rows.dump(2) << "\n";
  return kOk;
}

}  // namespace

Command add_bench(CLI::App& root) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* app = root.add_subcommand("bench", "Time training steps (reference and browser configs), beside PyTorch");
  app->add_option("--config,-c", o->config, "Time this config instead of the two built-in ones");
  app->add_option("--steps", o->steps, "Timed steps")->capture_default_str()->check(kPositive);
  app->add_option("--warmup", o->warmup, "Untimed steps first")->capture_default_str()->check(kPositive);
  app->add_flag("--no-torch", o->no_torch, "Do not run the PyTorch peer");
  app->add_flag("--json", o->json, "Also print the figures as JSON");
  app->footer(
      "The peer is shared/bench/torch_peer.py (or $SI_TORCH_PEER), run by a python3 that imports torch with\n"
      "OPENBLAS_NUM_THREADS=1 (and OMP_NUM_THREADS=1), for configs it implements (one-sided-linear b+s, relu,\n"
      "gaussian -> checkerboard).");
  return {app, [o] { return run_bench(*o); }};
}

}  // namespace si::cli
