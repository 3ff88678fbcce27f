// si sample: draws samples from a trained model through the probability-flow ODE or the SDE, to a
// CSV, optionally with the trajectories (snapshots at equally spaced times) for plots.
#include <chrono>
#include <cmath>
#include <iostream>
#include <tuple>

#include "common.hpp"
#include "images.hpp"
#include "png.hpp"
#include "sampler_args.hpp"

namespace si::cli {

namespace {

struct SampleOptions {
  std::string model, method = "ode", out, trajectories, from, png;
  OdeArgs ode;
  SdeArgs sde;
  long n = 5000, paths = 0;
  int frames = 50;
  long long seed = 0;
  double t0 = -1, t1 = -1;
  double denoise = -1;  // < 0: the config's; 0: none
  bool quiet = false;
};

template <typename R>
void write_trajectories(const SampleOptions& o, const R& r, int d) {
  std::string text = "path,frame,t";
  for (const auto& c : coordinate_names(d)) text += "," + c;
  text += '\n';
  const long paths = o.paths > 0 ? std::min<long>(o.paths, long(r.x.cols())) : long(r.x.cols());
  for (long p = 0; p < paths; ++p)
    for (size_t f = 0; f < r.snapshots.size(); ++f) {
      const MatF col = r.snapshots[f].col(p);
      append_points(text, col, std::to_string(p) + "," + std::to_string(f) + "," + format_number(r.times[f]) + ",");
    }
  write_text_file(o.trajectories, text, "--trajectories");
}

int run_sample(const SampleOptions& o) {
  const Model model = load_model(o.model);
  check_writable(o.out, "--out");
  if (!o.trajectories.empty()) check_writable(o.trajectories, "--trajectories");
  if (!o.png.empty()) {
    image_side(model.dim(), "--png");  // square images only
    check_writable(o.png, "--png");
  }
  const int frames = o.trajectories.empty() ? 0 : o.frames;
  const SamplingDefaults defaults = sampling_defaults(model);
  // The plan's options: what the flags say over the model's defaults (si/sampling.hpp).
  nlohmann::json opt;
  if (o.method == "ode") {
    if (!o.sde.method.empty() || o.sde.eps >= 0 || o.sde.eps_until >= 0)
      throw ConfigError(!o.sde.method.empty() ? "--sde-method"
                        : o.sde.eps >= 0      ? "--eps"
                                              : "--eps-until",
                        "applies to --method sde only");
    opt = ode_options_json(model, o.ode);
  } else {
    if (!o.ode.method.empty() || o.ode.atol > 0 || o.ode.rtol > 0)
      throw ConfigError(!o.ode.method.empty() ? "--ode-method"
                        : o.ode.atol > 0      ? "--atol"
                                              : "--rtol",
                        "applies to --method ode only");
    SdeArgs a = o.sde;
    a.steps = o.ode.steps;  // --steps is shared: fixed steps of either sampler
    opt = sde_options_json(model, a);
  }
  // Start points: the caller's (--from), else n draws of the law at t0.
  MatD from;
  if (!o.from.empty()) {
    from = read_points_csv(o.from, "--from");
    if (from.rows() != model.dim())
      throw ConfigError("--from", "points have dimension " + std::to_string(from.rows()) + ", the model's " +
                                      std::to_string(model.dim()));
  } else {
    opt["n"] = o.n;
  }
  opt["seed"] = o.seed;
  opt["snapshots"] = frames;
  if (o.t0 >= 0) opt["t0"] = o.t0;
  if (o.t1 >= 0) opt["t1"] = o.t1;
  if (o.denoise >= 0) opt["denoise"] = o.denoise > 0 ? nlohmann::json(o.denoise) : nlohmann::json(false);
  const auto start = std::chrono::steady_clock::now();
  SampleResult<float> r;
  std::string what;
  double t0, t1;
  with_flag_names([&] {
    if (o.method == "ode") {
      const OdePlan plan = read_ode_plan(opt, defaults, true);
      std::tie(t0, t1, what) = std::make_tuple(plan.opt.t0, plan.opt.t1, describe(plan.opt));
      r = run_ode<float>(model, defaults, plan, o.from.empty() ? nullptr : &from).result;
    } else {
      const SdePlan plan = read_sde_plan(opt, defaults, true);
      std::tie(t0, t1, what) = std::make_tuple(plan.opt.t0, plan.opt.t1, describe(plan.opt));
      r = run_sde<float>(model, defaults, plan, o.from.empty() ? nullptr : &from).result;
    }
  });
  // Forward paths start from the model's law at t = 0, backward ones from its target.
  what += std::string(t0 <= t1 ? ", from " : ", backward from ") +
          (o.from.empty() ? start_law(defaults, t0, t1).name() : "the points of " + o.from);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string text;
  const auto head = coordinate_names(model.dim());
  for (size_t i = 0; i < head.size(); ++i) text += (i ? "," : "") + head[i];
  text += '\n';
  append_points(text, r.x);
  write_text_file(o.out, text, "--out");
  if (frames > 0) write_trajectories(o, r, model.dim());
  if (!o.png.empty()) {
    // The first samples (at most 400) as a grid of grey images, pixels in [-1, 1] shown 0..255.
    const long k = std::min<long>(400, long(r.x.cols()));
    const int cols = int(std::ceil(std::sqrt(double(k))));
    write_text_file(o.png, image_grid_png(r.x.leftCols(k).cast<double>(), cols), "--png");
  }
  const long n = long(r.x.cols());
  if (!o.quiet)
    std::cerr << n << " samples by " << what << ": " << r.stats.nfe << " evaluations (" << r.stats.accepted << " steps"
              << (r.stats.rejected ? ", " + std::to_string(r.stats.rejected) + " rejected" : "") << ") in "
              << format_duration(secs) << " -> " << o.out
              << (frames ? ", " + std::to_string(frames) + " frames -> " + o.trajectories : "") << "\n";
  return kOk;
}

}  // namespace

Command add_sample(CLI::App& root) {
  auto o = std::make_shared<SampleOptions>();
  CLI::App* app =
      root.add_subcommand("sample", "Draw samples from a trained model (probability-flow ODE or SDE) to CSV");
  app->add_option("--model,-m", o->model, "Model file (from si train)")->required();
  app->add_option("--method", o->method, "ode or sde")->capture_default_str()->check(CLI::IsMember({"ode", "sde"}));
  app->add_option("--n,-n", o->n, "Number of samples")->capture_default_str()->check(kPositive);
  app->add_option("--out,-o", o->out, "Output CSV (header x,y or x0..x{d-1})")->required();
  add_ode_args(app, o->ode, "--steps");
  o->ode.steps_opt->description("Fixed steps of the ODE (rk4, heun, euler) or of the SDE");
  add_sde_args(app, o->sde, "");
  app->add_option("--from", o->from,
                  "Start from these points (CSV, one per row) instead of n draws of the law at --t0");
  app->add_option("--trajectories", o->trajectories, "Also write the paths: CSV path,frame,t,x,y");
  app->add_option("--frames", o->frames, "Snapshots per path for --trajectories (ends included)")
      ->capture_default_str()
      ->check(in_range(2, 100000));
  app->add_option("--paths", o->paths, "Write only the first P paths to --trajectories (default: all)")
      ->check(kPositive);
  app->add_option("--seed", o->seed, "Seed of the start points and the noise (as the package's sampler seed)")
      ->capture_default_str()
      ->check(kSeed);
  app->add_option("--denoise", o->denoise,
                  "Stop the paths at this time and jump to E[x1 | x_t] there, the target they head for on average "
                  "(0: none; default: the config's sampling section)")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--t0", o->t0, "Start time (default: 0, or t_lo of training where the learned score is singular)")
      ->check(kUnitInterval);
  app->add_option("--t1", o->t1, "End time (default: 1, or 1 - t_hi likewise)")->check(kUnitInterval);
  add_threads_option(app, "the particles are split over");
  app->add_option("--png", o->png, "Image models: also draw the first samples (at most 400) as a PNG grid");
  app->add_flag("--quiet,-q", o->quiet, "No summary on stderr");
  app->footer(
      "Defaults come from the model's config (sampling.ode / sampling.sde). --steps sets the fixed steps of the\n"
      "ODE (then rk4 unless --ode-method says otherwise) or of the SDE. Paths start from n draws of the model's\n"
      "law at t0 (the base; the target when --t0 > --t1, i.e. backward), the same as the package's samplers.\n"
      "Examples:\n"
      "  si sample --model model.json --method ode --n 5000 --out ode.csv\n"
      "  si sample --model model.json --method sde --eps 0.5 --steps 100 --n 5000 --out sde.csv\n"
      "  si sample --model model.json --method ode --steps 100 --n 500 --out s.csv --trajectories tr.csv --frames 40");
  return {app, [o] { return run_sample(*o); }};
}

}  // namespace si::cli
