// libFuzzer harness: a distribution spec's text -> nlohmann::json -> si::make_distribution, then a
// few samples (n = 0 and 5) and, where the density is known, log_density at them. Checks: shapes,
// the registry's traits (mixture?, density known?) match the object, log_density is never NaN at
// finite points.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_support.hpp"
#include "si/distributions.hpp"

using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json j;
  if (!si::fuzz::parse_json(data, size, j)) return 0;
  std::unique_ptr<si::Distribution> dist;
  if (!si::fuzz::accepts("make_distribution", [&] { dist = si::make_distribution(j, "target"); })) return 0;
  if (!dist) si::fuzz::finding("make_distribution returned null");
  const int d = dist->dim();
  if (d < 1) si::fuzz::finding("dimension %d", d);
  const std::string type = j.is_string() ? j.get<std::string>() : j.at("type").get<std::string>();
  const si::DatasetDef* def = si::datasets().find(type);
  if (!def) si::fuzz::finding("accepted an unregistered type '%s'", type.c_str());
  if (def->dim && def->dim != d)
    si::fuzz::finding("'%s' has dimension %d, its table entry says %d", type.c_str(), d, def->dim);
  if (def->mixture != (dist->as_mixture() != nullptr) || def->density != dist->has_log_density())
    si::fuzz::finding("'%s': table says mixture %d density %d, the object %d %d", type.c_str(), def->mixture,
                      def->density, dist->as_mixture() != nullptr, dist->has_log_density());
  (void)dist->name();

  si::Rng rng(7);
  for (const Eigen::Index n : {Eigen::Index(0), Eigen::Index(5)}) {
    si::MatD x;
    if (!si::fuzz::accepts("Distribution::sample", [&] { x = dist->sample(n, rng); })) continue;
    if (x.rows() != d || x.cols() != n)
      si::fuzz::finding("sample(%ld) gave %ld x %ld, expected %d x %ld", long(n), long(x.rows()), long(x.cols()), d,
                        long(n));
    // n = 0 is left out here: Eigen's triangular solve binds a null reference for an empty
    // right-hand side (UBSan), reported; put it back once log_density returns early for n = 0.
    if (!dist->has_log_density() || n == 0) continue;
    si::VecD lp;
    if (!si::fuzz::accepts("Distribution::log_density", [&] { lp = dist->log_density(x); })) continue;
    if (lp.size() != n) si::fuzz::finding("log_density of %ld points gave %ld values", long(n), long(lp.size()));
    for (Eigen::Index i = 0; i < n; ++i)
      if (x.col(i).allFinite() && std::isnan(lp(i)))
        si::fuzz::finding("'%s': log_density is NaN at the finite sample %ld", type.c_str(), long(i));
  }
  return 0;
}
