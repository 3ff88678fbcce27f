// The image figures of SPEC 11 as numbers: rows of frames x_t, t = 0 .. 1, of one learned model.
// `si figure eps-grid|mirror` draws them as SVG and the package hands them to the page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "si/model.hpp"

namespace si {

// Rows of one path each: rows[r] is d x times.size(), column f the image at times[f].
struct ImageStrip {
  std::vector<std::string> row_labels;  // "ODE", "SDE eps = 2", "noise draw 1"
  std::vector<double> row_eps;          // the noise level of each row (0: the ODE)
  std::vector<double> times;
  std::vector<MatD> rows;
};

struct EpsGridOptions {
  std::vector<double> eps = {0, 1, 1, 2, 2, 4, 4};  // one row each; 0 is the ODE (Heun)
  int frames = 10, steps = 180;
  std::uint64_t seed = 0;
  // Checks the values (ConfigError naming "eps", "frames", "steps") and that eps > 0 has a score.
  void validate(const Model& model) const;
};
// Every row starts from one draw of the model's start law (Rng(seed)), so rows differ only by the
// sampler and its noise (row r's noise from seed + 1 + r). With the config's sampling.sde.denoise,
// every row (the ODE's too) stops there and jumps to E[x1 | x_t], the last column.
ImageStrip eps_grid(const Model& model, const EpsGridOptions& o);

struct MirrorOptions {
  double eps = 1;
  int frames = 7, steps = 180, rows = 3;
  std::uint64_t seed = 0;  // row r's noise from seed + r
  void validate() const;
};
// The mirror SDE from the image x1 (d x 1, [-1, 1]) at t = 0 to t = 1, `rows` noise draws (SPEC
// 11.2). ConfigError("model") when the model is not a mirror model.
ImageStrip mirror_strip(const Model& model, const MatD& x1, const MirrorOptions& o);

// Side of a square image of d pixels; ConfigError(field) when d is not a square.
int image_side(int d, const std::string& field);

}  // namespace si
