#include "progress.hpp"

#include <cmath>
#include <cstdio>

#include "common.hpp"

namespace si::cli {

Progress::Progress(long total, std::string label, bool enabled)
    : total_(total), label_(std::move(label)), enabled_(enabled), tty_(stderr_is_tty()) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
  next_plain_ = std::max(1L, total_ / 10);
}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Progress::rate(long done) const {
  const double e = elapsed();
  return e > 0 ? done / e : 0.0;
}

void Progress::update(long done, const std::string& status, bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double r = rate(done);
  const double left = r > 0 ? (total_ - done) / r : NAN;
  char head[96];
  std::snprintf(head, sizeof head, "%s %*ld/%ld", label_.c_str(), int(std::to_string(total_).size()), done, total_);
  char tail[96];
  std::snprintf(tail, sizeof tail, "%.1f %s/s  %s left", r, label_.c_str(),
                done >= total_ ? "0.0 s" : format_duration(left).c_str());
  if (tty_) {
    if (!force && std::chrono::duration<double>(now - last_draw_).count() < 0.1) return;
    last_draw_ = now;
    const int width = 24;
    const int filled = total_ > 0 ? int(std::lround(double(width) * done / total_)) : width;
    std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
    std::fprintf(stderr, "\r%s %s  %s  %s\x1b[K", bar.c_str(), head, status.c_str(), tail);
    std::fflush(stderr);
    drawn_ = true;
  } else {
    if ((!force && done < next_plain_) || done == last_plain_) return;
    last_plain_ = done;
    while (next_plain_ <= done) next_plain_ += std::max(1L, total_ / 10);
    std::fprintf(stderr, "%s (%3d%%)  %s  %s\n", head, total_ > 0 ? int(100 * done / total_) : 100, status.c_str(),
                 tail);
    std::fflush(stderr);
  }
}

void Progress::finish() {
  if (enabled_ && tty_ && drawn_) std::fprintf(stderr, "\n");
}

}  // namespace si::cli
