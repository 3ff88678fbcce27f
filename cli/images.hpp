// Images in the CLI (SPEC 11): sample grids as PNG, the image yardsticks of si eval, and the image
// figures of si figure (eps-grid, mirror).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/image_figures.hpp"
#include "si/images.hpp"
#include "si/model.hpp"

namespace si::cli {

// The model's image data set, or null when its target is not one.
const ImageDistribution* image_target(const Model& model);
// The held-out test images of the model's data set (same size and classes).
ImageSet test_images(const Model& model);
// The columns of x (d x n, [-1, 1]) as a grayscale grid PNG: `cols` images a row, each pixel
// scale x scale, images `pad` pixels apart.
std::string image_grid_png(const MatD& x, int cols, int scale = 3, int pad = 2);

struct ImageEvalOptions {
  long n = 2000;  // samples, and test images they are compared with
  std::vector<double> eps = {0.5, 1, 2, 4};
  long bpd_n = 200;                    // test images of the bits-per-dimension estimate (Hutchinson)
  long bpd_exact_n = 4;                // of them, also with the exact divergence (a check of the estimator)
  int steps = 0;                       // fixed steps of the ODE (0: the model's defaults)
  int sde_steps = 0;                   // steps of the SDE (0: the model's defaults)
  double denoise = -1;                 // the samplers' denoising step (< 0: the config's; 0: none)
  std::string score;                   // the SDE's score, "learned" or "drift" (empty: the config's)
  std::string ode_method, sde_method;  // empty: heun with fixed steps (ODE), the config's (SDE)
  double atol = 0, rtol = 0;           // the ODE's tolerances for dopri5 (0: the config's)
  double eps_until = -1;               // the SDE noise ends here (< 0: the model's default)
  long long seed = 0;
};
// The SPEC 11.3 yardsticks: energy distances to test images (ODE, SDE at each eps) next to the floor
// (two halves of the test set) and the Gaussian baseline; the judge's accuracy and its verdict on
// test images, Gaussian samples and the model's samples; bits per dimension through the ODE likelihood.
nlohmann::json image_eval(const Model& model, const ImageEvalOptions& o,
                          const std::function<void(const std::string&)>& note);

struct ImageFigureKind {
  std::string name, description;
  std::function<std::function<int()>(CLI::App*)> add;
};
std::vector<ImageFigureKind> image_figure_kinds();

}  // namespace si::cli
