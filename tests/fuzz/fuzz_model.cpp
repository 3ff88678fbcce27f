// libFuzzer harness: a model file's text -> nlohmann::json -> si::Model::from_json. An accepted
// model must evaluate each of its fields on a few points (with the divergence) into outputs of the
// right shape, its to_json must read back to the same JSON, and the version, steps and network
// shapes it holds must be the file's own numbers.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "fuzz_support.hpp"
#include "si/model.hpp"

using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json j;
  if (!si::fuzz::parse_json(data, size, j)) return 0;
  std::optional<si::Model> m;
  if (!si::fuzz::accepts("Model::from_json", [&] { m.emplace(si::Model::from_json(j)); })) return 0;
  si::fuzz::must_succeed("an accepted model's round trip", [&] {
    const json out = m->to_json();
    const json again = si::Model::from_json(out).to_json();
    if (again != out) si::fuzz::finding("model round trip differs");
    // What was read is what the file says: no integer silently wrapped or truncated on the way in.
    if (j.at("version") != out.at("version"))
      si::fuzz::finding("file version %s loaded as version %s", j.at("version").dump().c_str(),
                        out.at("version").dump().c_str());
    if (j.contains("steps") && j.at("steps") != out.at("steps"))
      si::fuzz::finding("steps %s loaded as %s", j.at("steps").dump().c_str(), out.at("steps").dump().c_str());
    for (const auto& [name, net] : out.at("networks").items())
      for (const char* key : {"in", "out", "hidden", "activation"})
        if (j.at("networks").at(name).at(key) != net.at(key))
          si::fuzz::finding("networks.%s.%s %s loaded as %s", name.c_str(), key,
                            j.at("networks").at(name).at(key).dump().c_str(), net.at(key).dump().c_str());
  });
  const int d = m->dim();
  if (d < 1) si::fuzz::finding("model dimension %d", d);
  (void)m->sampling_interval(false);
  (void)m->sampling_interval(true);
  const si::MatF x = si::MatF::Constant(d, 3, 0.25f);
  for (const std::string& field : m->field_names()) {
    for (const double t : {0.0, 0.5, 1.0}) {
      si::MatF out;
      si::VecF div;
      si::fuzz::must_succeed("Model::evaluate of a field it offers", [&] { m->evaluate(field, t, x, out, &div); });
      if (out.rows() != d || out.cols() != 3 || div.size() != 3)
        si::fuzz::finding("evaluate('%s', %g) gave %ld x %ld (divergence %ld), expected %d x 3", field.c_str(), t,
                          long(out.rows()), long(out.cols()), long(div.size()), d);
    }
  }
  return 0;
}
