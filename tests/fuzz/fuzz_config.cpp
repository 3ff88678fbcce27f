// libFuzzer harness: a training config's text -> nlohmann::json -> si::TrainingConfig::from_json.
// An accepted config must write itself back (to_json) as a config that reads back to the same JSON.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "si/config.hpp"

using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json j;
  if (!si::fuzz::parse_json(data, size, j)) return 0;
  si::TrainingConfig c;
  if (!si::fuzz::accepts("TrainingConfig::from_json", [&] { c = si::TrainingConfig::from_json(j); })) return 0;
  si::fuzz::must_succeed("an accepted config's round trip", [&] {
    (void)c.networks();
    const json out = c.to_json();
    const json again = si::TrainingConfig::from_json(out).to_json();
    if (again != out)
      si::fuzz::finding("config round trip differs:\n  first  %s\n  second %s", out.dump().c_str(),
                        again.dump().c_str());
  });
  return 0;
}
