// si info: what a model file holds (fields, networks, config), and a canonical re-save.
#include <iostream>

#include "common.hpp"

namespace si::cli {

namespace {

struct InfoOptions {
  std::string model, out;
};

int run_info(const InfoOptions& o) {
  const Model model = load_model(o.model);
  nlohmann::json nets = nlohmann::json::object();
  long total = 0;
  for (const auto& [name, m] : model.networks()) {
    nets[name] = {
        {"hidden", m.shape().hidden}, {"activation", to_name(m.shape().activation)}, {"parameters", m.num_params()}};
    total += long(m.num_params());
  }
  const nlohmann::json info{{"format", "stochastic-interpolants-model"},
                            {"version", Model::kFormatVersion},
                            {"dim", model.dim()},
                            {"fields", model.field_names()},
                            {"networks", nets},
                            {"parameters", total},
                            {"config", model.config().to_json()}};
  std::cout << info.dump(2) << "\n";
  if (!o.out.empty()) write_text_file(o.out, model_file_text(model), "--out");
  return kOk;
}

}  // namespace

Command add_info(CLI::App& root) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* app = root.add_subcommand("info", "Describe a model file as JSON; --out re-saves it in canonical form");
  app->add_option("--model,-m", o->model, "Model file (from si train)")->required();
  app->add_option("--out,-o", o->out, "Save the loaded model here (byte-identical to a file si train wrote)");
  return {app, [o] { return run_info(*o); }};
}

}  // namespace si::cli
