// SI_TEST_QUICK=1 (scripts/sanitize.sh): the slow statistical tests run at smaller sizes, with
// tolerances measured for those sizes, so a sanitized build (several times slower) runs the whole
// suite in minutes. Unset or 0: the full sizes and tolerances, as always.
#pragma once

#include <cstdlib>
#include <cstring>

namespace si::test {

inline bool quick() {
  const char* v = std::getenv("SI_TEST_QUICK");
  return v && *v && std::strcmp(v, "0") != 0;
}

// `full` normally, `small` under SI_TEST_QUICK.
template <typename T>
T full_or_quick(T full, T small) {
  return quick() ? small : full;
}

}  // namespace si::test
