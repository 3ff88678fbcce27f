// si field: a field (b, s, eta, v or log rho_t) at time t on points from a CSV: the exact one for
// configs whose two ends are Gaussian mixtures (SPEC section 5), or a trained model's.
#include <iostream>
#include <tuple>

#include "common.hpp"
#include "si/gmm_fields.hpp"
#include "si/samplers.hpp"

namespace si::cli {

namespace {

struct FieldOptions {
  std::string config, model, field, points, out;
  double t = -1;
  bool div = false;
  std::string ode_method = "rk4";
  int steps = 200;
};

std::string table(const MatD& x, const std::string& name, const MatD* vec, const VecD* scalar, const VecD* div) {
  std::string out;
  const int d = int(x.rows());
  std::vector<std::string> head = coordinate_names(d);
  if (vec)
    for (const auto& c : coordinate_names(d, name)) head.push_back(c);
  if (scalar) head.push_back(name);
  if (div) head.push_back("div_" + name);
  for (size_t i = 0; i < head.size(); ++i) out += (i ? "," : "") + head[i];
  out += '\n';
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (int i = 0; i < d; ++i) out += (i ? "," : "") + format_number(x(i, j));
    if (vec)
      for (int i = 0; i < d; ++i) out += "," + format_number((*vec)(i, j));
    if (scalar) out += "," + format_number((*scalar)(j));
    if (div) out += "," + format_number((*div)(j));
    out += '\n';
  }
  return out;
}

int run_field(const FieldOptions& o) {
  if (o.config.empty() && o.model.empty()) throw ConfigError("--config", "required (or --model for a learned field)");
  const MatD x = read_points_csv(o.points, "--points");
  const bool want_div = o.div && (o.field == "b" || o.field == "s");
  if (o.div && !want_div) throw ConfigError("--div", "only b and s have a divergence output");

  if (o.model.empty()) {
    const GmmFields exact = [&] {
      try {
        return GmmFields::from_config(load_config(o.config));
      } catch (const ConfigError& e) {
        if (std::string(e.what()).find("exact fields need") == std::string::npos) throw;
        throw ConfigError(
            e.field(), std::string(e.what()).substr(e.field().size() + 2) + "; pass --model FILE for a learned field");
      }
    }();
    if (x.rows() != exact.dim())
      throw ConfigError("--points", "points have dimension " + std::to_string(x.rows()) + ", the config's " +
                                        std::to_string(exact.dim()));
    const GmmFieldValues v = exact.eval(o.t, x);
    if (o.field == "logp") {
      write_output(o.out, table(x, "logp", nullptr, &v.logp, nullptr), "--out");
    } else {
      const MatD& f = o.field == "b" ? v.b : o.field == "s" ? v.s : o.field == "eta" ? v.eta : v.v;
      const VecD* div = !want_div ? nullptr : o.field == "b" ? &v.div_b : &v.div_s;
      write_output(o.out, table(x, o.field, &f, nullptr, div), "--out");
    }
    return kOk;
  }

  const Model model = load_model(o.model);
  if (x.rows() != model.dim())
    throw ConfigError("--points", "points have dimension " + std::to_string(x.rows()) + ", the model's " +
                                      std::to_string(model.dim()));
  const MatF xf = x.cast<float>();
  if (o.field == "logp") {
    // log rho_t by the backward probability flow from t to the start of the model's interval.
    OdeSamplerOptions opt;
    opt.method = ode_method_from_name(o.ode_method, "--ode-method");
    opt.steps = o.steps;
    double t0, t1;
    std::tie(t0, t1) = model.sampling_interval(false);
    if (o.t < t0) throw ConfigError("--t", "a learned log-density needs t >= " + format_number(t0));
    VecD logp;
    if (o.t == t0) {
      logp = model.initial().log_density(x);
    } else {
      opt.t0 = t0;
      opt.t1 = o.t;
      logp = ode_log_likelihood<float>(model, model.initial(), xf, opt).logp;
    }
    write_output(o.out, table(x, "logp", nullptr, &logp, nullptr), "--out");
    return kOk;
  }
  MatF f;
  VecF div;
  model.evaluate(o.field, o.t, xf, f, want_div ? &div : nullptr);
  const MatD fd = f.cast<double>();
  const VecD dd = div.cast<double>();
  write_output(o.out, table(x, o.field, &fd, nullptr, want_div ? &dd : nullptr), "--out");
  return kOk;
}

}  // namespace

Command add_field(CLI::App& root) {
  auto o = std::make_shared<FieldOptions>();
  CLI::App* app = root.add_subcommand(
      "field", "Evaluate a field at time t on points: exact for Gaussian-mixture ends, or a trained model's");
  app->add_option("--config,-c", o->config, "Config whose base and target are Gaussian mixtures (exact fields)");
  app->add_option("--model,-m", o->model, "A trained model: evaluate its learned field instead");
  app->add_option("--field,-f", o->field, "b (drift), s (score), eta (denoiser), v (velocity) or logp (log rho_t)")
      ->required()
      ->check(CLI::IsMember({"b", "s", "eta", "v", "logp"}));
  app->add_option("--t,-t", o->t, "Time in [0, 1]")->required()->check(kUnitInterval);
  app->add_option("--points,-p", o->points, "CSV of points, one per row (a header line is allowed)")->required();
  app->add_option("--out,-o", o->out, "Output CSV (default: stdout)");
  app->add_flag("--div", o->div, "Also output the exact divergence (b and s)");
  app->add_option("--ode-method", o->ode_method, "Learned logp: ODE method")
      ->capture_default_str()
      ->check(CLI::IsMember({"euler", "heun", "rk4", "dopri5"}));
  app->add_option("--steps", o->steps, "Learned logp: ODE steps")->capture_default_str()->check(kPositive);
  app->footer(
      "Output: CSV with the point's coordinates then the field (x,y,bx,by / x,y,logp; x0..x{d-1} for d != 2).\n"
      "Example:\n  si field --config gmm.json --field logp --t 0 --points pts.csv");
  return {app, [o] { return run_field(*o); }};
}

}  // namespace si::cli
