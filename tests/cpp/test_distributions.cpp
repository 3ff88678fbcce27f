#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/datasets.hpp"
#include "si/distributions.hpp"
#include "si/images.hpp"

namespace si {
namespace {

using nlohmann::json;

constexpr double kLog2Pi = 1.8378770664093454836;

// A spec that builds for every type (some types need parameters).
json spec_for(const std::string& type) {
  if (type == "gmm")
    return json::parse(R"({"type": "gmm", "weights": [0.3, 0.7], "means": [[-1, 0], [2, 1]],
                           "covs": [[[1, 0.2], [0.2, 0.5]], [[0.3, 0], [0, 0.3]]]})");
  if (type == "points") return json::parse(R"({"type": "points", "points": [[0, 0], [1, 2], [-3, 1]]})");
  if (type == "fashion-mnist") return json{{"type", type}, {"size", 14}, {"split", "test"}, {"limit", 300}};
  if (type == "images") {
    // Images handed over as bytes (the package's way): 64 images of 2 x 1 pixels, so d = 2 here too.
    static const bool stored = [] {
      std::vector<std::uint8_t> px(128);
      for (size_t i = 0; i < px.size(); ++i) px[i] = std::uint8_t((37 * i + 11) % 256);
      store_image_set("distributions-test", "train", images_from_bytes(px.data(), px.size(), nullptr, 0, 2, 1));
      return true;
    }();
    (void)stored;
    return json{{"type", type}, {"name", "distributions-test"}};
  }
  return json{{"type", type}};
}

// The dimension of spec_for(type): 2 but for the images (14 x 14).
int dim_for(const std::string& type) { return type == "fashion-mnist" ? 196 : 2; }

GaussianMixture example_mixture() {
  return GaussianMixture(
      {0.2, 0.5, 0.3}, {(VecD(2) << -2, 0).finished(), (VecD(2) << 1, 1.5).finished(), (VecD(2) << 2, -2).finished()},
      {(MatD(2, 2) << 1.0, 0.3, 0.3, 0.5).finished(), (MatD(2, 2) << 0.4, -0.1, -0.1, 0.8).finished(),
       (MatD(2, 2) << 0.2, 0.0, 0.0, 1.5).finished()});
}

TEST(Checkerboard, SamplesAllLieOnTheSupportWithEqualSharesPerSquare) {
  const Checkerboard cb;
  Rng rng(3);
  const int n = 20000;
  const MatD x = cb.sample(n, rng);
  ASSERT_EQ(x.rows(), 2);
  ASSERT_EQ(x.cols(), n);
  EXPECT_EQ(checkerboard_support_share(x), 1.0);
  std::map<std::pair<int, int>, int> counts;
  for (int j = 0; j < n; ++j)
    ++counts[{static_cast<int>(std::floor(x(0, j) / 2)), static_cast<int>(std::floor(x(1, j) / 2))}];
  EXPECT_EQ(counts.size(), 8u);
  const double sd = std::sqrt(0.125 * 0.875 / n);  // binomial standard deviation of one share
  for (const auto& [square, count] : counts) {
    EXPECT_EQ((square.first + square.second) % 2, 0);
    EXPECT_NEAR(static_cast<double>(count) / n, 0.125, 5 * sd) << square.first << "," << square.second;
  }
}

TEST(Checkerboard, FollowsTheSpecConstructionDrawForDraw) {
  const Checkerboard cb;
  Rng a(42), b(42);
  const MatD x = cb.sample(500, a);
  for (int j = 0; j < 500; ++j) {
    const double u1 = b.uniform(-2.0, 2.0);
    const double v = b.uniform() - 2.0 * (b.bernoulli(0.5) ? 1.0 : 0.0);
    const double fl = std::floor(u1);
    const double u2 = v + (fl - 2.0 * std::floor(fl / 2.0));
    EXPECT_EQ(x(0, j), 2.0 * u1);
    EXPECT_EQ(x(1, j), 2.0 * u2);
  }
}

TEST(Checkerboard, LogDensityIsMinusLog32OnTheSupportAndMinusInfinityOff) {
  const Checkerboard cb;
  ASSERT_TRUE(cb.has_log_density());
  MatD x(2, 7);
  x << 0.5, 2.5, -3.9, 1.0, -0.5, 4.5, 3.0,  //
      0.5, 2.5, -3.9, 3.0, 0.5, 0.5, 3.0;
  const VecD lp = cb.log_density(x);
  const double on = -std::log(32.0), off = -std::numeric_limits<double>::infinity();
  const std::vector<double> expected = {on, on, on, off, off, off, on};
  for (int j = 0; j < 7; ++j) EXPECT_EQ(lp(j), expected[j]) << "column " << j;
  EXPECT_NEAR(checkerboard_support_share(x), 4.0 / 7.0, 1e-15);
  EXPECT_TRUE(checkerboard_on_support(-4.0, -4.0));
  EXPECT_FALSE(checkerboard_on_support(-4.0, 4.5));
  EXPECT_FALSE(checkerboard_on_support(std::nan(""), 0.5));
  // Its density integrates to 1: 8 squares of area 4.
  double mass = 0.0;
  const int g = 400;
  MatD grid(2, g * g);
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j) grid.col(i * g + j) << -5 + 10.0 * (i + 0.5) / g, -5 + 10.0 * (j + 0.5) / g;
  const VecD lg = cb.log_density(grid);
  for (Eigen::Index j = 0; j < lg.size(); ++j) mass += std::exp(lg(j)) * (10.0 / g) * (10.0 / g);
  EXPECT_NEAR(mass, 1.0, 1e-12);
}

