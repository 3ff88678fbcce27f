#include "si/gmm_fields.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "si/limits.hpp"

namespace si {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

// a * v, but exactly zero when v is: a coefficient may be infinite where it multiplies a zero mean
// (the mirror path's alpha' = gamma' at t = 0 and 1), and 0 * inf would poison the result.
VecD scaled(double a, const VecD& v) { return v.isZero(0.0) ? VecD::Zero(v.size()) : VecD(a * v); }

// Everything about one pair (i, j) of components at a fixed t, so the loop over points does only
// matrix-vector work.
struct Pair {
  VecD m, mdot, mu0, mu1;  // mean, its time derivative, mu0_i and mu1_j (for E[x0 | x], E[x1 | x])
  MatD kinv;               // K^{-1}
  MatD bmat;               // 1/2 K' K^{-1}: the drift's linear part
  MatD vmat;               // (alpha alpha' C0 + beta beta' C1) K^{-1}: the velocity's linear part
  MatD emat;               // alpha C0 K^{-1}: E[x0 | x]'s linear part (one-sided and mirror)
  MatD x1mat;              // beta C1 K^{-1}: E[x1 | x]'s linear part
  double lw;               // log(p0_i p1_j) - 1/2 log det K - d/2 log(2 pi)
  double tr_b, tr_kinv;
};

}  // namespace

GmmFields::GmmFields(GaussianMixture rho0, GaussianMixture rho1, Interpolant interpolant)
    : rho0_(std::move(rho0)), rho1_(std::move(rho1)), interp_(std::move(interpolant)) {
  if (rho0_.dim() != rho1_.dim())
    throw ConfigError(
        "target", "has dimension " + std::to_string(rho1_.dim()) + " but the base has " + std::to_string(rho0_.dim()));
  // Every evaluation factorises one d x d matrix per pair of components.
  const double d = rho1_.dim();
  limits::check_cost(
      double(rho0_.components()) * rho1_.components() * d * d * d, limits::kMaxMixtureCost, "target",
      "the exact fields' " + std::to_string(rho0_.components() * rho1_.components()) + " pairs of components");
  if (!interp_.two_sided() && !rho0_.is_standard_normal())
    throw ConfigError("base", "the " + interp_.path_name() +
                                  " path uses x0 ~ N(0, I) as its noise: the base must be the standard normal "
                                  "(type 'gaussian' with the default mean and cov)");
}

GmmFields GmmFields::from_config(const TrainingConfig& config) {
  std::string mixtures;
  for (const DatasetDef* d : datasets().entries())
    if (d->mixture) mixtures += (mixtures.empty() ? "" : ", ") + d->name;
  auto mixture = [&](const Distribution& d, const std::string& field) -> const GaussianMixture& {
    if (const GaussianMixture* m = d.as_mixture()) return *m;
    throw ConfigError(field, "exact fields need a Gaussian mixture (" + mixtures + "); '" + d.name() + "' is not one");
  };
  const auto base = config.make_base();
  const auto target = config.make_target();
  return GmmFields(mixture(*base, "base"), mixture(*target, "target"), config.interpolant());
}

void GmmFields::evaluate(const std::string& field, double t, const MatD& x, MatD& out, VecD* div) const {
  if (x.rows() != dim())
    throw ConfigError("points", "must have dimension " + std::to_string(dim()) + ", got " + std::to_string(x.rows()));
  if (!(t >= 0.0 && t <= 1.0)) throw ConfigError("t", "must be a time in [0, 1], got " + format_number(t));
  const bool has_div = field == "b" || field == "s";
  if (div && !has_div) throw ConfigError("field", "exact divergences exist for 'b' and 's', got '" + field + "'");
  const unsigned want = field == "b"     ? kB | (div ? kDivB : 0u)
                        : field == "s"   ? kS | (div ? kDivS : 0u)
                        : field == "eta" ? kEta
                        : field == "v"   ? kV
                                         : 0u;
  if (!want) throw ConfigError("field", "unknown field '" + field + "'; allowed: b, s, eta, v");
  GmmFieldValues v = compute(t, x, want);
  out = std::move(field == "b" ? v.b : field == "s" ? v.s : field == "eta" ? v.eta : v.v);
  if (div) *div = std::move(field == "b" ? v.div_b : v.div_s);
}

