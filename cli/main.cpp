// si: train, sample, evaluate and plot stochastic-interpolant models from the command line.
// Exit codes: 0 ok, 1 runtime or numerical error, 2 usage or config error (cli/README.md).
#include <iostream>

#include "common.hpp"

int main(int argc, char** argv) {
  using namespace si::cli;
  CLI::App app{
      "si: stochastic interpolants (Albergo & Vanden-Eijnden) - train generative models between two "
      "distributions, sample them with ODEs and SDEs, measure and plot them.\n"
      "Exit codes: 0 ok, 1 runtime or numerical error, 2 usage or config error.",
      "si"};
  app.require_subcommand(1, 1);
  app.fallthrough(false);
  std::vector<Command> commands{add_train(app), add_sample(app), add_eval(app),  add_field(app),
                                add_plot(app),  add_figure(app), add_bench(app), add_info(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help
  } catch (const CLI::ParseError& e) {
    std::cerr << "si: error: " << e.what() << "\nRun with --help for more information.\n";
    return kUsageError;
  }
  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
    return kUsageError;
  } catch (const si::ConfigError& e) {
    std::cerr << "si: error: " << e.what() << "\n";
    return kUsageError;
  } catch (const CLI::ParseError& e) {  // a command's own parse of a nested subcommand
    std::cerr << "si: error: " << e.what() << "\n";
    return kUsageError;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "si: error: bad JSON: " << e.what() << "\n";
    return kUsageError;
  } catch (const si::NumericalError& e) {
    std::cerr << "si: numerical error: " << e.what() << "\n";
    return kRuntimeError;
  } catch (const std::bad_alloc&) {
    std::cerr << "si: error: out of memory: the inputs ask for more memory than this machine has (smaller sizes, or "
                 "see core/include/si/limits.hpp)\n";
    return kRuntimeError;
  } catch (const std::exception& e) {
    std::cerr << "si: error: " << e.what() << "\n";
    return kRuntimeError;
  }
}
