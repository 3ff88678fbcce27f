// si bench: seconds per training step of the reference config (4 x 256 relu, batch 2000,
// one-sided-linear b + s), the browser config (3 x 128, batch 512) and an image-sized config
// (d = 196, 3 x 512 SiLU, batch 128), on one thread and on all, side by side with the PyTorch peers
// (shared/bench/torch_peer.py, and scripts/torch_image_peer.py for the image step) at the same thread
// counts when python3 with torch is around; then
// sampling and likelihood throughput, and the peak memory (tests/wasm/gemm_bench.cpp times GEMM).
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "common.hpp"
#include "si/parallel.hpp"
#include "si/sampling.hpp"
#include "si/session.hpp"

#ifndef SI_SOURCE_DIR
#define SI_SOURCE_DIR "."
#endif

namespace si::cli {

namespace {

struct BenchOptions {
  std::string config;
  int steps = 20, warmup = 2;
  int repeat = 1;   // rounds per figure, the best kept
  int threads = 0;  // 0: all hardware threads
  bool no_torch = false;
  std::string json;  // also write the figures here as JSON
};

struct Case {
  std::string name;
  TrainingConfig cfg;
};

TrainingConfig reference_config(std::vector<int> hidden, int batch) {
  // The rest is the schema's default: gaussian -> checkerboard, one-sided-linear, b+s, relu, Adam 2e-3.
  return TrainingConfig::from_json({{"network", {{"hidden", hidden}}}, {"training", {{"batch", batch}}}});
}

// The image step's shape (SPEC 11's 14 x 14 images) on Gaussian data, so no data file is needed.
TrainingConfig image_config() {
  return TrainingConfig::from_json({{"base", {{"type", "gaussian"}, {"dim", 196}}},
                                    {"target", {{"type", "paper-gmm"}, {"components", 2}, {"dim", 196}}},
                                    {"network", {{"hidden", {512, 512, 512}}, {"activation", "silu"}}},
                                    {"training", {{"batch", 128}}}});
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double time_ours(const TrainingConfig& cfg, int steps, int warmup, int threads) {
  TrainingSession s(cfg);
  s.set_threads(threads);
  s.step(warmup);
  const auto t0 = std::chrono::steady_clock::now();
  s.step(steps);
  return seconds_since(t0) / steps;
}

struct Throughput {
  double ode = 0, sde = 0, likelihood = 0;  // samples (points) per second
};

// Sampling and likelihoods of an (untrained) reference-sized model: RK4 and stochastic Heun with 100
// steps, the ODE likelihood with the exact divergence, n points each.
Throughput time_sampling(const TrainingConfig& cfg, Eigen::Index n) {
  const Model model = TrainingSession(cfg).model();
  const SamplingDefaults defaults = sampling_defaults(model);
  Throughput r;
  const nlohmann::json ode = {{"method", "rk4"}, {"steps", 100}, {"n", n}};
  auto t0 = std::chrono::steady_clock::now();
  const auto samples = run_ode<float>(model, defaults, read_ode_plan(ode, defaults, true));
  r.ode = double(n) / seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  run_sde<float>(model, defaults, read_sde_plan({{"method", "heun"}, {"steps", 100}, {"n", n}}, defaults, true));
  r.sde = double(n) / seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  run_ode_likelihood<float>(model, defaults, samples.result.x,
                            read_ode_plan({{"method", "rk4"}, {"steps", 100}}, defaults, false));
  r.likelihood = double(n) / seconds_since(t0);
  return r;
}

double peak_memory_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

bool exists(const std::string& p) { return std::ifstream(p).good(); }

// A peer script: $env if it names a file, else `relative` from the working directory or the source tree.
std::string find_peer(const char* env, const std::string& relative) {
  if (const char* e = std::getenv(env))
    if (exists(e)) return e;
  for (const std::string& p : {relative, std::string(SI_SOURCE_DIR) + "/" + relative})
    if (exists(p)) return p;
  return "";
}

std::string find_torch_python() {
  for (const char* py : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(py) + " -c 'import torch' >/dev/null 2>&1").c_str()) == 0) return py;
  return "";
}

// The peer script for a config and the arguments after STEPS HIDDEN BATCH: torch_peer.py trains the
// reference kind of model (relu, gaussian -> checkerboard in 2-D), torch_image_peer.py the image kind
// (silu, gaussian -> paper-gmm in d dimensions); other configs have no torch figure (empty script).
std::pair<std::string, std::string> peer_for(const TrainingConfig& c, const std::string& reference_peer,
                                             const std::string& image_peer) {
  if (c.path != "one-sided-linear" || c.fields != FieldSet::BS || !c.antithetic || c.make_base()->name() != "gaussian")
    return {};
  const int dim = c.make_base()->dim();
  if (c.activation == Activation::ReLU && c.make_target()->name() == "checkerboard" && dim == 2)
    return {reference_peer, ""};
  if (c.activation == Activation::SiLU && c.make_target()->name() == "paper-gmm" && c.make_target()->dim() == dim &&
      c.target.contains("components"))
    return {image_peer, std::to_string(dim) + " " + std::to_string(c.target["components"].get<int>())};
  return {};
}

double time_torch(const std::string& py, const std::string& peer, const std::string& peer_args,
                  const TrainingConfig& cfg, int steps, int nthreads, std::string& threads, std::string& kernel) {
  std::string hidden;
  for (size_t i = 0; i < cfg.hidden.size(); ++i) hidden += (i ? "," : "") + std::to_string(cfg.hidden[i]);
  const std::string n = std::to_string(nthreads);
  const std::string cmd = "OPENBLAS_NUM_THREADS=" + n + " OMP_NUM_THREADS=" + n + " MKL_NUM_THREADS=" + n + " " + py +
                          " '" + peer + "' " + std::to_string(steps) + " " + hidden + " " + std::to_string(cfg.batch) +
                          " " + peer_args + " 2>&1";
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
  const auto kt = out.find("openblas_coretype=");
  if (kt != std::string::npos) kernel = out.substr(kt + 18, out.find_first_of(" \n", kt) - kt - 18);
  return std::atof(out.c_str() + at + 13);
}

std::string fixed(double v, const char* format) {
  if (!(v > 0)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

nlohmann::json or_null(double v) { return v > 0 ? nlohmann::json(v) : nlohmann::json(nullptr); }

int run_bench(const BenchOptions& o) {
  std::vector<Case> cases;
  if (!o.config.empty()) {
    cases.push_back({o.config, load_config(o.config)});
  } else {
    cases.push_back({"reference 4x256, batch 2000", reference_config({256, 256, 256, 256}, 2000)});
    cases.push_back({"browser 3x128, batch 512", reference_config({128, 128, 128}, 512)});
    cases.push_back({"image d=196 3x512 silu, b128", image_config()});
  }
  const int all = o.threads > 0 ? o.threads : hardware_threads();
  const std::string peer = o.no_torch ? "" : find_peer("SI_TORCH_PEER", "../shared/bench/torch_peer.py");
  const std::string image_peer = o.no_torch ? "" : find_peer("SI_TORCH_IMAGE_PEER", "scripts/torch_image_peer.py");
  const std::string py = peer.empty() && image_peer.empty() ? "" : find_torch_python();
  if (!o.no_torch && (peer.empty() || py.empty()))
    std::cerr << "bench: no PyTorch peer for the 2-D steps ("
              << (peer.empty() ? "torch_peer.py not found" : "python3 without torch") << "); timing si only there\n";
  nlohmann::json report = {{"threads", all}, {"steps", nlohmann::json::array()}};
  std::string kernel;
  std::printf("seconds per training step; %d = all threads of this machine\n", all);
  std::printf("%-30s %10s %10s %8s %11s %11s %12s %12s\n", "config", "si 1 thr", "si all", "speedup", "torch 1 thr",
              "torch all", "torch/si 1", "torch/si all");
  for (const Case& c : cases) {
    // Each figure is the best of --repeat rounds, ours and the peer's in turn, so that a busy spell
    // on a shared machine slows one round of both sides rather than one side's only figure.
    double one = -1, many = -1, t1 = -1, tall = -1;
    std::string threads;
    const auto [script, args] = peer_for(c.cfg, peer, image_peer);
    const bool torch = !py.empty() && !script.empty();
    const auto best = [](double so_far, double t) { return t > 0 && (so_far <= 0 || t < so_far) ? t : so_far; };
    for (int round = 0; round < o.repeat; ++round) {
      one = best(one, time_ours(c.cfg, o.steps, o.warmup, 1));
      if (torch) t1 = best(t1, time_torch(py, script, args, c.cfg, o.steps + o.warmup, 1, threads, kernel));
      if (all == 1) continue;
      many = best(many, time_ours(c.cfg, o.steps, o.warmup, all));
      if (torch) tall = best(tall, time_torch(py, script, args, c.cfg, o.steps + o.warmup, all, threads, kernel));
    }
    if (all == 1) many = one, tall = t1;
    std::printf("%-30s %10.4f %10.4f %7.2fx %11s %11s %12s %12s\n", c.name.c_str(), one, many, one / many,
                fixed(t1, "%.4f").c_str(), fixed(tall, "%.4f").c_str(), fixed(t1 / one, "%.2fx").c_str(),
                fixed(tall / many, "%.2fx").c_str());
    std::fflush(stdout);
    report["steps"].push_back(
        {{"config", c.name}, {"si_1", one}, {"si_all", many}, {"torch_1", or_null(t1)}, {"torch_all", or_null(tall)}});
  }
  if (!kernel.empty()) report["torch_openblas_coretype"] = kernel;
  std::printf("(best of %d rounds of %d timed steps after %d warm-up; torch/si > 1 means si is faster%s)\n", o.repeat,
              o.steps, o.warmup, kernel.empty() ? "" : ("; torch's OpenBLAS kernel: " + kernel).c_str());
  if (o.config.empty()) {
    const Eigen::Index n = 500;
    set_threads(1);
    const Throughput s1 = time_sampling(cases[0].cfg, n);
    set_threads(all);
    const Throughput sa = time_sampling(cases[0].cfg, n);
    std::printf("\nreference model, %ld points, per second:   1 thread   %d threads\n", long(n), all);
    std::printf("  ODE samples (RK4, 100 steps)      %10.0f %10.0f\n", s1.ode, sa.ode);
    std::printf("  SDE samples (Heun, 100 steps)     %10.0f %10.0f\n", s1.sde, sa.sde);
    std::printf("  ODE likelihoods (RK4, exact div)  %10.0f %10.0f\n", s1.likelihood, sa.likelihood);
    report["per_second"] = {{"ode_1", s1.ode},
                            {"ode_all", sa.ode},
                            {"sde_1", s1.sde},
                            {"sde_all", sa.sde},
                            {"likelihood_1", s1.likelihood},
                            {"likelihood_all", sa.likelihood}};
  }
  report["peak_memory_mb"] = peak_memory_mb();
  std::printf("\npeak memory of si bench: %.0f MB\n", peak_memory_mb());
  if (!o.json.empty()) write_text_file(o.json, report.dump(2) + "\n", "--json");
  return kOk;
}

}  // namespace

Command add_bench(CLI::App& root) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* app = root.add_subcommand("bench", "Time training steps, GEMM, sampling and likelihoods, beside PyTorch");
  app->add_option("--config,-c", o->config, "Time this config instead of the two built-in ones");
  app->add_option("--steps", o->steps, "Timed steps")->capture_default_str()->check(kPositive);
  app->add_option("--warmup", o->warmup, "Untimed steps first")->capture_default_str()->check(kPositive);
  app->add_option("--repeat", o->repeat, "Rounds of each step figure, ours and the peer's in turn; the best is kept")
      ->capture_default_str()
      ->check(kPositive);
  app->add_option("--threads", o->threads, "The 'all threads' count (default: every core)")->check(kThreads);
  app->add_flag("--no-torch", o->no_torch, "Do not run the PyTorch peer");
  app->add_option("--json", o->json, "Also write the figures to this file as JSON");
  app->footer(
      "The peer is shared/bench/torch_peer.py (or $SI_TORCH_PEER), run by a python3 that imports torch with\n"
      "OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) set to 1 and to all threads, for configs it implements\n"
      "(one-sided-linear b+s, relu, gaussian -> checkerboard); scripts/torch_image_peer.py (or\n"
      "$SI_TORCH_IMAGE_PEER) likewise for silu, gaussian -> paper-gmm in d dimensions (the image step).\n"
      "Each picks OpenBLAS's kernel and prints it.");
  return {app, [o] { return run_bench(*o); }};
}

}  // namespace si::cli
