// The one reader of JSON objects: configs, data set specs and sampler options all go through it,
// so every number is read the same strict way and every message has the same form:
//   "<path>.<key>: must be a number in [0, 1], got 2"   or   "<path>.<key>: unknown field 'x'; allowed: a, b".
// A key whose value is null counts as absent (JavaScript's JSON.stringify writes undefined that way).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/registry.hpp"
#include "si/types.hpp"

namespace si {

class JsonReader {
 public:
  // path prefixes every message ("" at the top level); noun names a key in messages ("field",
  // "key", "option"); context is added to the unknown-key message (e.g. "for type 'moons'").
  JsonReader(const nlohmann::json& j, std::string path, std::string noun = "field", std::string context = "");

  // "<path>.<k>" (or k at the top level).
  std::string key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
  const std::string& path() const { return path_; }
  // Whether k is present and not null; marks k as a known key either way.
  bool has(const std::string& k);
  // The raw value of a present key (after has(k)).
  const nlohmann::json& at(const std::string& k) const { return j_.at(k); }
  // A present key's value, or ConfigError "<key>: required: <what>".
  const nlohmann::json& require(const std::string& k, const std::string& what);

  // A finite number in [lo, hi] (lo excluded if lo_open).
  double number(const std::string& k, double def, double lo = -1e308, double hi = 1e308, bool lo_open = false);
  double positive(const std::string& k, double def) { return number(k, def, 0.0, 1e308, true); }
  // An integer in [lo, hi]; integral doubles count (JavaScript has no integers).
  std::int64_t integer(const std::string& k, std::int64_t def, std::int64_t lo, std::int64_t hi);
  std::string string(const std::string& k, const std::string& def);
  bool boolean(const std::string& k, bool def);
  // A name from a registry: its entry, or ConfigError naming the key and the allowed names.
  template <typename Entry>
  const Entry& choice(const std::string& k, const std::string& def, const Registry<Entry>& table) {
    return table.at(string(k, def), key(k));
  }

  // Throws for the first key that no getter asked about, listing the known ones.
  void finish() const;

 private:
  const nlohmann::json& j_;
  std::string path_, noun_, context_;
  std::vector<std::string> seen_;
};

// Parses JSON text; a syntax error or nesting deeper than limits::kMaxJsonDepth throws
// ConfigError(field, ...) (never a stack overflow); bytes that are not printable are escaped in
// the message.
nlohmann::json parse_json(const std::string& text, const std::string& field);
// Text as it may appear in a message: at most `max` characters, control and non-ASCII bytes as \xNN.
std::string printable(const std::string& text, std::size_t max = 80);

// Free readers for values that are not object members (array items, matrices); `field` names
// the value in messages.
double json_number(const nlohmann::json& j, const std::string& field);
VecD json_vector(const nlohmann::json& j, const std::string& field);
MatD json_matrix(const nlohmann::json& j, const std::string& field);
// A short rendering of a value for messages: 'text', 12, [1, 2, ... (at most 40 characters).
std::string describe_json(const nlohmann::json& j);

}  // namespace si
