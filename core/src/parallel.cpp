#include "si/parallel.hpp"

#include <algorithm>
#include <atomic>
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
// Persistent workers: worker w runs task w + 1 of each batch of tasks handed out by run().
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
    {
      std::unique_lock<std::mutex> lock(mutex_);
      while (int(workers_.size()) < tasks - 1) {
        const int w = int(workers_.size());
        workers_.emplace_back([this, w] { work(w); });
      }
      task_ = &task;
      tasks_ = tasks;
      pending_ = tasks - 1;
      errors_.assign(size_t(tasks), nullptr);
      ++generation_;
    }
    wake_.notify_all();
    in_task() = true;
    try {
      task(0);
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    in_task() = false;
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    for (const auto& e : errors_)
      if (e) std::rethrow_exception(e);
  }

  static bool& in_task() {
    thread_local bool inside = false;
    return inside;
  }

 private:
  void work(int w) {
    in_task() = true;
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (w + 1 >= tasks_) continue;
      const std::function<void(int)>* task = task_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)(w + 1);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      errors_[size_t(w + 1)] = error;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  int tasks_ = 0, pending_ = 0;
  std::uint64_t generation_ = 0;
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