TEST(GaussianMixture, SampleMeanAndCovarianceMatchTheMixtureMoments) {
  const GaussianMixture g = example_mixture();
  VecD mean = VecD::Zero(2);
  MatD second = MatD::Zero(2, 2);
  for (int k = 0; k < 3; ++k) {
    mean += g.weights()[k] * g.means()[k];
    second += g.weights()[k] * (g.covs()[k] + g.means()[k] * g.means()[k].transpose());
  }
  const MatD cov = second - mean * mean.transpose();
  const int n = 200000;
  Rng rng(5);
  const MatD x = g.sample(n, rng);
  const VecD m = x.rowwise().mean();
  const MatD c = x.colwise() - m;
  // CLT: sd of the mean is sqrt(var / n); sd of a covariance entry is sd(c_i c_j) / sqrt(n).
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(m(i), mean(i), 5 * std::sqrt(cov(i, i) / n));
    for (int j = 0; j < 2; ++j) {
      const VecD prod = (c.row(i).array() * c.row(j).array()).transpose();
      const double sd = std::sqrt((prod.array() - prod.mean()).square().mean() / n);
      EXPECT_NEAR(prod.mean(), cov(i, j), 5 * sd) << i << "," << j;
    }
  }
}

TEST(Rng, DeferredNormalsAreTheNormalsNormalGivesAndLeaveTheSameStream) {
  // Box-Muller makes normals in pairs and keeps the second as a spare: takes of odd and even counts,
  // starting with and without a spare, with other draws between them, on 1 to 3 threads.
  for (int threads : {1, 2, 3}) {
    Rng direct(9), deferred(9);
    std::vector<double> want;
    DeferredNormals z;
    for (int count : {1, 7, 4, 0, 2001, 3000, 1, 1}) {
      for (int i = 0; i < count; ++i) want.push_back(direct.normal());
      z.take(deferred, count);
      EXPECT_EQ(direct.uniform(), deferred.uniform()) << "the stream after " << count << " normals";
    }
    z.compute(threads);
    ASSERT_EQ(z.size(), Eigen::Index(want.size()));
    for (size_t k = 0; k < want.size(); ++k) ASSERT_EQ(z.data()[k], want[k]) << "normal " << k << ", " << threads;
    EXPECT_EQ(direct.normal(), deferred.normal()) << "the spare left";
    // A matrix of normals on threads is the matrix drawn one by one, column by column.
    Rng a(4), b(4);
    MatF one_by_one(3, 1001);
    for (Eigen::Index j = 0; j < one_by_one.cols(); ++j)
      for (Eigen::Index i = 0; i < 3; ++i) one_by_one(i, j) = float(a.normal());
    EXPECT_EQ(b.normal_matrix<float>(3, 1001, threads), one_by_one);
  }
}

