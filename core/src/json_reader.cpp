#include "si/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "si/limits.hpp"

namespace si {

using nlohmann::json;

namespace {

constexpr double kHuge = 1e308;

std::string range_text(double lo, double hi, bool lo_open) {
  const bool has_lo = lo > -kHuge, has_hi = hi < kHuge;
  if (has_lo && has_hi)
    return "in " + std::string(lo_open ? "(" : "[") + format_number(lo) + ", " + format_number(hi) + "]";
  if (has_lo) return std::string(lo_open ? "> " : ">= ") + format_number(lo);
  if (has_hi) return "<= " + format_number(hi);
  return "";
}

}  // namespace

std::string printable(const std::string& text, std::size_t max) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : text) {
    if (out.size() >= max) return out + "...";
    if (c >= 32 && c < 127) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

json parse_json(const std::string& text, const std::string& field) {
  // The callback sees the depth of every value as it is read, so a deep input stops at the limit
  // before anything recursive (copy, dump, destruction) meets it.
  const json::parser_callback_t depth_limit = [&](int depth, json::parse_event_t, json&) {
    if (depth > limits::kMaxJsonDepth)
      throw ConfigError(field, "JSON nested deeper than " + std::to_string(limits::kMaxJsonDepth) + " levels");
    return true;
  };
  try {
    return json::parse(text, depth_limit);
  } catch (const json::parse_error& e) {
    throw ConfigError(field, "is not valid JSON: " + printable(e.what(), 200));
  } catch (const json::out_of_range& e) {  // a number beyond a double, e.g. 1e400 (found by fuzzing)
    throw ConfigError(field, "is not valid JSON: " + printable(e.what(), 200) + " (numbers must fit a double)");
  }
}

void limits::check_cost(double amount, double limit, const std::string& field, const std::string& what) {
  if (amount > limit)
    throw ConfigError(field, what + " needs " + format_number(amount) + ", more than the limit of " +
                                 format_number(limit) + " (si/limits.hpp)");
}

void limits::check_random_mixture(std::int64_t k, std::int64_t d, const std::string& field) {
  const double kd = double(k), dd = double(d);
  check_cost(kd * dd * dd * dd, kMaxMixtureCost, field,
             std::to_string(k) + " components of dimension " + std::to_string(d));
  check_cost(kd * dd * dd, kMaxMixtureFloats, field,
             "the covariances of " + std::to_string(k) + " components of dimension " + std::to_string(d));
}

std::string describe_json(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_string()) return "'" + printable(j.get<std::string>(), 40) + "'";
  if (j.is_number_float()) return format_number(j.get<double>());
  if (j.is_structured()) return j.is_array() ? "an array" : "an object";
  return printable(j.dump(), 40);
}

double json_number(const json& j, const std::string& field) {
  if (!j.is_number()) throw ConfigError(field, "must be a number, got " + describe_json(j));
  const double v = j.get<double>();
  if (!std::isfinite(v)) throw ConfigError(field, "must be a finite number, got " + format_number(v));
  return v;
}

VecD json_vector(const json& j, const std::string& field) {
  if (!j.is_array() || j.empty())
    throw ConfigError(field, "must be a non-empty array of numbers, got " + describe_json(j));
  VecD v(j.size());
  for (size_t i = 0; i < j.size(); ++i) v(i) = json_number(j[i], field + "[" + std::to_string(i) + "]");
  return v;
}

MatD json_matrix(const json& j, const std::string& field) {
  if (!j.is_array() || j.empty() || !j[0].is_array())
    throw ConfigError(field, "must be a non-empty array of rows (arrays of numbers), got " + describe_json(j));
  const size_t rows = j.size(), cols = j[0].size();
  MatD m(rows, cols);
  for (size_t r = 0; r < rows; ++r) {
    const std::string fr = field + "[" + std::to_string(r) + "]";
    if (!j[r].is_array() || j[r].size() != cols)
      throw ConfigError(
          fr, "every row must be an array of " + std::to_string(cols) + " numbers, got " + describe_json(j[r]));
    for (size_t c = 0; c < cols; ++c) m(r, c) = json_number(j[r][c], fr + "[" + std::to_string(c) + "]");
  }
  return m;
}

JsonReader::JsonReader(const json& j, std::string path, std::string noun, std::string context)
    : j_(j), path_(std::move(path)), noun_(std::move(noun)), context_(std::move(context)) {
  if (!j_.is_object())
    throw ConfigError(path_.empty() ? "config" : path_, "must be an object, got " + std::string(j_.type_name()));
}

bool JsonReader::has(const std::string& k) {
  if (std::find(seen_.begin(), seen_.end(), k) == seen_.end()) seen_.push_back(k);
  return j_.contains(k) && !j_.at(k).is_null();
}

const json& JsonReader::require(const std::string& k, const std::string& what) {
  if (!has(k)) throw ConfigError(key(k), "required: " + what);
  return j_.at(k);
}

double JsonReader::number(const std::string& k, double def, double lo, double hi, bool lo_open) {
  if (!has(k)) return def;
  const json& v = j_.at(k);
  const std::string range = range_text(lo, hi, lo_open);
  const std::string must = lo == 0 && lo_open && hi >= kHuge ? "must be a positive number (> 0)"
                           : range.empty()                   ? "must be a number"
                                                             : "must be a number " + range;
  if (!v.is_number()) throw ConfigError(key(k), must + ", got " + describe_json(v));
  const double x = v.get<double>();
  if (!std::isfinite(x)) throw ConfigError(key(k), "must be a finite number, got " + format_number(x));
  if ((lo_open ? x <= lo : x < lo) || x > hi) throw ConfigError(key(k), must + ", got " + format_number(x));
  return x;
}

std::int64_t JsonReader::integer(const std::string& k, std::int64_t def, std::int64_t lo, std::int64_t hi) {
  if (!has(k)) return def;
  const json& v = j_.at(k);
  const std::string must = "must be an integer in [" + std::to_string(static_cast<long long>(lo)) + ", " +
                           std::to_string(static_cast<long long>(hi)) + "], got " + describe_json(v);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::max<std::int64_t>(hi, 0)) || static_cast<std::int64_t>(u) < lo)
      throw ConfigError(key(k), must);
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i < lo || i > hi) throw ConfigError(key(k), must);
    return i;
  }
  if (!v.is_number()) throw ConfigError(key(k), must);
  const double x = v.get<double>();
  // Compared as doubles before the cast, so no out-of-range conversion happens.
  if (!std::isfinite(x) || x != std::floor(x) || x < static_cast<double>(lo) || x > static_cast<double>(hi))
    throw ConfigError(key(k), must);
  return static_cast<std::int64_t>(x);
}

std::string JsonReader::string(const std::string& k, const std::string& def) {
  if (!has(k)) return def;
  const json& v = j_.at(k);
  if (!v.is_string()) throw ConfigError(key(k), "must be a string, got " + describe_json(v));
  return v.get<std::string>();
}

bool JsonReader::boolean(const std::string& k, bool def) {
  if (!has(k)) return def;
  const json& v = j_.at(k);
  if (!v.is_boolean()) throw ConfigError(key(k), "must be true or false, got " + describe_json(v));
  return v.get<bool>();
}

void JsonReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (std::find(seen_.begin(), seen_.end(), it.key()) != seen_.end()) continue;
    std::string allowed;
    for (const auto& s : seen_) allowed += (allowed.empty() ? "" : ", ") + s;
    throw ConfigError(key(it.key()), "unknown " + noun_ + " '" + it.key() + "'" +
                                         (context_.empty() ? "" : " " + context_) + "; allowed: " + allowed);
  }
}

}  // namespace si
