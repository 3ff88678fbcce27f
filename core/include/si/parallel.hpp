// Threads for the data-parallel loops: a training step's batch and a sampler's particles are split
// into contiguous column ranges, one per thread, whose results are combined in range order, so a
// seed gives the same run for a given thread count. One process-wide pool of worker threads serves
// every loop; builds without thread support (the wasm module) run every range on the caller.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace si {

// The machine's hardware threads (at least 1, at most limits::kMaxThreads; 1 without threads).
int hardware_threads();
// Throws ConfigError(field, "must be an integer in [1, <limit>] ...") for a bad thread count.
void check_threads(std::int64_t threads, const std::string& field = "threads");

// The thread count of sampling and likelihoods, and the default of new training sessions: all
// hardware threads unless set (checked, ConfigError naming "threads").
int threads();
void set_threads(int threads);

// Range i of [0, n) split into `parts` contiguous ranges whose sizes differ by at most one.
std::pair<std::int64_t, std::int64_t> split_range(std::int64_t n, int parts, int i);

// Runs task(0) ... task(tasks - 1), each on its own thread (task 0 on the caller), and returns when
// all are done; the first exception a task throws is rethrown here. Called from inside a task, or
// without thread support, it runs the tasks one after another on the calling thread.
void run_tasks(int tasks, const std::function<void(int)>& task);

// The ranges a loop over n columns takes with `threads` threads, at least `min_per_range` columns
// each (the work of a smaller range does not pay for waking a thread).
int ranges_for(std::int64_t n, int threads, std::int64_t min_per_range);

// f(begin, end) over the contiguous ranges of [0, n) that ranges_for gives, one per task of run_tasks.
template <typename F>
void by_ranges(std::int64_t n, int threads, std::int64_t min_per_range, F&& f) {
  const int parts = ranges_for(n, threads, min_per_range);
  run_tasks(parts, [&](int i) {
    const auto [begin, end] = split_range(n, parts, i);
    f(begin, end);
  });
}

}  // namespace si