TEST(GaussianMixture, SamplesOnThreadsAreTheDrawOnePointAtATime) {
  // The construction written out (per point one uniform picks the component by inverse CDF, then d
  // normals, x = mu + L z): the threads' draw is the same numbers and leaves the same stream.
  Rng setup(2);
  const int d = 6;
  std::vector<VecD> means;
  std::vector<MatD> covs;
  for (int k = 0; k < 3; ++k) {
    means.push_back(setup.normal_matrix<double>(d, 1));
    const MatD a = setup.normal_matrix<double>(d, d);
    covs.push_back(a * a.transpose() + MatD::Identity(d, d));
  }
  const GaussianMixture g({0.2, 0.5, 0.3}, means, covs);
  std::vector<Eigen::LLT<MatD>> chol;
  for (const MatD& c : covs) chol.emplace_back(c);
  Rng by_hand(8);
  const Eigen::Index n = 700;
  MatD want(d, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double u = by_hand.uniform();
    const int c = u < 0.2 ? 0 : u < 0.7 ? 1 : 2;
    VecD z(d);
    for (int r = 0; r < d; ++r) z(r) = by_hand.normal();
    want.col(j) = means[size_t(c)] + chol[size_t(c)].matrixL() * z;
  }
  for (int threads : {1, 2, 3}) {
    Rng rng(8);
    const MatD x = g.sample_on_threads(n, rng, threads);
    EXPECT_LT((x - want).cwiseAbs().maxCoeff(), 1e-12) << threads << " threads";
    Rng serial(8);
    EXPECT_EQ(x, g.sample(n, serial)) << threads << " threads against one";
    EXPECT_EQ(rng.uniform(), serial.uniform());
  }
  // N(0, I) is its normals themselves.
  Rng a(3), b(3);
  EXPECT_EQ(GaussianMixture::standard_normal(d).sample_on_threads(n, a, 2), b.normal_matrix<double>(d, n));
}

TEST(GaussianMixture, LogDensityIsMinusInfinityWhereEveryComponentUnderflows) {
  // Found by fuzzing: where every component's log-density is -inf the log-sum-exp gave NaN.
  const GaussianMixture g({0.5, 0.5}, {VecD::Zero(1), VecD::Ones(1)},
                          {MatD::Constant(1, 1, 1e-300), MatD::Constant(1, 1, 1e-300)});
  const VecD lp = g.log_density(MatD::Constant(1, 1, 1e200));
  EXPECT_EQ(lp(0), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isfinite(g.log_density(MatD::Constant(1, 1, 1e-160))(0)));
}

TEST(GaussianMixture, LogDensityIntegratesToOneOnAGrid) {
  const GaussianMixture g = example_mixture();
  const int gsz = 500;
  const double lo = -9, hi = 9, cell = (hi - lo) / gsz;
  MatD grid(2, gsz * gsz);
  for (int i = 0; i < gsz; ++i)
    for (int j = 0; j < gsz; ++j) grid.col(i * gsz + j) << lo + cell * (i + 0.5), lo + cell * (j + 0.5);
  EXPECT_NEAR(g.log_density(grid).array().exp().sum() * cell * cell, 1.0, 1e-6);
}

TEST(GaussianMixture, LogDensityMatchesTheGaussianFormula) {
  const MatD cov = (MatD(2, 2) << 2.0, 0.6, 0.6, 0.5).finished();
  const VecD mu = (VecD(2) << 1.0, -1.0).finished();
  const GaussianMixture g({1.0}, {mu}, {cov});
  MatD x(2, 3);
  x << 0, 1, 3, 0, -1, 2;
  const VecD lp = g.log_density(x);
  for (int j = 0; j < 3; ++j) {
    const VecD r = x.col(j) - mu;
    const double expected = -0.5 * r.dot(cov.inverse() * r) - 0.5 * std::log(cov.determinant()) - kLog2Pi;
    EXPECT_NEAR(lp(j), expected, 1e-13);
  }
}

