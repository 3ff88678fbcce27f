// A progress display on stderr: one redrawn line with a bar on a terminal, plain lines (every 10%)
// otherwise, so logs of batch runs stay readable.
#pragma once

#include <chrono>
#include <string>

namespace si::cli {

class Progress {
 public:
  // total: units of work (steps); label: what is counted, e.g. "step".
  Progress(long total, std::string label, bool enabled = true);
  // done units so far and a short status (losses, lr). Redraws at most ~10 times a second.
  void update(long done, const std::string& status, bool force = false);
  // Ends the line (terminal) and prints nothing else.
  void finish();
  double elapsed() const;
  double rate(long done) const;  // units per second

 private:
  long total_;
  std::string label_;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  long next_plain_ = 0, last_plain_ = -1;
  bool drawn_ = false;
};

}  // namespace si::cli
