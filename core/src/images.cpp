#include "si/images.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "si/json_reader.hpp"
#include "si/limits.hpp"

#ifdef SI_HAVE_ZLIB
#include <zlib.h>
#endif

namespace si {

namespace {

std::int64_t big_endian_u32(const std::uint8_t* p) {
  return (std::int64_t(p[0]) << 24) | (std::int64_t(p[1]) << 16) | (std::int64_t(p[2]) << 8) | std::int64_t(p[3]);
}

// A pixel byte as a value in [-1, 1].
double to_unit(std::uint8_t b) { return b / 127.5 - 1.0; }

std::string describe_path(const std::string& path) { return "'" + printable(path, 200) + "'"; }

// The whole file, decompressed when it is gzip (zlib reads plain files unchanged), at most max_bytes.
std::vector<std::uint8_t> read_bytes(const std::string& path, const std::string& field, std::size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw ConfigError(field, "cannot open " + describe_path(path) + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw ConfigError(field, describe_path(path) + " is a directory, not an IDX file");
  // Devices and pipes (/dev/zero) never end: only regular files are read.
  if (!S_ISREG(st.st_mode)) throw ConfigError(field, describe_path(path) + " is not a regular file");
  std::vector<std::uint8_t> out;
#ifdef SI_HAVE_ZLIB
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw ConfigError(field, "cannot open " + describe_path(path));
  std::vector<std::uint8_t> chunk(std::size_t(1) << 20);
  for (;;) {
    const int got = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (got < 0) {
      int code = 0;
      const std::string why = gzerror(f, &code);
      gzclose(f);
      throw ConfigError(field, describe_path(path) + " is corrupt or truncated (" + why + ")");
    }
    if (got == 0) break;
    if (out.size() + std::size_t(got) > max_bytes) {
      gzclose(f);
      throw ConfigError(field, describe_path(path) + " holds more than " + std::to_string(max_bytes) +
                                   " bytes, the limit for an IDX file");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + got);
  }
  // A gzip stream cut short reads as a clean end in some zlib versions: ask explicitly.
  int code = 0;
  const char* why = gzerror(f, &code);
  const std::string message = why ? why : "";
  gzclose(f);
  if (code != Z_OK && code != Z_STREAM_END)
    throw ConfigError(field, describe_path(path) + " is corrupt or truncated (" + message + ")");
#else
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0)
    throw ConfigError(field, describe_path(path) + " is gzip-compressed; this build has no zlib (decompress it first)");
  if (std::size_t(st.st_size) > max_bytes)
    throw ConfigError(field, describe_path(path) + " holds more than " + std::to_string(max_bytes) +
                                 " bytes, the limit for an IDX file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(field, "cannot open " + describe_path(path));
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
#endif
  return out;
}

}  // namespace

IdxArray parse_idx(const std::uint8_t* bytes, std::size_t size, const std::string& field) {
  if (size < 4)
    throw ConfigError(field, "is not an IDX file: " + std::to_string(size) + " bytes, shorter than its header");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw ConfigError(field, "is not an IDX file: the magic number must start with two zero bytes");
  if (bytes[2] != 0x08)
    throw ConfigError(field,
                      "holds IDX type code " + std::to_string(int(bytes[2])) + "; only unsigned bytes (0x08) are read");
  const int rank = bytes[3];
  if (rank < 1 || rank > 4) throw ConfigError(field, "has IDX rank " + std::to_string(rank) + "; allowed: 1 to 4");
  const std::size_t header = 4 + 4 * std::size_t(rank);
  if (size < header)
    throw ConfigError(field, "is truncated: its header needs " + std::to_string(header) + " bytes, the file has " +
                                 std::to_string(size));
  IdxArray a;
  double total = 1;
  for (int i = 0; i < rank; ++i) {
    const std::int64_t n = big_endian_u32(bytes + 4 + 4 * i);
    if (n <= 0) throw ConfigError(field, "has dimension " + std::to_string(i) + " of size 0");
    a.dims.push_back(n);
    total *= double(n);
  }
  if (total > double(size - header))
    throw ConfigError(field, "is truncated: its header promises " + format_number(total) +
                                 " bytes of data, the file has " + std::to_string(size - header));
  if (total < double(size - header))
    throw ConfigError(field, "has " + std::to_string(size - header - std::size_t(total)) +
                                 " bytes after the data its header describes");
  a.data.assign(bytes + header, bytes + size);
  return a;
}

IdxArray read_idx_file(const std::string& path, const std::string& field, std::size_t max_bytes) {
  const std::vector<std::uint8_t> bytes = read_bytes(path, field, max_bytes);
  return parse_idx(bytes.data(), bytes.size(), field + " (" + printable(path, 200) + ")");
}

MatD ImageSet::to_matrix(std::int64_t first, std::int64_t n) const {
  if (first < 0 || n < 0 || first + n > size())
    throw ConfigError("images", "rows " + std::to_string(first) + ".." + std::to_string(first + n) + " outside 0.." +
                                    std::to_string(size()));
  const int d = dim();
  MatD x(d, n);
  for (std::int64_t j = 0; j < n; ++j) {
    const std::uint8_t* p = pixels.data() + (first + j) * d;
    for (int i = 0; i < d; ++i) x(i, j) = to_unit(p[i]);
  }
  return x;
}

std::uint8_t to_byte(double v) {
  if (!(v > -1.0)) return 0;  // NaN too
  if (v >= 1.0) return 255;
  return static_cast<std::uint8_t>(std::lround((v + 1.0) * 127.5));
}

ImageSet pool2(const ImageSet& in) {
  if (in.rows % 2 || in.cols % 2)
    throw ConfigError(
        "size", "2 x 2 pooling needs even sides, got " + std::to_string(in.rows) + " x " + std::to_string(in.cols));
  ImageSet out;
  out.rows = in.rows / 2;
  out.cols = in.cols / 2;
  out.labels = in.labels;
  out.pixels.resize(std::size_t(in.size()) * out.dim());
  for (std::int64_t k = 0; k < in.size(); ++k) {
    const std::uint8_t* src = in.pixels.data() + k * in.dim();
    std::uint8_t* dst = out.pixels.data() + k * out.dim();
    for (int r = 0; r < out.rows; ++r)
      for (int c = 0; c < out.cols; ++c) {
        const int a = src[(2 * r) * in.cols + 2 * c], b = src[(2 * r) * in.cols + 2 * c + 1];
        const int e = src[(2 * r + 1) * in.cols + 2 * c], f = src[(2 * r + 1) * in.cols + 2 * c + 1];
        dst[r * out.cols + c] = static_cast<std::uint8_t>((a + b + e + f + 2) / 4);
      }
  }
  return out;
}

ImageSet read_idx_images(const std::string& images_path, const std::string& labels_path, const std::string& field) {
  IdxArray im = read_idx_file(images_path, field);
  IdxArray lab = read_idx_file(labels_path, field);
  if (im.dims.size() != 3)
    throw ConfigError(field, "'" + printable(images_path, 200) + "' holds a rank-" + std::to_string(im.dims.size()) +
                                 " array; images are rank 3 (count, rows, cols)");
  if (lab.dims.size() != 1)
    throw ConfigError(field, "'" + printable(labels_path, 200) + "' holds a rank-" + std::to_string(lab.dims.size()) +
                                 " array; labels are rank 1");
  if (im.count() != lab.count())
    throw ConfigError(field, std::to_string(im.count()) + " images but " + std::to_string(lab.count()) + " labels");
  if (im.dims[1] * im.dims[2] > limits::kMaxDim)
    throw ConfigError(field, "images of " + std::to_string(im.dims[1]) + " x " + std::to_string(im.dims[2]) +
                                 " pixels exceed the dimension limit " + std::to_string(limits::kMaxDim));
  ImageSet s;
  s.rows = int(im.dims[1]);
  s.cols = int(im.dims[2]);
  s.pixels = std::move(im.data);
  s.labels = std::move(lab.data);
  return s;
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

ImageSet images_from_bytes(const std::uint8_t* pixels, std::size_t n_pixels, const std::uint8_t* labels,
                           std::size_t n_labels, int rows, int cols, const std::string& field) {
  const auto key = [&](const char* k) { return field.empty() ? std::string(k) : field + "." + k; };
  if (rows < 1 || cols < 1 || double(rows) * cols > limits::kMaxDim)
    throw ConfigError(key("rows"), "rows and cols must be whole numbers >= 1 with rows x cols at most " +
                                       std::to_string(limits::kMaxDim) + ", got " + std::to_string(rows) + " x " +
                                       std::to_string(cols));
  const std::size_t d = std::size_t(rows) * std::size_t(cols);
  if (n_pixels == 0 || n_pixels % d != 0)
    throw ConfigError(key("pixels"), "holds " + std::to_string(n_pixels) + " bytes, not a positive multiple of " +
                                         std::to_string(rows) + " x " + std::to_string(cols) + " = " +
                                         std::to_string(d) + " (one byte per pixel, image after image)");
  const std::size_t n = n_pixels / d;
  if (labels && n_labels != n)
    throw ConfigError(key("labels"), "holds " + std::to_string(n_labels) + " labels for " + std::to_string(n) +
                                         " images; give one per image");
  ImageSet s;
  s.rows = rows;
  s.cols = cols;
  s.pixels.assign(pixels, pixels + n_pixels);
  if (labels)
    s.labels.assign(labels, labels + n_labels);
  else
    s.labels.assign(n, 0);
  return s;
}

ImageSet select_images(const ImageSet& all, std::int64_t limit, const std::vector<int>& classes,
                       const std::string& field) {
  ImageSet s;
  s.rows = all.rows;
  s.cols = all.cols;
  const int d = all.dim();
  for (std::int64_t k = 0; k < all.size(); ++k) {
    if (limit > 0 && s.size() >= limit) break;
    if (!classes.empty() && std::find(classes.begin(), classes.end(), all.labels[k]) == classes.end()) continue;
    s.labels.push_back(all.labels[k]);
    s.pixels.insert(s.pixels.end(), all.pixels.begin() + k * d, all.pixels.begin() + (k + 1) * d);
  }
  if (s.size() == 0) throw ConfigError(field + ".classes", "no image of those classes");
  return s;
}

namespace {

struct StoredSets {
  std::map<std::pair<std::string, std::string>, ImageSet> sets;
};
StoredSets& stored() {
  static StoredSets s;
  return s;
}

}  // namespace

void store_image_set(const std::string& name, const std::string& split, ImageSet images) {
  if (name.empty()) throw ConfigError("name", "must be a non-empty string");
  if (images.size() == 0) throw ConfigError("pixels", "holds no image");
  stored().sets[{name, split}] = std::move(images);
}

const ImageSet* stored_image_set(const std::string& name, const std::string& split) {
  const auto& sets = stored().sets;
  const auto it = sets.find({name, split});
  return it == sets.end() ? nullptr : &it->second;
}

std::vector<std::string> stored_image_sets() {
  std::vector<std::string> out;
  for (const auto& [key, set] : stored().sets) out.push_back(key.first + "/" + key.second);
  return out;
}

ImageSet load_fashion_mnist(const FashionMnistOptions& o, const std::string& field) {
  if (o.split != "train" && o.split != "test")
    throw ConfigError(field + ".split", "must be one of train, test; got '" + printable(o.split, 40) + "'");
  if (o.size != 28 && o.size != 14)
    throw ConfigError(field + ".size", "must be 28 or 14 (2 x 2 pooled), got " + std::to_string(o.size));
  for (int c : o.classes)
    if (c < 0 || c > 9) throw ConfigError(field + ".classes", "labels are 0 to 9, got " + std::to_string(c));
  ImageSet all;
  if (const ImageSet* held = stored_image_set("fashion-mnist", o.split)) {
    if (held->rows != o.size && !(held->rows == 28 && o.size == 14))
      throw ConfigError(field + ".size", "the stored Fashion-MNIST images are " + std::to_string(held->rows) + " x " +
                                             std::to_string(held->cols) + "; size must be " +
                                             std::to_string(held->rows));
    all = *held;
  } else {
#ifndef SI_HAVE_ZLIB
    throw ConfigError(field, "Fashion-MNIST '" + o.split +
                                 "' images are not loaded in this build (no file system): hand them over first, "
                                 "si.addImages({name: 'fashion-mnist', split: '" +
                                 o.split + "', rows, cols, pixels, labels})");
#endif
    const std::string stem = o.dir + "/" + (o.split == "train" ? "train" : "t10k");
    all = read_idx_images(stem + "-images-idx3-ubyte.gz", stem + "-labels-idx1-ubyte.gz", field);
  }
  for (std::uint8_t l : all.labels)
    if (l > 9) throw ConfigError(field, "a Fashion-MNIST label must be 0 to 9, found " + std::to_string(int(l)));
  const ImageSet s = select_images(all, o.limit, o.classes, field);
  return o.size == 14 && s.rows == 28 ? pool2(s) : s;
}

ImageDistribution::ImageDistribution(ImageSet images, std::string name)
    : images_(std::move(images)), name_(std::move(name)) {
  if (images_.size() == 0) throw ConfigError(name_, "has no images");
}

MatD ImageDistribution::sample(Eigen::Index n, Rng& rng) const {
  if (n < 0) throw ConfigError("n", "must be >= 0, got " + std::to_string(n));
  const int d = dim();
  MatD x(d, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const std::uint8_t* p = images_.pixels.data() + std::int64_t(rng.below(std::uint64_t(images_.size()))) * d;
    for (int i = 0; i < d; ++i) x(i, j) = to_unit(p[i]);
  }
  return x;
}

namespace {

std::vector<int> read_classes(JsonReader& spec) {
  std::vector<int> out;
  if (!spec.has("classes")) return out;
  const nlohmann::json& c = spec.at("classes");
  if (!c.is_array() || c.empty() || c.size() > 256)
    throw ConfigError(spec.key("classes"), "must be a list of 1 to 256 labels from 0 to 255");
  for (const auto& v : c) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 255)
      throw ConfigError(spec.key("classes"), "labels are whole numbers from 0 to 255, got " + describe_json(v));
    out.push_back(v.get<int>());
  }
  return out;
}

// Natively from Debian's files; in the package from the images handed over (si.addImages).
const DatasetRegistration kFashionMnist{
    {"fashion-mnist",
     "Fashion-MNIST images (Debian's dataset-fashion-mnist) in [-1, 1]: size 28 (d = 784) or 14 (2 x 2 pooled, d = "
     "196)",
     0, false, false, [](JsonReader& spec) -> std::unique_ptr<Distribution> {
       FashionMnistOptions o;
       o.dir = spec.string("dir", o.dir);
       o.split = spec.string("split", o.split);
       o.size = static_cast<int>(spec.integer("size", 28, 14, 28));
       if (o.size != 14 && o.size != 28)
         throw ConfigError(spec.key("size"), "must be 28 or 14, got " + std::to_string(o.size));
       o.limit = spec.integer("limit", 0, 0, 60000);
       o.classes = read_classes(spec);
       for (int c : o.classes)
         if (c > 9) throw ConfigError(spec.key("classes"), "Fashion-MNIST labels are 0 to 9, got " + std::to_string(c));
       ImageSet s = load_fashion_mnist(o, spec.path());
       return std::make_unique<ImageDistribution>(std::move(s), "fashion-mnist");
     }}};

const DatasetRegistration kStoredImages{
    {"images", "Images held in memory by name (the package's si.addImages) in [-1, 1]: d = rows x cols", 0, false,
     false, [](JsonReader& spec) -> std::unique_ptr<Distribution> {
       const std::string name = spec.string("name", "");
       const std::string split = spec.string("split", "train");
       const std::int64_t limit = spec.integer("limit", 0, 0, 100000000);
       const std::vector<int> classes = read_classes(spec);
       const ImageSet* held = stored_image_set(name, split);
       if (!held) {
         std::string have;
         for (const auto& n : stored_image_sets()) have += (have.empty() ? "" : ", ") + n;
         throw ConfigError(spec.key("name"), "no image set '" + printable(name, 60) + "/" + printable(split, 20) +
                                                 "' is stored; stored: " + (have.empty() ? "none" : have) +
                                                 " (add one with si.addImages)");
       }
       return std::make_unique<ImageDistribution>(select_images(*held, limit, classes, spec.path()), name);
     }}};

}  // namespace

}  // namespace si