TEST(GaussianMixture, LogDensityStaysFiniteAndExactFarInTheTails) {
  // At |x| = 40 every component's density underflows (exp(-800) is 0 in double).
  const GaussianMixture std_normal = GaussianMixture::standard_normal(2);
  MatD x(2, 2);
  x << 40, 0, 0, -40;
  const VecD lp = std_normal.log_density(x);
  for (int j = 0; j < 2; ++j) EXPECT_NEAR(lp(j), -800.0 - kLog2Pi, 1e-10);
  const GaussianMixture two({0.25, 0.75}, {VecD::Zero(2), (VecD(2) << 1, 0).finished()},
                            {MatD::Identity(2, 2), MatD::Identity(2, 2)});
  MatD y(2, 1);
  y << 40, 0;
  // log(0.25 e^{-800} + 0.75 e^{-760.5}) - log 2 pi, done by hand in log space.
  const double a = std::log(0.25) - 800.0, b = std::log(0.75) - 0.5 * 39.0 * 39.0;
  const double expected = b + std::log1p(std::exp(a - b)) - kLog2Pi;
  EXPECT_NEAR(two.log_density(y)(0), expected, 1e-10);
}

TEST(GaussianMixture, StandardNormalIsRecognised) {
  EXPECT_TRUE(GaussianMixture::standard_normal(3).is_standard_normal());
  EXPECT_TRUE(make_distribution(json{{"type", "gaussian"}}, "base")->as_mixture()->is_standard_normal());
  EXPECT_FALSE(example_mixture().is_standard_normal());
  EXPECT_FALSE(GaussianMixture({1.0}, {VecD::Zero(2)}, {2.0 * MatD::Identity(2, 2)}).is_standard_normal());
  EXPECT_FALSE(GaussianMixture({1.0}, {VecD::Ones(2)}, {MatD::Identity(2, 2)}).is_standard_normal());
}

TEST(GaussianMixture, WeightsWithinToleranceOfOneAreRenormalised) {
  const GaussianMixture g({0.5 + 4e-7, 0.5}, {VecD::Zero(1), VecD::Ones(1)}, {MatD::Ones(1, 1), MatD::Ones(1, 1)});
  EXPECT_NEAR(g.weights()[0] + g.weights()[1], 1.0, 1e-15);
}

TEST(Distributions, EveryTypeSamplesFiniteReproduciblePointsOfTheRightShape) {
  for (const std::string& type : distribution_types()) {
    SCOPED_TRACE(type);
    const auto d = make_distribution(spec_for(type), "target");
    EXPECT_EQ(d->dim(), dim_for(type));
    EXPECT_EQ(d->name(), type == "images" ? std::string("distributions-test") : type);  // an image set by its name
    Rng r1(7), r2(7), r3(8);
    const MatD a = d->sample(2000, r1), b = d->sample(2000, r2), c = d->sample(2000, r3);
    ASSERT_EQ(a.rows(), dim_for(type));
    ASSERT_EQ(a.cols(), 2000);
    EXPECT_TRUE(a.allFinite());
    EXPECT_EQ(a, b) << "same seed, different samples";
    EXPECT_NE(a, c) << "different seeds, same samples";
    // The 2-D data sets lie roughly in [-4, 4]^2 (slack for tails); the mixtures are user-placed.
    if (!d->as_mixture() || type == "8gaussians" || type == "points") {
      const double inside = ((a.array().abs() <= 5.0).colwise().all()).cast<double>().mean();
      EXPECT_GE(inside, 0.99);
    }
    EXPECT_EQ(d->sample(0, r1).cols(), 0);
    if (d->has_log_density()) {
      EXPECT_TRUE(d->log_density(a).allFinite());
    } else {
      EXPECT_THROW(d->log_density(a), std::logic_error);
    }
  }
}

TEST(Distributions, DataSetsWithKnownStructureAreMixtures) {
  for (const std::string& type : {"gaussian", "gmm", "random-gmm", "8gaussians", "points"})
    EXPECT_NE(make_distribution(spec_for(type), "target")->as_mixture(), nullptr) << type;
  for (const std::string& type : {"checkerboard", "moons", "spirals", "rings", "pinwheel", "swissroll"}) {
    const auto d = make_distribution(spec_for(type), "target");
    EXPECT_EQ(d->as_mixture(), nullptr) << type;
    EXPECT_EQ(d->has_log_density(), type == "checkerboard") << type;
  }
}

