// si eval: one JSON object of quality measures for a trained model, against fresh samples of its
// target: energy distances (and the noise floor of two target samples), held-out NLLs through the
// backward ODE (exact divergence) and the backward SDE, the model's log-density at its own samples
// and, for the checkerboard, the share of samples on its support.
#include <chrono>
#include <cmath>
#include <iostream>

#include "common.hpp"
#include "images.hpp"
#include "sampler_args.hpp"
#include "si/datasets.hpp"
#include "si/metrics.hpp"

namespace si::cli {

namespace {

using nlohmann::json;

struct EvalOptions {
  std::string model, out;
  long n = 5000, sde_nll_n = 500;
  int sde_nll_paths = 10;
  std::string sde_nll_method = "heun";
  long long seed = 0;
  OdeArgs ode;
  SdeArgs sde;
  bool no_sde = false, quiet = false;
  bool n_given = false;
  std::vector<double> image_eps = {0.5, 1, 2, 4};
  long bpd_n = 200;
  double denoise = -1;
};

class Clock {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

double round_to(double v, double digits) {
  const double k = std::pow(10.0, digits);
  return std::round(v * k) / k;
}

// Image models get the image yardsticks (SPEC 11.3) instead of the low-dimensional figures.
int run_image_eval(const EvalOptions& o, const Model& model) {
  // One noise level is not how images are measured: say so rather than ignore it.
  if (o.sde.eps >= 0) throw ConfigError("--eps", "image models take their noise levels from --image-eps (a list)");
  ImageEvalOptions io;
  io.n = o.n_given ? o.n : 2000;
  io.eps = o.no_sde ? std::vector<double>{} : o.image_eps;
  io.bpd_n = o.bpd_n;
  io.denoise = o.denoise;
  io.score = o.sde.score;
  io.steps = o.ode.steps > 0 ? o.ode.steps : 0;
  io.sde_steps = o.sde.steps > 0 ? o.sde.steps : 0;
  io.ode_method = o.ode.method;
  io.sde_method = o.sde.method;
  io.atol = o.ode.atol;
  io.rtol = o.ode.rtol;
  io.eps_until = o.sde.eps_until;
  io.seed = o.seed;
  json r = image_eval(model, io, [&](const std::string& s) {
    if (!o.quiet) std::cerr << s << std::endl;
  });
  r["model"] = o.model;
  r["fields"] = to_name(model.config().fields);
  r["steps_trained"] = model.steps_trained();
  write_output(o.out, r.dump(2) + "\n", "--out");
  return kOk;
}

int run_eval(const EvalOptions& o) {
  const Model model = load_model(o.model);
  check_writable(o.out, "--out");
  if (image_target(model)) return run_image_eval(o, model);
  const Distribution& start = model.initial();
  const Distribution& target = model.target();
  const bool checker = target.name() == "checkerboard";
  const OdeSamplerOptions ode = ode_options(model, o.ode, "rk4", 200);
  const bool sde_on = !o.no_sde && model.has_score();
  SdeSamplerOptions sde;
  if (sde_on) sde = sde_options(model, o.sde);
  auto note = [&](const std::string& s) {
    if (!o.quiet) std::cerr << s << std::endl;
  };

  Rng rng(std::uint64_t(o.seed));
  const MatD y1 = target.sample(o.n, rng), y2 = target.sample(o.n, rng), held_out = target.sample(o.n, rng);
  const MatF x0 = start.sample(o.n, rng).cast<float>();
  Rng noise = rng.split();
  const MatF y1f = y1.cast<float>();

  json r;
  r["model"] = o.model;
  r["fields"] = to_name(model.config().fields);
  r["base"] = model.base().name();
  r["target"] = target.name();
  r["n"] = o.n;
  r["seed"] = o.seed;
  r["ode"] = describe(ode);
  Clock clock;
  json seconds;

  // ODE samples with their log-density: log rho_t1(X_t1) = log rho_t0(X_t0) + dlogp.
  note("eval: " + std::to_string(o.n) + " samples by " + describe(ode) + " ...");
  OdeSamplerOptions fwd = ode;
  fwd.with_logp = start.has_log_density();
  const SampleResult<float> xs = ode_sample<float>(model, x0, fwd);
  r["energy_distance_ode"] = energy_distance<float>(xs.x, y1f);
  r["energy_distance_noise_floor"] = energy_distance<double>(y1, y2);
  if (fwd.with_logp) {
    const VecD logp = start.log_density(x0.cast<double>()) + xs.dlogp.cast<double>();
    r["ode_samples_mean_logp"] = number_or_null(mean(logp));
  } else {
    r["ode_samples_mean_logp"] = nullptr;
  }
  if (checker) r["support_share_ode"] = checkerboard_support_share(xs.x.cast<double>());
  seconds["ode_sample"] = round_to(clock.lap(), 3);

  // Held-out NLL through the backward probability flow (exact divergence). Points landing where
  // the start density is zero (the checkerboard start of mirror models) get -inf and are counted.
  if (start.has_log_density()) {
    note("eval: ODE log-likelihood of " + std::to_string(o.n) + " held-out target samples ...");
    const VecD logp = ode_log_likelihood<float>(model, start, held_out.cast<float>(), ode).logp;
    VecD finite(logp.size());
    Eigen::Index k = 0;
    for (Eigen::Index i = 0; i < logp.size(); ++i)
      if (std::isfinite(logp(i))) finite(k++) = logp(i);
    finite.conservativeResize(k);
    r["ode_nll"] = k == logp.size() ? number_or_null(-mean(logp)) : json(nullptr);
    r["ode_nll_se"] = k == logp.size() && k > 1 ? number_or_null(standard_error(logp)) : json(nullptr);
    r["ode_nll_zero_density_points"] = logp.size() - k;
    seconds["ode_nll"] = round_to(clock.lap(), 3);
  } else {
    r["ode_nll"] = r["ode_nll_se"] = nullptr;
  }

  if (sde_on) {
    note("eval: " + std::to_string(o.n) + " samples by " + describe(sde) + " ...");
    r["sde"] = describe(sde);
    const SampleResult<float> zs = sde_sample<float>(model, x0, sde, noise);
    r["energy_distance_sde"] = energy_distance<float>(zs.x, y1f);
    if (checker) r["support_share_sde"] = checkerboard_support_share(zs.x.cast<double>());
    seconds["sde_sample"] = round_to(clock.lap(), 3);
    if (start.has_log_density() && o.sde_nll_n > 0) {
      const long m = std::min(o.sde_nll_n, o.n);
      note("eval: SDE log-likelihood of " + std::to_string(m) + " held-out points x " +
           std::to_string(o.sde_nll_paths) + " paths ...");
      SdeSamplerOptions l = sde;
      l.n_paths = o.sde_nll_paths;
      // The likelihood is an integral along the path: the second-order stochastic Heun serves it
      // better than the first-order Karras variant some configs sample with.
      l.method = sde_method_from_name(o.sde_nll_method, "--sde-nll-method");
      r["sde_nll_method"] = o.sde_nll_method;
      try {
        const LikelihoodResult<float> lr =
            sde_log_likelihood<float>(model, start, MatF(held_out.leftCols(m).cast<float>()), l, noise);
        r["sde_nll"] = number_or_null(-mean(lr.logp));
        r["sde_nll_se"] = number_or_null(standard_error(lr.logp));
        r["sde_nll_path_se"] = number_or_null(lr.std_error.mean());
      } catch (const NumericalError& e) {  // e.g. paths ending where the start density is zero
        note(std::string("eval: SDE likelihood skipped: ") + e.what());
        r["sde_nll"] = r["sde_nll_se"] = nullptr;
      }
      r["sde_nll_points"] = m;
      r["sde_nll_paths"] = o.sde_nll_paths;
      seconds["sde_nll"] = round_to(clock.lap(), 3);
    }
  } else {
    r["energy_distance_sde"] = r["sde_nll"] = r["sde_nll_se"] = nullptr;
    if (checker) r["support_share_sde"] = nullptr;
  }
  if (checker) {
    r["support_share_target"] = checkerboard_support_share(y1);
    r["true_entropy"] = std::log(32.0);
  } else if (target.has_log_density()) {
    r["true_entropy"] = number_or_null(-mean(target.log_density(y1)));  // Monte Carlo estimate
  }
  r["seconds"] = seconds;
  write_output(o.out, r.dump(2) + "\n", "--out");
  return kOk;
}

}  // namespace

Command add_eval(CLI::App& root) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* app = root.add_subcommand("eval", "Measure a trained model against its target; one JSON object on stdout");
  app->add_option("--model,-m", o->model, "Model file (from si train)")->required();
  app->add_option("--n,-n", o->n, "Samples of the model and of the target")->capture_default_str()->check(kPositive);
  app->add_option("--seed", o->seed, "Seed")->capture_default_str()->check(kSeed);
  add_ode_args(app, o->ode, "--ode-steps", "rk4 with 200 steps");
  add_sde_args(app, o->sde, "--sde-steps");
  app->add_option("--sde-nll-n", o->sde_nll_n, "Held-out points for the SDE likelihood (0: skip it)")
      ->capture_default_str()
      ->check(kNonNegative);
  app->add_option("--sde-nll-method", o->sde_nll_method, "SDE integrator of the likelihood")
      ->capture_default_str()
      ->check(CLI::IsMember({"heun", "euler", "heun-karras"}));
  app->add_option("--sde-nll-paths", o->sde_nll_paths, "Backward SDE paths per point")
      ->capture_default_str()
      ->check(in_range(2, 100000));
  app->add_flag("--no-sde", o->no_sde, "Skip the SDE figures");
  app->add_option("--image-eps", o->image_eps, "Image models: the SDE noise levels to measure")
      ->delimiter(',')
      ->capture_default_str();
  app->add_option("--denoise", o->denoise,
                  "Image models: the samplers stop at this time and jump to E[x1 | x_t] (0: none; default: the "
                  "config's)")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--bpd-n", o->bpd_n, "Image models: test images of the bits-per-dimension estimate (0: skip)")
      ->capture_default_str()
      ->check(kNonNegative);
  add_threads_option(app, "the samples and likelihoods are split over");
  app->add_option("--out,-o", o->out, "Write the JSON here instead of stdout");
  app->add_flag("--quiet,-q", o->quiet, "No progress notes on stderr");
  app->footer(
      "Keys: energy_distance_ode/_sde/_noise_floor, ode_nll(_se), sde_nll(_se), ode_samples_mean_logp,\n"
      "support_share_ode/_sde/_target and true_entropy (checkerboard), seconds. NLLs are in nats; null where\n"
      "a figure does not apply. Image models (target fashion-mnist) get the image yardsticks instead: energy\n"
      "distances to test images (ODE, SDE at each --image-eps) next to the floor and the Gaussian baseline, the\n"
      "judge (softmax regression) and bits per dimension (default --n 2000). Example:\n"
      "  si eval --model model.json --n 5000 > eval.json");
  return {app, [o, app] {
            o->n_given = app->count("--n") > 0;
            return run_eval(*o);
          }};
}

}  // namespace si::cli