int GmmFields::dim() const { return rho1_.dim(); }

GmmFieldValues GmmFields::eval(double t, const MatD& x) const { return compute(t, x, kAll); }

void GmmFields::drift(double t, const MatD& x, MatD& out, VecD* div) const {
  GmmFieldValues f = compute(t, x, kB | (div ? kDivB : 0u));
  out = std::move(f.b);
  if (div) *div = std::move(f.div_b);
}

void GmmFields::score(double t, const MatD& x, MatD& out, VecD* div) const {
  GmmFieldValues f = compute(t, x, kS | (div ? kDivS : 0u));
  out = std::move(f.s);
  if (div) *div = std::move(f.div_s);
}

MatD GmmFields::sample_xt(double t, Eigen::Index n, Rng& rng) const {
  const Coefficients c = interp_.at(t);
  const MatD x0 = rho0_.sample(n, rng);
  const MatD x1 = rho1_.sample(n, rng);
  const MatD z = rng.normal_matrix<double>(dim(), n);
  return c.alpha * x0 + c.beta * x1 + c.gamma * z;
}

void GmmFields::drift_jvp(double t, const MatD& x, const MatD& e, MatD& out, MatD& jvp) const {
  GmmFieldValues f = compute(t, x, kB | kJvpB, &e);
  out = std::move(f.b);
  jvp = std::move(f.jvp_b);
}

void GmmFields::score_jvp(double t, const MatD& x, const MatD& e, MatD& out, MatD& jvp) const {
  GmmFieldValues f = compute(t, x, kS | kJvpS, &e);
  out = std::move(f.s);
  jvp = std::move(f.jvp_s);
}