TEST(Distributions, EightGaussiansHasEightEqualComponentsOnACircle) {
  const auto d = make_distribution(json{{"type", "8gaussians"}}, "target");
  const GaussianMixture* g = d->as_mixture();
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->components(), 8);
  for (int k = 0; k < 8; ++k) {
    EXPECT_DOUBLE_EQ(g->weights()[k], 0.125);
    EXPECT_NEAR(g->means()[k].norm(), 2 * std::sqrt(2.0), 1e-12);
    EXPECT_NEAR(g->covs()[k](0, 0), 0.125, 1e-12);
  }
  const auto wide = make_distribution(json{{"type", "8gaussians"}, {"radius", 3}, {"noise", 0.1}}, "target");
  EXPECT_NEAR(wide->as_mixture()->means()[2].norm(), 3.0, 1e-12);
  EXPECT_NEAR(wide->as_mixture()->covs()[2](1, 1), 0.01, 1e-15);
}

TEST(Distributions, NoiseParameterControlsTheBlurOfShapes) {
  for (const std::string& type : {"moons", "spirals", "rings", "swissroll"}) {
    const auto sharp = make_distribution(json{{"type", type}, {"noise", 0.0}}, "target");
    const auto blurred = make_distribution(json{{"type", type}, {"noise", 0.5}}, "target");
    Rng a(1), b(1);
    const MatD x = sharp->sample(1000, a), y = blurred->sample(1000, b);
    // Same stream: the blurred points are the sharp ones plus 0.5 N(0, I).
    const double sd = std::sqrt((y - x).array().square().mean());
    EXPECT_NEAR(sd, 0.5, 0.05) << type;
  }
  // Noise-free rings lie exactly on their four circles.
  const auto rings = make_distribution(json{{"type", "rings"}, {"noise", 0}}, "target");
  Rng rng(2);
  const MatD x = rings->sample(500, rng);
  for (int j = 0; j < 500; ++j) {
    const double r = x.col(j).norm() / 0.9;
    EXPECT_NEAR(r, std::round(r), 1e-12);
  }
}

TEST(Distributions, PointsTypeResamplesTheGivenPointsWithSmallJitter) {
  const auto d = make_distribution(
      json::parse(R"({"type": "points", "points": [[0, 0], [3, 1], [-2, 2.5]], "bandwidth": 0.01})"), "target");
  ASSERT_NE(d->as_mixture(), nullptr);
  EXPECT_EQ(d->as_mixture()->components(), 3);
  Rng rng(4);
  const int n = 6000;
  const MatD x = d->sample(n, rng);
  const MatD pts = (MatD(2, 3) << 0, 3, -2, 0, 1, 2.5).finished();
  std::vector<int> counts(3, 0);
  for (int j = 0; j < n; ++j) {
    Eigen::Index k;
    const double dist = (pts.colwise() - x.col(j)).colwise().norm().minCoeff(&k);
    EXPECT_LT(dist, 0.06);
    ++counts[k];
  }
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(counts[k] / double(n), 1.0 / 3.0, 5 * std::sqrt(2.0 / 9.0 / n));
}

TEST(Distributions, RandomGmmFollowsTheNotebookConstructionAndSeed) {
  const auto a = make_distribution(json{{"type", "random-gmm"}}, "base");
  const auto b = make_distribution(json{{"type", "random-gmm"}, {"seed", 0}, {"components", 3}}, "base");
  const auto c = make_distribution(json{{"type", "random-gmm"}, {"seed", 1}}, "base");
  const GaussianMixture *ga = a->as_mixture(), *gb = b->as_mixture(), *gc = c->as_mixture();
  ASSERT_EQ(ga->components(), 3);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(ga->means()[k], gb->means()[k]);
    EXPECT_EQ(ga->covs()[k], gb->covs()[k]);
    // (C^T C + I) / 4 has every eigenvalue >= 1/4.
    EXPECT_GE(Eigen::SelfAdjointEigenSolver<MatD>(ga->covs()[k]).eigenvalues().minCoeff(), 0.25 - 1e-12);
    EXPECT_DOUBLE_EQ(ga->weights()[k], 1.0 / 3.0);
  }
  EXPECT_NE(ga->means()[0], gc->means()[0]);
  // Means are 2 N(0, I) drawn first, then the C's, from si::Rng(seed).
  Rng rng(0);
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 2; ++i) EXPECT_EQ(ga->means()[k](i), 2.0 * rng.normal());
  const MatD c0 = rng.normal_matrix<double>(2, 2);
  EXPECT_LE((ga->covs()[0] - (c0.transpose() * c0 + MatD::Identity(2, 2)) / 4).cwiseAbs().maxCoeff(), 1e-15);
  const auto d5 = make_distribution(json{{"type", "random-gmm"}, {"dim", 5}, {"components", 2}}, "base");
  EXPECT_EQ(d5->dim(), 5);
  EXPECT_EQ(d5->as_mixture()->components(), 2);
}

