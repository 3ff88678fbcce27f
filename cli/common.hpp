// Shared pieces of the `si` commands: exit codes, file input/output (JSON, CSV, models), the
// command registry, and small helpers. Every bad argument or file throws si::ConfigError naming the
// option or field, which main() turns into exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/distributions.hpp"
#include "si/model.hpp"
#include "si/types.hpp"

namespace si::cli {

enum ExitCode : int { kOk = 0, kRuntimeError = 1, kUsageError = 2 };

// A registered subcommand: its CLI11 parser and what runs it once parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_train(CLI::App& root);
Command add_sample(CLI::App& root);
Command add_eval(CLI::App& root);
Command add_field(CLI::App& root);
Command add_plot(CLI::App& root);
Command add_bench(CLI::App& root);
Command add_info(CLI::App& root);
Command add_figure(CLI::App& root);

// Reads a JSON file; `option` (e.g. "--config") names the argument in errors.
nlohmann::json read_json_file(const std::string& path, const std::string& option);
// Writes text atomically enough for our use (a temporary file renamed over the target).
void write_text_file(const std::string& path, const std::string& text, const std::string& option);
// Throws ConfigError(option) if path cannot be written (checked before long computations).
void check_writable(const std::string& path, const std::string& option);
// The canonical model file text: compact JSON and a final newline (byte-identical on re-save).
std::string model_file_text(const Model& model);
Model load_model(const std::string& path, const std::string& option = "--model");
TrainingConfig load_config(const std::string& path, const std::string& option = "--config");

// Points as d x n; a header line (any non-numeric first line) is skipped. Errors name `option`
// and the line number.
MatD read_points_csv(const std::string& path, const std::string& option);
// A CSV table: header row, then one row per point; numbers in shortest round-trip form.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
CsvTable read_csv_table(const std::string& path, const std::string& option);
// "x,y" for d = 2, else "x0,...,x{d-1}", with an optional prefix for the names (e.g. "b").
std::vector<std::string> coordinate_names(int d, const std::string& prefix = "");
std::string format_number(double v);
// "a, b, c" (or with another separator).
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
// Writes to the file, or to stdout when path is "-" or empty.
void write_output(const std::string& path, const std::string& text, const std::string& option);

// One CSV row per column of x, each starting with `prefix`; numbers in the shortest form that
// reads back exactly in the matrix's precision.
void append_points(std::string& out, const MatD& x, const std::string& prefix = "");
void append_points(std::string& out, const MatF& x, const std::string& prefix = "");

// Option validators with plain messages ("--n: must be a positive number, got 0").
extern const CLI::Validator kPositive;
extern const CLI::Validator kNonNegative;
extern const CLI::Validator kUnitInterval;  // a finite number in [0, 1] (CLI::Range lets NaN through)
extern const CLI::Validator kSeed;          // an integer in [0, 2^53 - 1], the package's seeds
CLI::Validator in_range(double lo, double hi);
extern const CLI::Validator kThreads;  // an integer in [1, limits::kMaxThreads]
// --threads N: the process-wide thread count (si::set_threads) of what the command runs.
void add_threads_option(CLI::App* app, const std::string& what);

bool stderr_is_tty();
// Seconds as "1m 05s" / "12.3 s".
std::string format_duration(double seconds);

}  // namespace si::cli