GmmFieldValues GmmFields::compute(double t, const MatD& x, unsigned want, const MatD* probe) const {
  const int d = dim();
  if (x.rows() != d)
    throw ConfigError("x", "expected " + std::to_string(d) + " rows (the dimension), got " + std::to_string(x.rows()));
  const bool jvp = want & (kJvpB | kJvpS);
  if (jvp && (!probe || probe->rows() != d || probe->cols() != x.cols()))
    throw ConfigError("e", "the directions of a Jacobian-vector product must be d x n like the points");
  if (want & kJvpB) want |= kB;
  if (jvp) want |= kS;                // grad w_k . e = w_k (g_k - s) . e needs s
  if (want & kDivB) want |= kB | kS;  // div b = sum_k w_k (tr B_k - y_k . f_k) - s . b
  if (want & kDivS) want |= kS;
  const bool two_sided = interp_.two_sided();
  const bool need_f = want & kB, need_v = (want & kV) != 0;
  const bool need_e = (want & kEta) && !two_sided;  // two-sided eta is -gamma s
  const bool need_x1 = want & kX1;

  const Coefficients c = interp_.at(t);
  // alpha alpha' from the gamma's closed-form product on the mirror path, where alpha' = gamma'
  // is infinite at the ends while the product stays finite.
  const double aa = interp_.mirror() ? interp_.gamma().product(t) : c.alpha * c.dalpha;
  const double bb = c.beta * c.dbeta, gg = c.gamma_dgamma;
  const MatD eye = MatD::Identity(d, d);

  const int n0 = rho0_.components(), n1 = rho1_.components();
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(n0) * n1);
  for (int i = 0; i < n0; ++i) {
    const VecD& mu0 = rho0_.means()[i];
    const MatD& c0 = rho0_.covs()[i];
    for (int j = 0; j < n1; ++j) {
      const VecD& mu1 = rho1_.means()[j];
      const MatD& c1 = rho1_.covs()[j];
      Pair p;
      p.m = scaled(c.alpha, mu0) + scaled(c.beta, mu1);
      p.mdot = scaled(c.dalpha, mu0) + scaled(c.dbeta, mu1);
      p.mu0 = mu0;
      p.mu1 = mu1;
      const MatD k = c.alpha * c.alpha * c0 + c.beta * c.beta * c1 + c.gamma * c.gamma * eye;
      Eigen::LLT<MatD> llt(k);
      if (llt.info() != Eigen::Success) {
        std::ostringstream os;
        os << "GmmFields: the covariance of rho_t is singular at t = " << t << " (x_t is degenerate there)";
        throw NumericalError(os.str());
      }
      p.kinv = llt.solve(eye);
      const MatD lin = aa * c0 + bb * c1;  // 1/2 K' without the latent term
      p.vmat = lin * p.kinv;
      p.bmat = p.vmat + gg * p.kinv;
      if (need_e) p.emat = c.alpha * c0 * p.kinv;
      if (need_x1) p.x1mat = c.beta * c1 * p.kinv;
      const double logdet = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
      p.lw = std::log(rho0_.weights()[i]) + std::log(rho1_.weights()[j]) - 0.5 * logdet - 0.5 * d * kLog2Pi;
      p.tr_b = p.bmat.trace();
      p.tr_kinv = p.kinv.trace();
      pairs.push_back(std::move(p));
    }
  }

  const Eigen::Index n = x.cols();
  const Eigen::Index np = static_cast<Eigen::Index>(pairs.size());
  GmmFieldValues out;
  out.logp.resize(n);
  if (want & kS) out.s.resize(d, n);
  if (want & kB) out.b.resize(d, n);
  if (want & kV) out.v.resize(d, n);
  if (want & kEta) out.eta.resize(d, n);
  if (need_x1) out.x1.resize(d, n);
  if (want & kDivB) out.div_b.resize(n);
  if (want & kDivS) out.div_s.resize(n);
  if (want & kJvpB) out.jvp_b.resize(d, n);
  if (want & kJvpS) out.jvp_s.resize(d, n);

  // Points go in blocks so the per-pair scratch (np x d x block) stays small for large mixtures, and
  // below malloc's trim threshold: scratch freed above it is returned to the system after every call
  // and faulted in again at the next (which made 1-D samplers spend most of their time in the kernel).
  const Eigen::Index block = std::max<Eigen::Index>(16, std::min<Eigen::Index>(n, 4096 / (np * d + 1)));
  std::vector<MatD> ys(np, MatD(d, block));
  MatD lw(np, block), r(d, block), f(d, block);
  for (Eigen::Index c0 = 0; c0 < n; c0 += block) {
    const Eigen::Index nb = std::min(block, n - c0);
    const auto xb = x.middleCols(c0, nb);
    auto lwb = lw.leftCols(nb);
    auto rb = r.leftCols(nb);
    auto fb = f.leftCols(nb);
    // log of p0_i p1_j N(x; m_ij, K_ij) for every pair, then the weights w_ij by log-sum-exp.
    for (Eigen::Index p = 0; p < np; ++p) {
      rb = xb.colwise() - pairs[p].m;
      auto yb = ys[p].leftCols(nb);
      yb.noalias() = pairs[p].kinv * rb;
      lwb.row(p) = (pairs[p].lw - 0.5 * rb.cwiseProduct(yb).colwise().sum().array()).matrix();
    }
    const RowVec<double> mx = lwb.colwise().maxCoeff();
    lwb = (lwb.rowwise() - mx).array().exp().matrix();
    const RowVec<double> total = lwb.colwise().sum();
    lwb.array().rowwise() /= total.array();
    out.logp.segment(c0, nb) = (mx.array() + total.array().log()).transpose().matrix();

    // Accumulate sum_k w_k (.) over pairs; y_k = K_k^{-1} r_k, so the score term g_k is -y_k.
    MatD s = MatD::Zero(d, nb), b, v, e, m1;
    RowVec<double> db, ds;
    if (want & kB) b = MatD::Zero(d, nb);
    if (need_v) v = MatD::Zero(d, nb);
    if (need_e) e = MatD::Zero(d, nb);
    if (need_x1) m1 = MatD::Zero(d, nb);
    if (want & kDivB) db = RowVec<double>::Zero(nb);
    if (want & kDivS) ds = RowVec<double>::Zero(nb);
    for (Eigen::Index p = 0; p < np; ++p) {
      const Pair& pr = pairs[p];
      const auto w = lwb.row(p).array();
      const auto yb = ys[p].leftCols(nb);
      s.array() -= yb.array().rowwise() * w;
      if (want & kDivS) ds.array() += w * (yb.colwise().squaredNorm().array() - pr.tr_kinv);
      if (!(need_f || need_v || need_e || need_x1)) continue;
      rb = xb.colwise() - pr.m;
      if (need_f) {
        fb.noalias() = pr.bmat * rb;
        fb.colwise() += pr.mdot;
        b.array() += fb.array().rowwise() * w;
        if (want & kDivB) db.array() += w * (pr.tr_b - yb.cwiseProduct(fb).colwise().sum().array());
      }
      if (need_v) {
        fb.noalias() = pr.vmat * rb;
        fb.colwise() += pr.mdot;
        v.array() += fb.array().rowwise() * w;
      }
      if (need_e) {
        fb.noalias() = pr.emat * rb;
        fb.colwise() += pr.mu0;
        e.array() += fb.array().rowwise() * w;
      }
      if (need_x1) {
        fb.noalias() = pr.x1mat * rb;
        fb.colwise() += pr.mu1;
        m1.array() += fb.array().rowwise() * w;
      }
    }
    // grad w_k = w_k (g_k - s) turns the sums above into the divergences.
    if (want & kDivB) db -= s.cwiseProduct(b).colwise().sum();
    if (want & kDivS) ds -= s.colwise().squaredNorm();
    if (jvp) {
      // J e = sum_k w_k [A_k e + f_k (g_k - s) . e], with A_k, f_k = B_k, b's term for b and
      // -K_k^{-1}, g_k = -y_k for s.
      const auto eb = probe->middleCols(c0, nb);
      MatD jb = MatD::Zero(d, nb), js = MatD::Zero(d, nb), ae(d, nb);
      for (Eigen::Index p = 0; p < np; ++p) {
        const Pair& pr = pairs[p];
        const auto w = lwb.row(p).array();
        const auto yb = ys[p].leftCols(nb);
        const RowVec<double> ge = (w * (-yb - s).cwiseProduct(eb).colwise().sum().array()).matrix();
        if (want & kJvpS) {
          ae.noalias() = pr.kinv * eb;
          js.array() -= ae.array().rowwise() * w + yb.array().rowwise() * ge.array();
        }
        if (want & kJvpB) {
          rb = xb.colwise() - pr.m;
          fb.noalias() = pr.bmat * rb;
          fb.colwise() += pr.mdot;
          ae.noalias() = pr.bmat * eb;
          jb.array() += ae.array().rowwise() * w + fb.array().rowwise() * ge.array();
        }
      }
      if (want & kJvpB) out.jvp_b.middleCols(c0, nb) = jb;
      if (want & kJvpS) out.jvp_s.middleCols(c0, nb) = js;
    }

    if (want & kS) out.s.middleCols(c0, nb) = s;
    if (want & kB) out.b.middleCols(c0, nb) = b;
    if (want & kV) out.v.middleCols(c0, nb) = v;
    if (want & kEta) out.eta.middleCols(c0, nb) = two_sided ? MatD(-c.gamma * s) : e;
    if (need_x1) out.x1.middleCols(c0, nb) = m1;
    if (want & kDivB) out.div_b.segment(c0, nb) = db.transpose();
    if (want & kDivS) out.div_s.segment(c0, nb) = ds.transpose();
  }
  return out;
}

}  // namespace si
