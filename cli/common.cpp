#include "common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "si/json_reader.hpp"
#include "si/limits.hpp"
#include "si/parallel.hpp"

namespace si::cli {

using nlohmann::json;

namespace {

std::string read_file(const std::string& path, const std::string& option) {
  if (path.empty()) throw ConfigError(option, "no file given");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ConfigError(option, "'" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(option, "cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(option, "cannot read '" + path + "'");
  return ss.str();
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (char c : line) {
    if (c == ',') {
      out.push_back(cell);
      cell.clear();
    } else if (c != '\r' && c != ' ' && c != '\t' && c != '"') {
      cell += c;
    }
  }
  out.push_back(cell);
  return out;
}

bool parse_double(const std::string& s, double& v) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  const auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

}  // namespace

json read_json_file(const std::string& path, const std::string& option) {
  const std::string text = read_file(path, option);
  try {
    return parse_json(text, "");  // depth-limited; the message carries the line and column
  } catch (const ConfigError& e) {
    throw ConfigError(option, "'" + path + "' " + std::string(e.what()).substr(2));
  }
}

void write_text_file(const std::string& path, const std::string& text, const std::string& option) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ConfigError(option, "cannot write '" + path + "': " + std::strerror(errno));
    out << text;
    if (!out.flush()) throw ConfigError(option, "cannot write '" + path + "': " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw ConfigError(option, "cannot write '" + path + "': " + std::strerror(errno));
  }
}

void check_writable(const std::string& path, const std::string& option) {
  if (path.empty() || path == "-") return;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(option, "'" + path + "' is a directory; give a file name");
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ConfigError(option, "cannot write '" + path + "': " + std::strerror(errno));
  }
  std::remove(tmp.c_str());
}

void write_output(const std::string& path, const std::string& text, const std::string& option) {
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
  } else {
    write_text_file(path, text, option);
  }
}

std::string model_file_text(const Model& model) { return model.to_json().dump() + "\n"; }

Model load_model(const std::string& path, const std::string& option) {
  const json j = read_json_file(path, option);
  try {
    return Model::from_json(j);
  } catch (const ConfigError& e) {
    throw ConfigError(option, "'" + path + "': " + e.what());
  } catch (const json::exception& e) {
    throw ConfigError(option, "'" + path + "' is not a valid model file: " + e.what());
  }
}

TrainingConfig load_config(const std::string& path, const std::string& option) {
  const json j = read_json_file(path, option);
  try {
    return TrainingConfig::from_json(j);
  } catch (const ConfigError& e) {
    // Keep the field path first so the message names it: "--config 'f.json': optimizer.lr: ...".
    throw ConfigError(option, "'" + path + "': " + e.what());
  } catch (const json::exception& e) {
    throw ConfigError(option, "'" + path + "': " + e.what());
  }
}

CsvTable read_csv_table(const std::string& path, const std::string& option) {
  std::istringstream in(read_file(path, option));
  CsvTable t;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto cells = split_csv_line(line);
    if (first) {
      first = false;
      double v;
      if (!parse_double(cells[0], v)) {
        t.header = cells;
        continue;
      }
    }
    t.rows.push_back(std::move(cells));
  }
  return t;
}

MatD read_points_csv(const std::string& path, const std::string& option) {
  std::istringstream in(read_file(path, option));
  std::vector<std::vector<double>> rows;
  std::string line;
  long lineno = 0;
  size_t d = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto cells = split_csv_line(line);
    std::vector<double> row(cells.size());
    bool ok = true;
    for (size_t i = 0; i < cells.size() && ok; ++i) ok = parse_double(cells[i], row[i]);
    if (!ok) {
      // A header is a first line without a single number in it ("x,y"); "1,2x" is a broken row.
      double v;
      const bool header =
          rows.empty() && lineno == 1 &&
          std::none_of(cells.begin(), cells.end(), [&](const std::string& c) { return parse_double(c, v); });
      if (header) continue;
      throw ConfigError(option, "'" + path + "' line " + std::to_string(lineno) + ": not a row of numbers: '" +
                                    printable(line, 80) + "'");
    }
    for (double v : row)
      if (!std::isfinite(v))
        throw ConfigError(option, "'" + path + "' line " + std::to_string(lineno) + ": NaN or inf");
    if (rows.empty()) d = row.size();
    if (row.size() != d)
      throw ConfigError(option, "'" + path + "' line " + std::to_string(lineno) + ": " + std::to_string(row.size()) +
                                    " columns, expected " + std::to_string(d));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw ConfigError(option, "'" + path + "' holds no points");
  MatD x(Eigen::Index(d), Eigen::Index(rows.size()));
  for (size_t j = 0; j < rows.size(); ++j)
    for (size_t i = 0; i < d; ++i) x(Eigen::Index(i), Eigen::Index(j)) = rows[j][i];
  return x;
}

