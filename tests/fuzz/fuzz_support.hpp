// Shared by the libFuzzer harnesses (tests/fuzz, scripts/fuzz.sh): what counts as a documented
// rejection and what as a finding.
//
// Expected: si::ConfigError and si::NumericalError from the code under test, si::parse_json
// included (it turns syntax errors and deep nesting into ConfigError). Anything else is a finding: another exception (a
// std::bad_alloc too: an input must be rejected before it allocates), a failed check of a harness
// (finding()), and what the sanitizers and libFuzzer see (crash, UB, leak, -timeout, -rss_limit_mb).
#pragma once

#include <cxxabi.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <typeinfo>

#include "si/json_reader.hpp"
#include "si/types.hpp"

namespace si::fuzz {

// Prints "si-fuzz finding: <message>" and aborts, so libFuzzer saves the input as a crash.
[[noreturn]] inline void finding(const char* fmt, ...) {
  std::fprintf(stderr, "si-fuzz finding: ");
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fprintf(stderr, "\n");
  std::abort();
}

inline std::string type_name(const std::exception& e) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> p(abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
  return status == 0 && p ? p.get() : typeid(e).name();
}

// Runs f(); returns false when it threw a documented error (ConfigError, NumericalError), true when
// it returned. Any other exception is a finding named after `what`.
template <typename F>
bool accepts(const char* what, F&& f) {
  try {
    f();
    return true;
  } catch (const ConfigError&) {
    return false;
  } catch (const NumericalError&) {
    return false;
  } catch (const std::exception& e) {
    finding("%s threw %s (not a ConfigError or NumericalError): %s", what, type_name(e).c_str(), e.what());
  }
}

// Runs f(), which must not throw at all (e.g. re-reading what the library wrote itself).
template <typename F>
void must_succeed(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    finding("%s threw %s: %s", what, type_name(e).c_str(), e.what());
  }
}

// The input as JSON through si::parse_json, the parser the CLI and the package use (depth-limited):
// false when it rejects the text with a ConfigError; any other exception is a finding.
inline bool parse_json(const std::uint8_t* data, std::size_t size, nlohmann::json& j) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  return accepts("si::parse_json", [&] { j = si::parse_json(text, "input"); });
}

}  // namespace si::fuzz
