#include <gtest/gtest.h>

#include <cmath>

#include "si/gradcheck.hpp"
#include "si/mlp.hpp"
#include "si/optim.hpp"

namespace si {
namespace {

std::vector<Activation> all_activations() {
  std::vector<Activation> out;
  for (const auto& n : activation_names()) out.push_back(activation_from_name(n));
  return out;
}

TEST(Mlp, EveryActivationDerivativeMatchesFiniteDifference) {
  MatD z(1, 9);
  z << -3.0, -1.2, -0.4, -0.05, 0.07, 0.3, 0.9, 2.0, 4.5;  // avoids relu's kink at 0
  const double h = 1e-6;
  for (Activation a : all_activations()) {
    SCOPED_TRACE(to_name(a));
    MatD d, yp, ym;
    activate_deriv(a, z, d);
    activate(a, MatD(z.array() + h), yp);
    activate(a, MatD(z.array() - h), ym);
    const MatD fd = (yp - ym) / (2 * h);
    EXPECT_LE((fd - d).cwiseAbs().maxCoeff(), 1e-8);
  }
}

TEST(Mlp, SoftplusDoesNotOverflow) {
  MatD z(1, 2), y;
  z << -800.0, 800.0;
  activate(Activation::Softplus, z, y);
  EXPECT_NEAR(y(0), 0.0, 1e-300);
  EXPECT_DOUBLE_EQ(y(1), 800.0);
}

class MlpGradient : public ::testing::TestWithParam<Activation> {};

TEST_P(MlpGradient, BackwardMatchesFiniteDifferencesInParamsAndInputs) {
  Rng rng(7);
  MlpShape shape{3, 2, {6, 5, 4}, GetParam()};
  Mlp<double> net(shape);
  net.init(rng);
  const MatD X = rng.normal_matrix<double>(3, 11);
  const MatD R = rng.normal_matrix<double>(2, 11);  // L = sum(R .* f(X)), so dL/dY = R
  MlpCache<double> cache;
  net.forward(X, cache);
  VecD grad = VecD::Zero(net.num_params());
  MatD dX;
  net.backward(cache, R, grad, &dX);

  const VecD p0 = net.params();
  auto loss_of_params = [&](const VecD& p) {
    Mlp<double> m = net;
    m.params() = p;
    return m.eval(X).cwiseProduct(R).sum();
  };
  // floor 1e-3: below it the comparison is absolute, where round-off of the differences dominates.
  const auto gp = check_gradient(loss_of_params, p0, grad, rng, 1000, 1e-6, 1e-3);
  EXPECT_LE(gp.max_rel_error, 1e-5) << "parameter " << gp.worst_index;

  const VecD x0 = Eigen::Map<const VecD>(X.data(), X.size());
  auto loss_of_inputs = [&](const VecD& x) {
    return net.eval(Eigen::Map<const MatD>(x.data(), 3, 11)).cwiseProduct(R).sum();
  };
  const auto gx =
      check_gradient(loss_of_inputs, x0, Eigen::Map<const VecD>(dX.data(), dX.size()), rng, 1000, 1e-6, 1e-3);
  EXPECT_LE(gx.max_rel_error, 1e-5) << "input " << gx.worst_index;
}

TEST_P(MlpGradient, GradientsAccumulateUntilZeroed) {
  Rng rng(3);
  Mlp<double> net(MlpShape{3, 2, {4}, GetParam()});
  net.init(rng);
  const MatD X = rng.normal_matrix<double>(3, 5), R = rng.normal_matrix<double>(2, 5);
  MlpCache<double> cache;
  VecD g1 = VecD::Zero(net.num_params()), g2 = VecD::Zero(net.num_params());
  net.forward(X, cache);
  net.backward(cache, R, g1);
  net.forward(X, cache);
  net.backward(cache, R, g2);
  net.forward(X, cache);
  net.backward(cache, R, g2);
  EXPECT_LE((g2 - 2 * g1).norm(), 1e-12 * (1 + g1.norm()));
}

TEST_P(MlpGradient, AGradientWrittenNotAddedIsTheSumIntoZeros) {
  // accumulate = false writes every entry (the NaNs it starts from are gone), exactly as += on zeros.
  Rng rng(5);
  Mlp<float> net(MlpShape{3, 20, {40, 24}, GetParam()});  // 20 outputs: our GEMM's rows, not Eigen's
  net.init(rng);
  const MatF X = rng.normal_matrix<float>(3, 37), R = rng.normal_matrix<float>(20, 37);
  MlpCache<float> cache;
  VecF added = VecF::Zero(net.num_params()), written = VecF::Constant(5, std::nanf(""));
  net.forward(X, cache);
  net.backward(cache, R, added);
  net.forward(X, cache);
  net.backward(cache, R, written, nullptr, false);
  ASSERT_EQ(written.size(), net.num_params());
  EXPECT_TRUE(written.allFinite());
  EXPECT_EQ(written, added);
  EXPECT_GT((added.array() != 0.0f).count(), added.size() / 2);  // not a gradient of zeros
}

TEST_P(MlpGradient, TheColumnSplitPassIsTheWholePass) {
  // The training step's pass (forward and backward by columns of the batch, then the weight gradient
  // by columns of the weights from the whole batch, or by pieces of the batch) against forward() +
  // backward(): on the whole range exactly, split into uneven pieces to float rounding, every
  // gradient entry written.
  Rng rng(9);
  Mlp<float> net(MlpShape{3, 20, {40, 24}, GetParam()});
  net.init(rng);
  const Eigen::Index n = 37, P = net.num_params();
  const MatF X = rng.normal_matrix<float>(3, n), R = rng.normal_matrix<float>(20, n);
  MlpCache<float> whole;
  const MatF Y = net.forward(X, whole);
  VecF reference;
  net.backward(whole, R, reference, nullptr, false);

  std::vector<Eigen::Index> columns;  // every column boundary of every layer's weights and bias
  for (int l = 0; l < net.layers(); ++l)
    for (Eigen::Index c = 0; c <= net.fan_in(l); ++c) columns.push_back(net.offset(l) + c * net.fan_out(l));
  columns.push_back(P);
  ASSERT_EQ(columns.front(), 0);
  for (const bool split : {false, true}) {
    SCOPED_TRACE(split ? "split" : "whole");
    MlpCache<float> c;
    MatF scratch;
    net.prepare(c, n);
    const std::vector<Eigen::Index> pieces =
        split ? std::vector<Eigen::Index>{0, 13, 14, n} : std::vector<Eigen::Index>{0, n};
    for (size_t i = 0; i + 1 < pieces.size(); ++i) net.forward_columns(X, pieces[i], pieces[i + 1], c, scratch);
    c.delta = R;
    for (size_t i = 0; i + 1 < pieces.size(); ++i) net.backward_columns(c, pieces[i], pieces[i + 1], scratch);
    VecF grad = VecF::Constant(P, std::nanf(""));
    if (split) {  // uneven ranges across layers, then one column at a time from the middle of a layer
      const Eigen::Index a = columns[7], b = columns[columns.size() - 9];
      net.weight_gradient(X, c, 0, a, grad);
      for (size_t i = 7; columns[i] < b; ++i) net.weight_gradient(X, c, columns[i], columns[i + 1], grad);
      net.weight_gradient(X, c, b, P, grad);
    } else {
      net.weight_gradient(X, c, 0, P, grad);
    }
    ASSERT_TRUE(grad.allFinite()) << "an entry not written";
    if (split) {
      EXPECT_LE((c.output - Y).norm(), 1e-6 * Y.norm());
      EXPECT_LE((grad - reference).norm(), 1e-5 * reference.norm());
    } else {
      EXPECT_EQ(c.output, Y);
      EXPECT_EQ(grad, reference);
    }
    // The other way the step takes it (small networks): each piece's whole gradient from its own
    // columns of the batch, the pieces' gradients summed. On the whole batch it is the same call.
    VecF sum = VecF::Zero(P);
    for (size_t i = 0; i + 1 < pieces.size(); ++i) {
      VecF piece = VecF::Constant(P, std::nanf(""));
      net.weight_gradient(X, c, 0, P, piece, pieces[i], pieces[i + 1]);
      ASSERT_TRUE(piece.allFinite()) << "an entry of piece " << i << "'s gradient not written";
      sum += piece;
    }
    if (split)
      EXPECT_LE((sum - reference).norm(), 1e-5 * reference.norm());
    else
      EXPECT_EQ(sum, reference);
  }
}

TEST_P(MlpGradient, ForwardModeDivergenceMatchesFiniteDifferenceJacobianTrace) {
  Rng rng(11);
  const int d = 3;
  Mlp<double> net(MlpShape{d + 1, d, {8, 7}, GetParam()});
  net.init(rng);
  const MatD X = rng.normal_matrix<double>(d + 1, 6);
  VecD div;
  const MatD Y = net.eval_with_divergence(X, div, 1);
  EXPECT_LE((Y - net.eval(X)).norm(), 1e-12);
  const double h = 1e-6;
  for (int j = 0; j < X.cols(); ++j) {
    double trace = 0;
    for (int k = 0; k < d; ++k) {
      MatD xp = X.col(j), xm = X.col(j);
      xp(1 + k) += h;
      xm(1 + k) -= h;
      trace += (net.eval(xp)(k) - net.eval(xm)(k)) / (2 * h);
    }
    EXPECT_NEAR(div(j), trace, 1e-6 * (1 + std::abs(trace))) << "point " << j;
  }
}

INSTANTIATE_TEST_SUITE_P(AllActivations, MlpGradient, ::testing::ValuesIn(all_activations()),
                         [](const auto& info) { return to_name(info.param); });

// The checker's negative control: the settings every gradient test here uses (all coordinates,
// h = 1e-6, floor 1e-3, pass if max_rel_error <= 1e-5) must fail a gradient that is 1% off in a single
// component or has one sign flipped, and name that component, while the true gradient passes.
constexpr double kGradTolerance = 1e-5;

// f(x) = sum_i sin(x_i) x_{i+1} + x_i^4 / 4 (indices mod n), with its exact gradient.
double coupled(const VecD& x) {
  const Eigen::Index n = x.size();
  double f = 0;
  for (Eigen::Index i = 0; i < n; ++i) f += std::sin(x(i)) * x((i + 1) % n) + 0.25 * std::pow(x(i), 4);
  return f;
}

VecD coupled_gradient(const VecD& x) {
  const Eigen::Index n = x.size();
  VecD g(n);
  for (Eigen::Index k = 0; k < n; ++k)
    g(k) = std::cos(x(k)) * x((k + 1) % n) + std::sin(x((k + n - 1) % n)) + std::pow(x(k), 3);
  return g;
}

TEST(GradCheck, PassesTheTrueGradientAndFailsOneWrongComponent) {
  Rng rng(29);
  VecD x = rng.normal_matrix<double>(20, 1);
  x(3) = 3.5;  // |x_i| > 1: the step is relative there
  x(11) = -0.01;
  const VecD grad = coupled_gradient(x);
  const GradCheckResult ok = check_gradient(coupled, x, grad, rng, 1000, 1e-6, 1e-3);
  EXPECT_LE(ok.max_rel_error, kGradTolerance) << "true gradient, worst component " << ok.worst_index;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    VecD scaled = grad, flipped = grad;
    scaled(k) *= 1.01;
    flipped(k) = -flipped(k);
    const GradCheckResult a = check_gradient(coupled, x, scaled, rng, 1000, 1e-6, 1e-3);
    EXPECT_GT(a.max_rel_error, kGradTolerance) << "component " << k << " scaled by 1.01 passed";
    EXPECT_EQ(a.worst_index, k);
    const GradCheckResult b = check_gradient(coupled, x, flipped, rng, 1000, 1e-6, 1e-3);
    EXPECT_GT(b.max_rel_error, kGradTolerance) << "component " << k << " with its sign flipped passed";
    EXPECT_EQ(b.worst_index, k);
  }
  // Checking a random subset of coordinates still catches an error spread over all of them.
  const GradCheckResult some = check_gradient(coupled, x, VecD(1.01 * grad), rng, 5, 1e-6, 1e-3);
  EXPECT_GT(some.max_rel_error, kGradTolerance);
}

TEST(GradCheck, FailsAnMlpBackwardGradientWithOneComponentOnePercentOff) {
  Rng rng(31);
  Mlp<double> net(MlpShape{3, 2, {6, 5}, Activation::Tanh});
  net.init(rng);
  const MatD X = rng.normal_matrix<double>(3, 7), R = rng.normal_matrix<double>(2, 7);
  MlpCache<double> cache;
  net.forward(X, cache);
  VecD grad = VecD::Zero(net.num_params());
  net.backward(cache, R, grad);
  auto loss = [&](const VecD& p) {
    Mlp<double> m = net;
    m.params() = p;
    return m.eval(X).cwiseProduct(R).sum();
  };
  EXPECT_LE(check_gradient(loss, net.params(), grad, rng, 1000, 1e-6, 1e-3).max_rel_error, kGradTolerance);
  // The smallest component above the floor and the largest one: both are caught.
  Eigen::Index largest, smallest = -1;
  grad.cwiseAbs().maxCoeff(&largest);
  for (Eigen::Index k = 0; k < grad.size(); ++k)
    if (std::abs(grad(k)) > 1e-3 && (smallest < 0 || std::abs(grad(k)) < std::abs(grad(smallest)))) smallest = k;
  ASSERT_GE(smallest, 0);
  for (Eigen::Index k : {largest, smallest}) {
    VecD wrong = grad;
    wrong(k) *= 1.01;
    const GradCheckResult r = check_gradient(loss, net.params(), wrong, rng, 1000, 1e-6, 1e-3);
    EXPECT_GT(r.max_rel_error, kGradTolerance) << "parameter " << k << " (gradient " << grad(k) << ") 1% off passed";
    EXPECT_EQ(r.worst_index, k);
  }
}

TEST(Mlp, InitialisationIsPyTorchUniformInverseSqrtFanIn) {
  Rng rng(1);
  Mlp<float> net(MlpShape{3, 2, {256, 64}, Activation::ReLU});
  net.init(rng);
  const double bounds[] = {1 / std::sqrt(3.0), 1 / std::sqrt(256.0), 1 / std::sqrt(64.0)};
  for (int l = 0; l < net.layers(); ++l) {
    const double k = bounds[l];
    EXPECT_LE(net.weight(l).cwiseAbs().maxCoeff(), k);
    EXPECT_LE(net.bias(l).cwiseAbs().maxCoeff(), k);
    // Uniform on [-k, k] has mean |w| = k / 2: the bound is really used, not a smaller one.
    EXPECT_NEAR(net.weight(l).cwiseAbs().mean(), k / 2, 0.1 * k);
  }
  EXPECT_EQ(net.num_params(), 3 * 256 + 256 + 256 * 64 + 64 + 64 * 2 + 2);
}

TEST(Mlp, FloatAndDoubleAgree) {
  Rng rng(5);
  Mlp<double> net(MlpShape{3, 2, {32, 32}, Activation::Tanh});
  net.init(rng);
  const Mlp<float> f = net.cast<float>();
  const MatD X = rng.normal_matrix<double>(3, 20);
  EXPECT_LE((f.eval(X.cast<float>()).cast<double>() - net.eval(X)).cwiseAbs().maxCoeff(), 1e-5);
}

TEST(Mlp, FloatAndDoubleGradientsAgree) {
  // Widths and a batch off every micro-tile and cache block, so the float products (si/gemm.hpp
  // natively and in wasm) meet their edge tiles forward and backward.
  Rng rng(6);
  Mlp<double> net(MlpShape{5, 3, {37, 300}, Activation::SiLU});
  net.init(rng);
  const Mlp<float> f = net.cast<float>();
  const MatD X = rng.normal_matrix<double>(5, 261), dY = rng.normal_matrix<double>(3, 261);
  MlpCache<double> cd;
  MlpCache<float> cf;
  net.forward(X, cd);
  f.forward(X.cast<float>(), cf);
  VecD gd = VecD::Zero(net.num_params());
  VecF gf = VecF::Zero(f.num_params());
  MatD dXd;
  MatF dXf;
  net.backward(cd, dY, gd, &dXd);
  f.backward(cf, dY.cast<float>(), gf, &dXf);
  EXPECT_LE((gf.cast<double>() - gd).cwiseAbs().maxCoeff(), 1e-4 * gd.cwiseAbs().maxCoeff());
  EXPECT_LE((dXf.cast<double>() - dXd).cwiseAbs().maxCoeff(), 1e-4 * dXd.cwiseAbs().maxCoeff());
}

TEST(Mlp, RejectsZeroWidth) { EXPECT_THROW(Mlp<float>(MlpShape{3, 2, {16, 0}, Activation::ReLU}), ConfigError); }

TEST(Adam, FirstStepMovesEachParameterByTheLearningRate) {
  AdamOptions o;
  o.lr = 0.01;
  Adam<double> adam(o, 3);
  VecD p = VecD::Zero(3), g(3);
  g << 2.0, -0.5, 1e-3;
  adam.step(p, g);
  // With bias correction, step one is lr * g / (|g| + eps'): magnitude lr for every coordinate.
  EXPECT_NEAR(p(0), -0.01, 1e-7);
  EXPECT_NEAR(p(1), 0.01, 1e-7);
  EXPECT_NEAR(p(2), -0.01, 1e-6);
}

TEST(Adam, MatchesHandComputedSecondStep) {
  AdamOptions o;
  o.lr = 0.1;
  Adam<double> adam(o, 1);
  VecD p(1), g(1);
  p << 1.0;
  g << 1.0;
  adam.step(p, g);
  g << 3.0;
  adam.step(p, g);
  const double m = 0.9 * 0.1 * 1 + 0.1 * 3, v = 0.999 * 0.001 * 1 + 0.001 * 9;
  const double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
  const double p1 = 1.0 - 0.1 * 1.0 / (1.0 + 1e-8);
  EXPECT_NEAR(p(0), p1 - 0.1 * mh / (std::sqrt(vh) + 1e-8), 1e-12);
}

TEST(Adam, StepLrDecaysAndClippingBoundsTheNorm) {
  AdamOptions o;
  o.lr = 1.0;
  o.step_size = 2;
  o.decay = 0.5;
  o.clip = 1.0;
  Adam<double> adam(o, 2);
  VecD p = VecD::Zero(2), g(2);
  EXPECT_DOUBLE_EQ(adam.lr(), 1.0);
  g << 3.0, 4.0;
  EXPECT_DOUBLE_EQ(adam.step(p, g), 5.0);
  // Clipped to norm 1, the moments are those of g / 5: two steps agree with an unclipped Adam fed that.
  AdamOptions unclipped = o;
  unclipped.clip = 0;
  Adam<double> ref(unclipped, 2);
  VecD q = VecD::Zero(2), h(2);
  h << 0.6, 0.8;
  ref.step(q, h);
  g << 3.0, 4.0;
  adam.step(p, g);
  ref.step(q, h);
  EXPECT_NEAR((p - q).norm(), 0.0, 1e-12);
  EXPECT_GT(p.norm(), 0.1);
  EXPECT_DOUBLE_EQ(adam.lr(), 0.5);
  g << 3.0, 4.0;
  adam.step(p, g);
  g << 3.0, 4.0;
  adam.step(p, g);
  EXPECT_DOUBLE_EQ(adam.lr(), 0.25);
}

TEST(Adam, AStepInRangesIsTheWholeStep) {
  // plan / propose over ranges (the session's threads), then commit, give exactly what step() gives.
  AdamOptions o;
  o.lr = 0.05;
  o.clip = 0.5;  // the gradient's norm is far above it: the plan carries the clipping
  Adam<float> whole(o, 10), parts(o, 10);
  Rng rng(11);
  VecF p = rng.normal_matrix<float>(10, 1), q = p;
  for (int step = 0; step < 3; ++step) {
    VecF g = rng.normal_matrix<float>(10, 1), h = g;
    const double norm = whole.step(p, g);
    const Adam<float>::Plan plan = parts.plan(std::sqrt(double(h.squaredNorm())));  // as step() takes it
    VecF next(10);
    for (auto [b, e] : {std::pair<Eigen::Index, Eigen::Index>{0, 3}, {3, 4}, {4, 10}})
      EXPECT_TRUE(parts.propose(plan, q, h, next, b, e));
    EXPECT_NE(next, q);
    q.swap(next);  // the caller takes the proposed weights
    parts.commit();
    EXPECT_GT(norm, 0.5);
    EXPECT_EQ(p, q) << "step " << step;
    EXPECT_EQ(whole.steps(), parts.steps());
  }
  // A learning rate that overflows the weights: propose says so and nothing changes.
  o.lr = 1e300;
  Adam<float> huge(o, 10);
  const VecF before = q;
  const VecF g = rng.normal_matrix<float>(10, 1);
  VecF next(10);
  EXPECT_FALSE(huge.propose(huge.plan(double(g.norm())), q, g, next, 0, 10));
  EXPECT_EQ(q, before);
  EXPECT_EQ(huge.steps(), 0);
  EXPECT_EQ(huge.m(), VecF::Zero(10));  // the moments too: only commit() takes the proposed ones
  EXPECT_EQ(huge.v(), VecF::Zero(10));
}

TEST(Adam, OptionsAreValidated) {
  AdamOptions o;
  o.lr = -1;
  EXPECT_THROW(o.validate(), ConfigError);
  o = AdamOptions{};
  o.decay = 0;
  EXPECT_THROW(o.validate(), ConfigError);
  o = AdamOptions{};
  o.clip = -2;
  EXPECT_THROW(o.validate(), ConfigError);
}

}  // namespace
}  // namespace si
