#include <gtest/gtest.h>

#include "si/session.hpp"
#include "si/xt.hpp"

namespace si {
namespace {

TEST(Xtensor, PointsRoundTripKeepsRowsAsPoints) {
  MatD m(2, 3);
  m << 1, 2, 3, 4, 5, 6;  // points (1,4), (2,5), (3,6)
  const Points<double> p = to_points(m);
  ASSERT_EQ(p.shape(0), 3u);
  ASSERT_EQ(p.shape(1), 2u);
  EXPECT_EQ(p(1, 0), 2);
  EXPECT_EQ(p(1, 1), 5);
  EXPECT_EQ(to_matrix(p), m);
}

TEST(Xtensor, DistributionAndModelTakeAndReturnPointArrays) {
  Rng rng(3);
  const auto dist = make_distribution(nlohmann::json{{"type", "gaussian"}}, "base");
  const Points<double> x = sample_points(*dist, 5, rng);
  EXPECT_EQ(x.shape(0), 5u);
  const auto l = log_density(*dist, x);
  EXPECT_NEAR(l(0), -std::log(2 * M_PI) - 0.5 * (x(0, 0) * x(0, 0) + x(0, 1) * x(0, 1)), 1e-12);

  TrainingSession s(nlohmann::json::parse(R"({"network": {"hidden": [8]}, "training": {"batch": 16}})"));
  const Model m = s.model();
  const Points<float> xf = xt::cast<float>(x);
  const Points<float> b = evaluate(m, "b", 0.5, xf);
  MatF direct;
  m.evaluate("b", 0.5, to_matrix(xf), direct);
  EXPECT_EQ(to_matrix(b), direct);
}

}  // namespace
}  // namespace si
