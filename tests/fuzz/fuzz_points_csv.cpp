// libFuzzer harness: the CLI's points CSV reader (si::cli::read_points_csv, cli/common.cpp). It reads
// a file, so each input is written to an in-memory file first. Checks on an accepted file: d x n with
// every number finite; read_csv_table (the other CSV reader of the CLI) sees the same rows and the
// same header decision; the points written back with append_points read back identically.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common.hpp"
#include "fuzz_support.hpp"

namespace {

// The "file": an in-memory one (memfd), reopened by path through /proc/self/fd. A file on disk
// costs milliseconds per input, and a crash would leave it behind.
int memfd() {
  static const int fd = memfd_create("si-fuzz-points.csv", 0);
  if (fd < 0) si::fuzz::finding("memfd_create failed");
  return fd;
}

const std::string& temp_path() {
  static const std::string path = "/proc/self/fd/" + std::to_string(memfd());
  return path;
}

void write_file(const void* data, std::size_t size) {
  const int fd = memfd();
  if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != ssize_t(size)))
    si::fuzz::finding("cannot write the in-memory file");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = temp_path();
  write_file(data, size);
  si::MatD x;
  const bool ok = si::fuzz::accepts("read_points_csv", [&] { x = si::cli::read_points_csv(path, "--points"); });
  si::cli::CsvTable table;
  si::fuzz::must_succeed("read_csv_table", [&] { table = si::cli::read_csv_table(path, "--file"); });
  if (!ok) return 0;
  if (x.rows() < 1 || x.cols() < 1) si::fuzz::finding("accepted %ld x %ld points", long(x.rows()), long(x.cols()));
  if (!x.allFinite()) si::fuzz::finding("accepted a non-finite number");
  // Same rows as the table reader: a row read_csv_table keeps is not silently dropped as a header.
  if (Eigen::Index(table.rows.size()) != x.cols())
    si::fuzz::finding("read_points_csv read %ld points, read_csv_table %zu rows (header: %s)", long(x.cols()),
                      table.rows.size(), table.header.empty() ? "none" : si::cli::join(table.header, ",").c_str());
  std::string text;
  si::cli::append_points(text, x);
  write_file(text.data(), text.size());
  si::MatD y;
  si::fuzz::must_succeed("re-reading written points", [&] { y = si::cli::read_points_csv(path, "--points"); });
  if (y.rows() != x.rows() || y.cols() != x.cols() || y != x) si::fuzz::finding("points round trip differs");
  return 0;
}
