#include "si/image_figures.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "si/sampling.hpp"

namespace si {

using nlohmann::json;

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The frames of the first path of a sampler run, one column each.
MatD first_path_frames(const SampleResult<float>& s) {
  MatD row(s.x.rows(), long(s.snapshots.size()));
  for (size_t f = 0; f < s.snapshots.size(); ++f) row.col(long(f)) = s.snapshots[f].col(0).cast<double>();
  return row;
}

void check_frames_steps(int frames, int steps) {
  if (frames < 2 || frames > 50) throw ConfigError("frames", "must be a whole number from 2 to 50");
  if (steps < 1 || steps > 100000) throw ConfigError("steps", "must be a whole number from 1 to 100000");
}

}  // namespace

int image_side(int d, const std::string& field) {
  const int s = int(std::lround(std::sqrt(double(d))));
  if (s * s != d)
    throw ConfigError(field, "images must be square; dimension " + std::to_string(d) + " is not a square");
  return s;
}

void EpsGridOptions::validate(const Model& model) const {
  if (eps.empty() || eps.size() > 20) throw ConfigError("eps", "must list 1 to 20 noise levels");
  for (double e : eps) {
    if (!(e >= 0 && e <= 1e6)) throw ConfigError("eps", "noise levels are numbers from 0 to 1e6");
    if (e > 0 && !model.has_score() && model.config().sde.score != "drift")
      throw ConfigError("eps", "eps > 0 needs a score; this model learns '" + to_name(model.config().fields) + "'");
  }
  check_frames_steps(frames, steps);
}

ImageStrip eps_grid(const Model& model, const EpsGridOptions& o) {
  o.validate(model);
  const SamplingDefaults defaults = sampling_defaults(model);
  Rng rng(o.seed);
  const MatD x0 = defaults.initial->sample(1, rng);
  ImageStrip out;
  for (size_t r = 0; r < o.eps.size(); ++r) {
    const double eps = o.eps[r];
    json opt = {{"seed", o.seed + 1 + r}, {"snapshots", o.frames}, {"steps", o.steps}};
    // Every row stops where the SDE's denoising step does (the config's), so the columns share their times.
    if (defaults.sde.denoise >= 0) opt["denoise"] = defaults.sde.denoise;
    SampleResult<float> s;
    if (eps == 0) {
      opt["method"] = "heun";
      s = run_ode<float>(model, defaults, read_ode_plan(opt, defaults, true), &x0).result;
      out.row_labels.push_back("ODE");
    } else {
      opt["eps"] = eps;
      s = run_sde<float>(model, defaults, read_sde_plan(opt, defaults, true), &x0).result;
      out.row_labels.push_back("SDE eps = " + num(eps));
    }
    out.row_eps.push_back(eps);
    out.rows.push_back(first_path_frames(s));
    out.times = s.times;
  }
  return out;
}

void MirrorOptions::validate() const {
  if (!(eps >= 1e-6 && eps <= 1e6)) throw ConfigError("eps", "must be a number from 1e-6 to 1e6");
  if (rows < 1 || rows > 20) throw ConfigError("rows", "must be a whole number from 1 to 20");
  check_frames_steps(frames, steps);
}

ImageStrip mirror_strip(const Model& model, const MatD& x1, const MirrorOptions& o) {
  o.validate();
  if (!model.interpolant().mirror())
    throw ConfigError("model",
                      "is not a mirror model (interpolant.path \"mirror\"; e.g. configs/fashion-14-mirror.json)");
  if (x1.rows() != model.dim() || x1.cols() != 1)
    throw ConfigError("image", "must be one image of " + std::to_string(model.dim()) + " pixels");
  const SamplingDefaults defaults = sampling_defaults(model);
  ImageStrip out;
  for (int r = 0; r < o.rows; ++r) {
    const json opt = {{"seed", o.seed + std::uint64_t(r)}, {"snapshots", o.frames}, {"steps", o.steps}, {"eps", o.eps}};
    const SampleResult<float> s = run_sde<float>(model, defaults, read_sde_plan(opt, defaults, true), &x1).result;
    out.rows.push_back(first_path_frames(s));
    out.row_labels.push_back("noise draw " + std::to_string(r + 1));
    out.row_eps.push_back(o.eps);
    out.times = s.times;
  }
  return out;
}

}  // namespace si
