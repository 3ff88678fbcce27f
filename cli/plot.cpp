#include "common.hpp"
namespace si::cli {
Command add_plot(CLI::App& root) {
  CLI::App* app = root.add_subcommand("plot", "todo");
  return {app, [] { return 0; }};
}
}  // namespace si::cli