TEST(Distributions, GaussianSpecDefaultsAndParameters) {
  const auto d = make_distribution(json{{"type", "gaussian"}, {"dim", 3}}, "base");
  EXPECT_EQ(d->dim(), 3);
  EXPECT_TRUE(d->as_mixture()->is_standard_normal());
  const auto g =
      make_distribution(json::parse(R"({"type": "gaussian", "mean": [1, 2], "cov": [[2, 0.5], [0.5, 1]]})"), "base");
  EXPECT_EQ(g->as_mixture()->means()[0], (VecD(2) << 1, 2).finished());
  EXPECT_EQ(g->as_mixture()->covs()[0](0, 1), 0.5);
  EXPECT_EQ(make_distribution(json("checkerboard"), "target")->name(), "checkerboard");  // string shorthand
}

TEST(Distributions, TypeListNamesEveryBuildableType) {
  const auto& types = distribution_types();
  EXPECT_EQ(types.size(), 14u);  // 11 here, figures.cpp's paper-gmm and images.cpp's fashion-mnist and images
  for (const std::string& t : types) EXPECT_NO_THROW(make_distribution(spec_for(t), "target")) << t;
}

struct BadCase {
  json spec;
  std::string field;  // the error's field must be exactly this
  std::string words;  // and its message must contain these
};