std::vector<std::string> coordinate_names(int d, const std::string& prefix) {
  if (d == 2) return {prefix + "x", prefix + "y"};
  std::vector<std::string> out;
  for (int i = 0; i < d; ++i) out.push_back(prefix + "x" + std::to_string(i));
  return out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

template <typename S>
static void append_points_impl(std::string& out, const Mat<S>& x, const std::string& prefix) {
  char buf[64];
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    out += prefix;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (i) out += ',';
      // Shortest form that reads back exactly in the matrix's own precision.
      const auto r = std::to_chars(buf, buf + sizeof buf, x(i, j));
      out.append(buf, r.ptr);
    }
    out += '\n';
  }
}

void append_points(std::string& out, const MatD& x, const std::string& prefix) { append_points_impl(out, x, prefix); }
void append_points(std::string& out, const MatF& x, const std::string& prefix) { append_points_impl(out, x, prefix); }

namespace {
CLI::Validator number_check(bool strict) {
  return CLI::Validator(
      [strict](std::string& in) -> std::string {
        double v;
        if (!parse_double(in, v) || !std::isfinite(v)) return "must be a number, got '" + in + "'";
        if (strict ? !(v > 0) : !(v >= 0))
          return std::string("must be ") + (strict ? "positive" : "non-negative") + ", got " + in;
        return "";
      },
      strict ? "POSITIVE" : "NON-NEGATIVE");
}
}  // namespace

const CLI::Validator kPositive = number_check(true);
const CLI::Validator kNonNegative = number_check(false);

CLI::Validator in_range(double lo, double hi) {
  const std::string range = "[" + format_number(lo) + ", " + format_number(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& in) -> std::string {
        double v;
        // NaN fails every comparison, so it is rejected by name before the range is checked.
        if (!parse_double(in, v) || !std::isfinite(v))
          return "must be a finite number in " + range + ", got '" + in + "'";
        if (v < lo || v > hi) return "must be in " + range + ", got " + in;
        return "";
      },
      "in " + range);
}

const CLI::Validator kUnitInterval = in_range(0.0, 1.0);

// Digits only, at most 2^53 - 1 (the package's limit, exact in a double), so nothing is clamped.
const CLI::Validator kSeed = CLI::Validator(
    [](std::string& in) -> std::string {
      const bool digits = !in.empty() && in.size() <= 16 && in.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoll(in) > limits::kMaxSeed) return "must be an integer in [0, 2^53 - 1], got '" + in + "'";
      return "";
    },
    "SEED");

const CLI::Validator kThreads = CLI::Validator(
    [](std::string& in) -> std::string {
      const bool digits = !in.empty() && in.size() <= 9 && in.find_first_not_of("0123456789") == std::string::npos;
      try {
        check_threads(digits ? std::stoll(in) : -1, "threads");
      } catch (const ConfigError& e) {
        const std::string what = std::string(e.what()).substr(e.field().size() + 2);
        return what.substr(0, what.rfind(", got ")) + ", got '" + in + "'";
      }
      return "";
    },
    "N");

void add_threads_option(CLI::App* app, const std::string& what) {
  app->add_option_function<int>(
         "--threads", [](int n) { set_threads(n); },
         "Threads " + what + " (default: all " + std::to_string(hardware_threads()) + " of this machine)")
      ->check(kThreads);
}

bool stderr_is_tty() { return isatty(STDERR_FILENO) == 1; }

std::string format_duration(double s) {
  char buf[64];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm %02ds", int(s) / 60, int(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh %02dm", int(s) / 3600, (int(s) / 60) % 60);
  }
  return buf;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

}  // namespace si::cli
