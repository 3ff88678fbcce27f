// The one table of size limits. Every reader (configs, model files, CLI flags, the package's
// options) checks against these before it allocates, so no input can ask for more memory or work
// than a limit allows: sizes and counts, and the cost of the d^3 work of Gaussian mixtures.
#pragma once

#include <cstdint>
#include <string>

namespace si::limits {

constexpr int kMaxJsonDepth = 64;                    // nesting of any JSON input (configs are ~6 deep)
constexpr std::int64_t kMaxDim = 4096;               // dimension of a distribution
constexpr std::int64_t kMaxComponents = 10000;       // components of a mixture
constexpr double kMaxMixtureCost = 7e10;             // components * d^3: Cholesky work (one 4096-d Gaussian: a few s)
constexpr double kMaxMixtureFloats = 2e8;            // components * d^2: memory of a mixture (1.6 GB)
constexpr std::int64_t kMaxPoints = kMaxComponents;  // user points of a "points" data set (one component each)
constexpr std::int64_t kMaxBatch = 1 << 20;          // training batch
constexpr std::int64_t kMaxWidth = 4096;             // one hidden layer
constexpr std::int64_t kMaxLayers = 16;              // hidden layers
constexpr double kMaxParams = 5e7;                   // parameters of one network (200 MB as float)
constexpr std::int64_t kMaxTrainingSteps = std::int64_t(1) << 40;  // steps of a config / a model file's record
constexpr std::int64_t kMaxSamples = 100000000;                    // n of a sampler call
constexpr std::int64_t kMaxSteps = 1000000;                        // fixed steps of a sampler
constexpr std::int64_t kMaxSnapshots = 100000;                     // frames of a sampler call
constexpr double kMaxOutputFloats = 5e8;         // n * d * (frames + 1) numbers a sampler may return (2 GB)
constexpr double kMaxBatchFloats = 2e8;          // batch * (d + width) numbers of one training step
constexpr std::int64_t kMaxFigureRows = 64;      // interpolants, noise levels or times of a figure
constexpr std::int64_t kMaxFigureGrid = 100000;  // points of a figure's x grid, heatmap times, bins
constexpr std::int64_t kMaxThreads = 256;        // threads of a training step or sampler
constexpr std::int64_t kMaxSeed = (std::int64_t(1) << 53) - 1;  // exact in a JavaScript number

// Throws ConfigError(field, "<what> needs <amount>, more than the limit of <limit> (...)") when
// amount > limit; `what` says what is too large in the user's terms.
void check_cost(double amount, double limit, const std::string& field, const std::string& what);

// The two costs of a mixture of k random d x d covariances, checked before anything is drawn.
void check_random_mixture(std::int64_t k, std::int64_t d, const std::string& field);

}  // namespace si::limits