TEST(Distributions, BadSpecsThrowConfigErrorNamingTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<BadCase> cases = {
      {json{{"type", "banana"}}, "target.type", "unknown type 'banana'; allowed: gaussian"},
      {json{{"noise", 0.1}}, "target.type", "missing"},
      {json{{"type", 3}}, "target.type", "must be a string"},
      {json(42), "target", "must be an object"},
      {json{{"type", "moons"}, {"noize", 0.1}}, "target.noize", "unknown key 'noize'"},
      {json{{"type", "checkerboard"}, {"noise", 0.1}}, "target.noise", "unknown key 'noise'"},
      {json{{"type", "moons"}, {"noise", -0.1}}, "target.noise", ">= 0"},
      {json{{"type", "spirals"}, {"noise", "big"}}, "target.noise", "must be a number"},
      {json{{"type", "8gaussians"}, {"noise", 0}}, "target.noise", "> 0"},
      {json::parse(R"({"type": "gmm", "weights": [0.5, 0.6], "means": [[0, 0], [1, 1]],
                       "covs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]})"),
       "target.weights", "sum to 1"},
      {json::parse(R"({"type": "gmm", "weights": [1.5, -0.5], "means": [[0, 0], [1, 1]],
                       "covs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]})"),
       "target.weights", "positive"},
      {json::parse(R"({"type": "gmm", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]],
                       "covs": [[[1, 0], [0, 1]], [[1, 2], [2, 1]]]})"),
       "target.covs", "covariance 1 is not positive definite"},
      {json::parse(R"({"type": "gmm", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]],
                       "covs": [[[1, 0.5], [0, 1]], [[1, 0], [0, 1]]]})"),
       "target.covs", "covariance 0 is not symmetric"},
      {json::parse(R"({"type": "gmm", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1, 1]],
                       "covs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]})"),
       "target.means", "mean 1 has dimension 3, expected 2"},
      {json::parse(R"({"type": "gmm", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]],
                       "covs": [[[1, 0], [0, 1]]]})"),
       "target.covs", "expected 2 covariances"},
      {json::parse(R"({"type": "gmm", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]],
                       "covs": [[[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]})"),
       "target.covs", "covariance 1 must be 2 x 2"},
      {json::parse(R"({"type": "gmm", "means": [[0, 0]]})"), "target.covs", "required"},
      {json{{"type", "gaussian"}, {"mean", {nan, 0.0}}}, "target.mean[0]", "finite"},
      {json{{"type", "gaussian"}, {"mean", {0.0, nullptr}}}, "target.mean[1]", "must be a number, got null"},
      {json{{"type", "gaussian"}, {"mean", {0.0, 0.0}}, {"cov", {{1.0, 0.0}, {0.0, -1.0}}}}, "target.cov",
       "not positive definite"},
      {json{{"type", "gaussian"}, {"mean", {0.0, 0.0}}, {"cov", {{1.0, 0.0, 0.0}}}}, "target.cov", "must be 2 x 2"},
      {json{{"type", "gaussian"}, {"mean", {0.0, 0.0}}, {"dim", 3}}, "target.mean", "dim is 3"},
      {json{{"type", "gaussian"}, {"dim", 0}}, "target.dim", "integer in [1, 4096]"},
      {json{{"type", "random-gmm"}, {"components", 0}}, "target.components", "integer in [1, 10000]"},
      {json{{"type", "random-gmm"}, {"components", 2.5}}, "target.components", "integer"},
      {json{{"type", "random-gmm"}, {"seed", -1}}, "target.seed", "integer"},
      {json{{"type", "points"}, {"points", {{1.0, 2.0}}}}, "target.points", "at least 2 points, got 1"},
      {json{{"type", "points"}}, "target.points", "required"},
      {json{{"type", "points"}, {"points", {{1.0, 2.0}, {3.0, 4.0}}}, {"bandwidth", 0.0}}, "target.bandwidth", "> 0"},
      {json{{"type", "points"}, {"points", {{1.0, 2.0}, {3.0, 4.0}}}, {"bandwidth", -1.0}}, "target.bandwidth", "> 0"},
      {json{{"type", "points"}, {"points", {{1.0, 2.0}, {3.0}}}}, "target.points[1]", "has 1 coordinates"},
      {json{{"type", "points"}, {"points", {{1.0, 2.0}, {3.0, nan}}}}, "target.points[1][1]", "finite"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec.dump());
    try {
      make_distribution(c.spec, "target");
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), c.field) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.field + ": "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.words), std::string::npos) << e.what();
    }
  }
}

TEST(GaussianMixture, ConstructorRejectsInvalidParametersNamingTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto field_of = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return "accepted";
  };
  const VecD z = VecD::Zero(2);
  const MatD eye = MatD::Identity(2, 2);
  EXPECT_NE(field_of([&] { GaussianMixture({}, {}, {}, "base"); }).find("base.weights"), std::string::npos);
  EXPECT_NE(field_of([&] { GaussianMixture({nan}, {z}, {eye}, "base"); }).find("base.weights"), std::string::npos);
  EXPECT_NE(field_of([&] {
              GaussianMixture({1.0}, {(VecD(2) << nan, 0).finished()}, {eye}, "base");
            }).find("base.means: mean 0 contains a non-finite number"),
            std::string::npos);
  MatD bad = eye;
  bad(1, 1) = nan;
  EXPECT_NE(field_of([&] { GaussianMixture({1.0}, {z}, {bad}, "base"); }).find("base.covs"), std::string::npos);
  EXPECT_NE(field_of([&] {
              GaussianMixture({1.0}, {z}, {MatD::Zero(2, 2)}, "base");
            }).find("base.covs: covariance 0 is not positive definite"),
            std::string::npos);
  EXPECT_NE(field_of([&] {
              GaussianMixture({0.5, 0.5}, {z}, {eye, eye}, "base");
            }).find("base.means"),
            std::string::npos);
}

TEST(Distributions, WrongDimensionInputsAreRejected) {
  const Checkerboard cb;
  EXPECT_THROW(cb.log_density(MatD::Zero(3, 2)), ConfigError);
  EXPECT_THROW(checkerboard_support_share(MatD::Zero(1, 2)), ConfigError);
  EXPECT_THROW(example_mixture().log_density(MatD::Zero(3, 2)), ConfigError);
  EXPECT_EQ(checkerboard_support_share(MatD(2, 0)), 0.0);
}

}  // namespace
}  // namespace si
