// si train: runs a training session from a config file, shows progress, logs losses to CSV and
// saves the model as JSON. Ctrl-C stops after the current step and still saves the model.
#include <csignal>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "progress.hpp"
#include "si/session.hpp"

namespace si::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

struct TrainOptions {
  std::string config, out = "model.json", log;
  long steps = 0, batch = 0, log_every = 10;
  long long seed = -1;
  bool quiet = false;
};

int run_train(const TrainOptions& o) {
  TrainingConfig cfg = load_config(o.config);
  // The flags go through the config reader, so its limits apply to them too (named by the flag).
  nlohmann::json j = cfg.to_json();
  if (o.steps > 0) j["training"]["steps"] = o.steps;
  if (o.batch > 0) j["training"]["batch"] = o.batch;
  if (o.seed >= 0) j["training"]["seed"] = o.seed;
  try {
    cfg = TrainingConfig::from_json(j);
  } catch (const ConfigError& e) {
    const std::string& f = e.field();
    const std::string flag = f == "training.steps"   ? "--steps"
                             : f == "training.batch" ? "--batch"
                             : f == "training.seed"  ? "--seed"
                                                     : f;
    throw ConfigError(flag, std::string(e.what()).substr(f.size() + 2));
  }
  // Check the output paths before spending minutes on training.
  check_writable(o.out, "--out");
  std::string log_text;
  TrainingSession session(cfg);
  const Model initial = session.model();
  std::vector<std::string> names;
  for (const auto& kv : initial.networks()) names.push_back(kv.first);
  long params = 0;
  for (const auto& kv : initial.networks()) params += long(kv.second.num_params());
  if (!o.quiet) {
    std::cerr << "training " << to_name(cfg.fields) << " on " << session.base().name() << " -> "
              << session.target().name() << " (" << cfg.path << (cfg.gamma.empty() ? "" : ", gamma " + cfg.gamma)
              << "), " << names.size() << " network(s), " << params << " parameters, " << cfg.steps << " steps x batch "
              << cfg.batch << "\n";
  }
  std::ostringstream log;
  if (!o.log.empty()) {
    check_writable(o.log, "--log");
    log << "step,lr";
    for (const auto& n : names) log << ",loss_" << n;
    log << ",seconds\n";
  }

  g_interrupted = 0;
  auto previous = std::signal(SIGINT, on_sigint);
  Progress progress(cfg.steps, "step", !o.quiet);
  std::map<std::string, double> sums, shown;
  long in_chunk = 0, in_shown = 0;
  std::string status;
  long done = 0;
  for (; done < cfg.steps && !g_interrupted;) {
    StepResult r;
    try {
      r = session.step(1);
    } catch (const NumericalError& e) {
      // The session kept the weights from before the failing step: save them, so nothing already
      // learned is lost, and say where.
      progress.finish();
      std::signal(SIGINT, previous);
      write_text_file(o.out, model_file_text(session.model()), "--out");
      if (!o.log.empty()) write_text_file(o.log, log.str(), "--log");
      throw NumericalError(std::string(e.what()) + "; saved the model after " + std::to_string(done) +
                           " finite steps to " + o.out);
    }
    ++done;
    for (const auto& [n, v] : r.losses) {
      sums[n] += v;
      shown[n] += v;
    }
    ++in_chunk;
    ++in_shown;
    if (!o.log.empty() && (in_chunk == o.log_every || done == cfg.steps)) {
      log << done << "," << format_number(r.lr);
      for (const auto& n : names) log << "," << format_number(sums[n] / double(in_chunk));
      log << "," << format_number(progress.elapsed()) << "\n";
      sums.clear();
      in_chunk = 0;
    }
    std::ostringstream st;
    st.precision(4);
    for (const auto& n : names) st << n << " " << std::fixed << shown[n] / double(in_shown) << "  ";
    st << "lr " << std::defaultfloat << std::setprecision(3) << r.lr;
    status = st.str();
    progress.update(done, status);
    if (in_shown >= 50) {  // a running window for the displayed losses
      shown.clear();
      in_shown = 0;
    }
  }
  progress.update(done, status, true);
  progress.finish();
  std::signal(SIGINT, previous);

  const Model model = session.model();
  write_text_file(o.out, model_file_text(model), "--out");
  if (!o.log.empty()) write_text_file(o.log, log.str(), "--log");
  if (!o.quiet) {
    std::cerr << (g_interrupted ? "interrupted at step " + std::to_string(done) + "; " : std::string()) << "saved "
              << o.out << " after " << done << " steps in " << format_duration(progress.elapsed()) << " ("
              << format_number(double(long(progress.rate(done) * 100)) / 100) << " steps/s)"
              << (o.log.empty() ? "" : ", losses in " + o.log) << "\n";
  }
  return g_interrupted ? 130 : kOk;
}

}  // namespace

Command add_train(CLI::App& root) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* app =
      root.add_subcommand("train", "Train a model from a config file (configs/SCHEMA.md) and save it as JSON");
  app->add_option("--config,-c", o->config, "Training config (JSON)")->required();
  app->add_option("--steps", o->steps, "Training steps (default: the config's training.steps)")->check(kPositive);
  app->add_option("--batch", o->batch, "Batch size (default: the config's training.batch)")->check(kPositive);
  app->add_option("--seed", o->seed, "Seed (default: the config's training.seed)")->check(kSeed);
  app->add_option("--out,-o", o->out, "Where to save the model")->capture_default_str();
  app->add_option("--log", o->log, "Write the losses to this CSV (step, lr, loss per network, seconds)");
  app->add_option("--log-every", o->log_every, "Steps per row of the loss log (losses are averaged)")
      ->capture_default_str()
      ->check(kPositive);
  add_threads_option(app, "each step splits its batch over");
  app->add_flag("--quiet,-q", o->quiet, "No progress output");
  app->footer(
      "Example:\n  si train --config configs/checker-with-score.json --steps 2000 --out model.json --log losses.csv\n"
      "Ctrl-C stops after the current step, saves the model trained so far and exits with 130.");
  return {app, [o] { return run_train(*o); }};
}

}  // namespace si::cli
