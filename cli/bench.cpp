#include "common.hpp"
namespace si::cli {
Command add_bench(CLI::App& root) {
  CLI::App* app = root.add_subcommand("bench", "todo");
  return {app, [] { return 0; }};
}
}  // namespace si::cli
