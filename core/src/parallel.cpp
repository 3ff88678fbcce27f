#include "si/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

#include "si/limits.hpp"
#include "si/types.hpp"

#ifndef SI_NO_THREADS
#include <thread>
#endif

namespace si {

namespace {

std::atomic<int> g_threads{0};  // 0: not set, all hardware threads

#ifndef SI_NO_THREADS
// Persistent workers: worker w runs task w + 1 of each batch of tasks handed out by run(). A step
// hands out several batches a few hundred microseconds apart, and on a virtual machine a thread
// woken from sleep starts 150 us later (its idle CPU has to be scheduled again; 15 us when the CPU
// is still awake), so a worker done with its task, and the caller waiting for the workers, first
// watch for the next event for kSpin, yielding the CPU to any other thread that wants it (natively;
// under Emscripten sched_yield does not give the core up), and only then sleep on the condition
// variable.
class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void run(int tasks, const std::function<void(int)>& task) {
    std::lock_guard<std::mutex> one_caller(run_mutex_);  // callers from several threads take turns
    bool sleepers = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      while (int(workers_.size()) < tasks - 1) {
        const int w = int(workers_.size());
        workers_.emplace_back([this, w] { work(w); });
      }
      task_ = &task;
      tasks_ = tasks;
      errors_.assign(size_t(tasks), nullptr);
      pending_.store(tasks - 1);
      generation_.fetch_add(1);  // under the mutex: a worker about to sleep sees it or is woken
      sleepers = sleeping_ > 0;
    }
    if (sleepers) wake_.notify_all();
    in_task() = true;
    try {
      task(0);
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    in_task() = false;
    if (!spin_until([this] { return pending_.load() == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_.load() == 0; });
    }
    for (const auto& e : errors_)
      if (e) std::rethrow_exception(e);
  }

  static bool& in_task() {
    thread_local bool inside = false;
    return inside;
  }

 private:
  static constexpr std::chrono::microseconds kSpin{300};

  // Polls ready() until it holds (true) or kSpin has passed (false), yielding between polls.
  template <typename Ready>
  static bool spin_until(const Ready& ready) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int i = 0;; ++i) {
      if (ready()) return true;
      if ((i & 15) == 15 && std::chrono::steady_clock::now() > until) return false;
      std::this_thread::yield();
    }
  }

  void work(int w) {
    in_task() = true;
    std::uint64_t seen = 0;
    for (;;) {
      if (!spin_until([&] { return generation_.load() != seen; })) {
        std::unique_lock<std::mutex> lock(mutex_);
        ++sleeping_;
        wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
        --sleeping_;
        if (stop_) return;
      }
      std::uint64_t now;
      int tasks;
      const std::function<void(int)>* task;
      {
        std::lock_guard<std::mutex> lock(mutex_);  // the batch's fields, as run() left them
        if (stop_) return;
        now = generation_.load();
        tasks = tasks_;
        task = task_;
      }
      seen = now;
      if (w + 1 >= tasks) continue;
      std::exception_ptr error;
      try {
        (*task)(w + 1);
      } catch (...) {
        error = std::current_exception();
      }
      errors_[size_t(w + 1)] = error;
      if (pending_.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);  // so the caller cannot miss the notification
        done_.notify_one();
      }
    }
  }

  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  int tasks_ = 0, sleeping_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<std::uint64_t> generation_{0};
  std::vector<std::exception_ptr> errors_;
  bool stop_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}
#endif

}  // namespace

int hardware_threads() {
#ifdef SI_NO_THREADS
  return 1;
#else
  const unsigned n = std::thread::hardware_concurrency();
  return int(std::clamp<std::int64_t>(n, 1, limits::kMaxThreads));
#endif
}

void check_threads(std::int64_t threads, const std::string& field) {
  if (threads < 1 || threads > limits::kMaxThreads)
    throw ConfigError(field, "must be an integer in [1, " + std::to_string(limits::kMaxThreads) +
                                 "] (this machine has " + std::to_string(hardware_threads()) + "), got " +
                                 std::to_string(threads));
}

int threads() {
  const int t = g_threads.load();
  return t > 0 ? t : hardware_threads();
}

void set_threads(int threads) {
  check_threads(threads);
  g_threads = threads;
}

std::pair<std::int64_t, std::int64_t> split_range(std::int64_t n, int parts, int i) {
  const std::int64_t base = n / parts, extra = n % parts;
  const std::int64_t begin = i * base + std::min<std::int64_t>(i, extra);
  return {begin, begin + base + (i < extra ? 1 : 0)};
}

int ranges_for(std::int64_t n, int threads, std::int64_t min_per_range) {
  return int(std::clamp<std::int64_t>(n / std::max<std::int64_t>(min_per_range, 1), 1, threads));
}

void run_tasks(int tasks, const std::function<void(int)>& task) {
#ifndef SI_NO_THREADS
  if (tasks > 1 && !Pool::in_task()) return pool().run(tasks, task);
#endif
  for (int i = 0; i < tasks; ++i) task(i);
}

}  // namespace si
