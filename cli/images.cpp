#include "images.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include "common.hpp"
#include "png.hpp"
#include "si/image_figures.hpp"
#include "si/image_metrics.hpp"
#include "si/json_reader.hpp"
#include "si/metrics.hpp"
#include "si/sampling.hpp"
#include "svg.hpp"

namespace si::cli {

using nlohmann::json;

const ImageDistribution* image_target(const Model& model) {
  return dynamic_cast<const ImageDistribution*>(&model.target());
}

ImageSet test_images(const Model& model) {
  json spec = model.config().target;
  spec["split"] = "test";
  spec.erase("limit");
  const auto d = make_distribution(spec, "target");
  const auto* images = dynamic_cast<const ImageDistribution*>(d.get());
  if (!images) throw ConfigError("--model", "its target is not an image data set");
  return images->images();
}

std::string image_grid_png(const MatD& x, int cols, int scale, int pad) {
  const int side = image_side(int(x.rows()), "images");
  const int n = int(x.cols());
  cols = std::max(1, std::min(cols, n));
  const int rows = (n + cols - 1) / cols;
  const int cell = side * scale;
  const int w = cols * cell + (cols + 1) * pad, h = rows * cell + (rows + 1) * pad;
  std::vector<std::uint8_t> rgb(size_t(w) * h * 3, 255);
  for (int k = 0; k < n; ++k) {
    const int ox = pad + (k % cols) * (cell + pad), oy = pad + (k / cols) * (cell + pad);
    for (int r = 0; r < cell; ++r)
      for (int c = 0; c < cell; ++c) {
        const std::uint8_t v = to_byte(x((r / scale) * side + c / scale, k));
        std::uint8_t* p = &rgb[(size_t(oy + r) * w + ox + c) * 3];
        p[0] = p[1] = p[2] = v;
      }
  }
  return encode_png_rgb(w, h, rgb);
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double round3(double v) { return std::round(v * 1000) / 1000; }

// Samples of the model: the ODE (eps = 0) or the SDE at eps, from n draws of its start law.
// `how` gets the sampler's one-line description.
MatD draw(const Model& model, const SamplingDefaults& defaults, double eps, long n, const ImageEvalOptions& o,
          std::uint64_t seed, std::string& how) {
  json opt = {{"n", n}, {"seed", seed}};
  const int steps = eps == 0 ? o.steps : o.sde_steps;
  if (steps > 0) opt["steps"] = steps;
  if (o.denoise >= 0) opt["denoise"] = o.denoise > 0 ? json(o.denoise) : json(false);
  if (eps == 0) {
    if (!o.ode_method.empty())
      opt["method"] = o.ode_method;
    else if (steps > 0 && defaults.ode.method == OdeMethod::Dopri5)
      opt["method"] = "heun";
    if (o.atol > 0) opt["atol"] = o.atol;
    if (o.rtol > 0) opt["rtol"] = o.rtol;
    const OdePlan plan = read_ode_plan(opt, defaults, true);
    how = describe(plan.opt);
    return run_ode<float>(model, defaults, plan).result.x.cast<double>();
  }
  opt["eps"] = eps;
  if (!o.score.empty()) opt["score"] = o.score;
  if (!o.sde_method.empty()) opt["method"] = o.sde_method;
  if (o.eps_until >= 0) opt["epsUntil"] = o.eps_until;
  const SdePlan plan = read_sde_plan(opt, defaults, true);
  how = describe(plan.opt);
  return run_sde<float>(model, defaults, plan).result.x.cast<double>();
}

json verdict_json(const JudgeVerdict& v) {
  return {{"confidence", round3(v.confidence)}, {"classes_present", v.classes_present()}, {"class_counts", v.counts}};
}

}  // namespace

json image_eval(const Model& model, const ImageEvalOptions& o, const std::function<void(const std::string&)>& note) {
  const ImageDistribution* train = image_target(model);
  if (!train) throw ConfigError("--model", "its target is not an image data set");
  const auto t_start = std::chrono::steady_clock::now();
  const ImageSet test = test_images(model);
  const int d = test.dim();
  const long n = std::min<long>(o.n, long(test.size() / 2));
  Rng rng(std::uint64_t(o.seed));
  json r;
  r["images"] = std::to_string(test.rows) + " x " + std::to_string(test.cols);
  r["n"] = n;
  json seconds;

  // References: the floor (two halves of the test set) and the Gaussian of the training pixels.
  auto t = std::chrono::steady_clock::now();
  const MatD test_a = test.to_matrix(0, n), test_b = test.to_matrix(n, n);
  const double floor = energy_distance<double>(test_a, test_b);
  const MatD train_x = train->images().to_matrix();
  const GaussianMixture gauss = fit_gaussian(train_x);
  const MatD gauss_x = gauss.sample(n, rng);
  const double gauss_ed = energy_distance<double>(gauss_x, test_a);
  r["energy_distance"] = {{"floor_test_halves", floor}, {"gaussian", gauss_ed}};
  note("eval: references: energy distance floor " + format_number(floor) + ", Gaussian " + format_number(gauss_ed));

  // The judge: softmax regression on the training pixels.
  const SoftmaxJudge judge = train_judge(train_x, train->images().labels, 10);
  const MatD test_all = test.to_matrix();
  r["judge"] = {{"model", "softmax regression on pixels, trained on the training images"},
                {"test_accuracy", round3(accuracy(judge, test_all, test.labels))},
                {"test_images", verdict_json(judge_images(judge, test_a))},
                {"gaussian", verdict_json(judge_images(judge, gauss_x))}};
  seconds["references"] = round3(seconds_since(t));

  // The model's samples: the ODE and the SDE at each eps.
  const SamplingDefaults defaults = sampling_defaults(model);
  json samples = json::array();
  std::vector<double> levels = {0};
  const bool drift_score = (o.score.empty() ? model.config().sde.score : o.score) == "drift";
  if (model.has_score() || drift_score) levels.insert(levels.end(), o.eps.begin(), o.eps.end());
  for (double eps : levels) {
    t = std::chrono::steady_clock::now();
    note(std::string("eval: ") + std::to_string(n) +
         (eps == 0 ? " ODE samples" : " SDE samples at eps " + format_number(eps)) + " ...");
    std::string how;
    const MatD x = draw(model, defaults, eps, n, o, std::uint64_t(o.seed) + 1, how);
    const double ed = energy_distance<double>(x, test_a);
    samples.push_back({{"sampler", eps == 0 ? "ode" : "sde"},
                       {"eps", eps},
                       {"how", how},
                       {"energy_distance", ed},
                       {"vs_gaussian", round3(ed / gauss_ed)},
                       {"judge", verdict_json(judge_images(judge, x))},
                       {"seconds", round3(seconds_since(t))}});
  }
  r["samples"] = samples;

  // Bits per dimension of dequantised test images through the ODE likelihood.
  if (o.bpd_n > 0 && model.initial().has_log_density()) {
    t = std::chrono::steady_clock::now();
    const long m = std::min<long>(o.bpd_n, long(test.size()));
    note("eval: bits per dimension of " + std::to_string(m) + " test images (Hutchinson) ...");
    Rng deq(std::uint64_t(o.seed) + 2);
    const MatD y = dequantise(test.pixels, d, 0, m, deq);
    json opt = {{"divergence", "hutchinson"},
                {"probes", 2},
                {"seed", o.seed},
                {"method", "rk4"},
                {"steps", o.steps > 0 ? o.steps : 50}};
    const OdePlan plan = read_ode_plan(opt, defaults, false);
    const VecD logp = run_ode_likelihood<float>(model, defaults, MatF(y.cast<float>()), plan).logp;
    json bpd = {{"hutchinson", bits_per_dim(mean(logp), d)},
                {"hutchinson_se", standard_error(logp) / (d * std::log(2.0))},
                {"points", m},
                {"formula", "(-log p(x) + d log 127.5) / (d log 2), x = (byte + U[0,1)) / 127.5 - 1"}};
    if (o.bpd_exact_n > 0) {
      const long e = std::min(o.bpd_exact_n, m);
      json ex = opt;
      ex["divergence"] = "exact";
      ex.erase("probes");
      const VecD exact = run_ode_likelihood<float>(model, defaults, MatF(y.leftCols(e).cast<float>()),
                                                   read_ode_plan(ex, defaults, false))
                             .logp;
      bpd["exact_first"] = bits_per_dim(mean(exact), d);
      bpd["hutchinson_first"] = bits_per_dim(mean(logp.head(e)), d);
      bpd["exact_points"] = e;
    }
    r["bits_per_dim"] = bpd;
    seconds["bits_per_dim"] = round3(seconds_since(t));
  }
  seconds["total"] = round3(seconds_since(t_start));
  r["seconds"] = seconds;
  return r;
}

// ---- Figures ------------------------------------------------------------------------------------

namespace {

struct EpsGridArgs {
  std::string model, out;
  std::vector<double> eps = {0, 1, 1, 2, 2, 4, 4};
  int frames = 10, steps = 180, scale = 3;
  long long seed = 0;
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Rows of frames as an SVG: each row one path (x_t at the frames' times), labelled.
void write_strip_svg(const std::string& out, const std::string& title, const std::vector<std::string>& row_labels,
                     const std::vector<std::string>& col_labels, const std::vector<MatD>& rows, int scale) {
  const int side = image_side(int(rows.front().rows()), "--model");
  const int cell = side * scale, pad = 2, cols = int(rows.front().cols());
  const double left = 110, top = 56;
  const double row_w = cols * (cell + pad) + pad, row_h = cell + 2 * pad;  // a row's PNG, frames pad apart
  const double w = left + row_w + 20, h = top + rows.size() * row_h + 20;
  Svg svg(w, h);
  svg.rect(0, 0, w, h, "#ffffff");
  svg.text(w / 2, 24, title, 15, "middle", "#0f172a", "font-weight=\"600\"");
  for (int c = 0; c < cols; ++c)
    svg.text(left + pad + c * (cell + pad) + cell / 2.0, top - 8, col_labels[size_t(c)], 11, "middle");
  for (size_t r = 0; r < rows.size(); ++r) {
    const double y = top + double(r) * row_h;
    svg.text(left - 8, y + row_h / 2.0 + 4, row_labels[r], 12, "end", "#0f172a");
    svg.png(left, y, row_w, row_h, image_grid_png(rows[r], cols, scale, pad));
  }
  write_text_file(out, svg.str(), "--out");
}

std::vector<std::string> time_labels(const std::vector<double>& times) {
  std::vector<std::string> cols;
  for (double t : times) cols.push_back("t = " + num(std::round(t * 100) / 100));
  return cols;
}

int run_eps_grid(const EpsGridArgs& a) {
  const Model model = load_model(a.model);
  if (!image_target(model))
    throw ConfigError("--model", "eps-grid draws images; this model's target is not an image set");
  check_writable(a.out, "--out");
  EpsGridOptions o;
  o.eps = a.eps;
  o.frames = a.frames;
  o.steps = a.steps;
  o.seed = std::uint64_t(a.seed);
  o.validate(model);
  const ImageStrip strip = eps_grid(model, o);
  write_strip_svg(a.out, "x_t from noise (t = 0) to an image (t = 1): one b and s, the ODE and SDEs", strip.row_labels,
                  time_labels(strip.times), strip.rows, a.scale);
  std::cerr << "wrote " << a.out << " (" << strip.rows.size() << " rows x " << strip.times.size() << " frames)\n";
  return kOk;
}

struct MirrorArgs {
  std::string model, out;
  long image = 0;
  double eps = 1;
  int frames = 7, steps = 180, rows = 3, scale = 3;
  long long seed = 0;
};

int run_mirror(const MirrorArgs& a) {
  const Model model = load_model(a.model);
  const ImageDistribution* images = image_target(model);
  if (!images) throw ConfigError("--model", "mirror draws images; this model's target is not an image set");
  if (!model.interpolant().mirror())
    throw ConfigError("--model",
                      "is not a mirror model (interpolant.path \"mirror\"; e.g. configs/fashion-14-mirror.json)");
  check_writable(a.out, "--out");
  if (a.image >= images->images().size())
    throw ConfigError("--image",
                      "must be below " + std::to_string(images->images().size()) + ", the number of training images");
  MirrorOptions o;
  o.eps = a.eps;
  o.frames = a.frames;
  o.steps = a.steps;
  o.rows = a.rows;
  o.seed = std::uint64_t(a.seed);
  const ImageStrip strip = mirror_strip(model, images->images().to_matrix(a.image, 1), o);
  write_strip_svg(a.out,
                  "Mirror: training image " + std::to_string(a.image) +
                      " through noise to a new image like it (eps = " + num(a.eps) + ")",
                  strip.row_labels, time_labels(strip.times), strip.rows, a.scale);
  std::cerr << "wrote " << a.out << " (" << strip.rows.size() << " rows x " << strip.times.size() << " frames)\n";
  return kOk;
}

}  // namespace

std::vector<ImageFigureKind> image_figure_kinds() {
  return {
      {"eps-grid", "SPEC 11: x_t from noise to an image under the ODE and SDEs (rows eps = 0, 1, 1, 2, 2, 4, 4)",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<EpsGridArgs>();
         app->add_option("--model,-m", a->model, "An image model (si train --config configs/fashion-14.json)")
             ->required();
         app->add_option("--out,-o", a->out, "Output SVG")->required();
         app->add_option("--eps", a->eps, "Noise levels, one row each (0: the ODE)")
             ->delimiter(',')
             ->capture_default_str();
         app->add_option("--frames", a->frames, "Frames per row, t = 0 .. 1")
             ->capture_default_str()
             ->check(CLI::Range(2, 50));
         app->add_option("--steps", a->steps, "Fixed steps of each sampler")
             ->capture_default_str()
             ->check(CLI::Range(1, 100000));
         app->add_option("--scale", a->scale, "Screen pixels per image pixel")
             ->capture_default_str()
             ->check(CLI::Range(1, 16));
         app->add_option("--seed", a->seed, "Seed of the start draw and the noise")
             ->capture_default_str()
             ->check(kSeed);
         return [a] {
           for (double e : a->eps)
             if (!(e >= 0 && e <= 1e6)) throw ConfigError("--eps", "noise levels are numbers from 0 to 1e6");
           return run_eps_grid(*a);
         };
       }},
      {"mirror", "SPEC 11.2: the mirror interpolant takes a training image through noise to a new image like it",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<MirrorArgs>();
         app->add_option("--model,-m", a->model, "A mirror image model (configs/fashion-14-mirror.json)")->required();
         app->add_option("--out,-o", a->out, "Output SVG")->required();
         app->add_option("--image", a->image, "Index of the training image")
             ->capture_default_str()
             ->check(kNonNegative);
         app->add_option("--eps", a->eps, "Noise level of the SDE")->capture_default_str()->check(in_range(1e-6, 1e6));
         app->add_option("--frames", a->frames, "Frames, t = 0 .. 1")->capture_default_str()->check(CLI::Range(2, 50));
         app->add_option("--rows", a->rows, "Rows, each its own noise")
             ->capture_default_str()
             ->check(CLI::Range(1, 20));
         app->add_option("--steps", a->steps, "SDE steps")->capture_default_str()->check(CLI::Range(1, 100000));
         app->add_option("--scale", a->scale, "Screen pixels per image pixel")
             ->capture_default_str()
             ->check(CLI::Range(1, 16));
         app->add_option("--seed", a->seed, "Seed of the noise")->capture_default_str()->check(kSeed);
         return [a] { return run_mirror(*a); };
       }},
  };
}

}  // namespace si::cli
