// Images as data: the IDX file format (Fashion-MNIST, SPEC 11.1), 2 x 2 mean pooling, and an image
// set as a data set to learn ("type": "fashion-mnist"). Pixels are stored as bytes and handed out as
// vectors in [-1, 1] (byte b -> b / 127.5 - 1), one column per image, row-major pixel order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "si/distributions.hpp"
#include "si/types.hpp"

namespace si {

// An IDX array of unsigned bytes (type code 0x08): its dimensions and its data, row-major.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
  std::int64_t count() const { return dims.empty() ? 0 : dims.front(); }
};

// Parses IDX bytes (already decompressed). Checks the magic (0 0 0x08 rank), the rank (1..4), every
// dimension (> 0, their product within si/limits.hpp) and that the data is exactly that long;
// `field` names the source in a ConfigError.
IdxArray parse_idx(const std::uint8_t* bytes, std::size_t size, const std::string& field);

// Reads an IDX file, gzip-compressed (".gz", through zlib) or plain; at most `max_bytes` after
// decompression. Errors name `field` and the path.
IdxArray read_idx_file(const std::string& path, const std::string& field, std::size_t max_bytes = std::size_t(1) << 30);

// n images of rows x cols bytes with their labels (0..9 for Fashion-MNIST).
struct ImageSet {
  int rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // n * rows * cols, image after image
  std::vector<std::uint8_t> labels;  // n
  std::int64_t size() const { return std::int64_t(labels.size()); }
  int dim() const { return rows * cols; }
  // Images first..first+n as the columns of a dim x n matrix in [-1, 1].
  MatD to_matrix(std::int64_t first, std::int64_t n) const;
  MatD to_matrix() const { return to_matrix(0, size()); }
};

// Pixel values in [-1, 1] to bytes (rounded, clamped): for PNGs and the packed page asset.
std::uint8_t to_byte(double v);

// 2 x 2 mean pooling (rows and cols even), rounded to the nearest byte.
ImageSet pool2(const ImageSet& images);

// Images from an IDX images file and its labels file; throws ConfigError naming `field` if the
// files disagree (counts) or are not 3-D images / 1-D labels.
ImageSet read_idx_images(const std::string& images_path, const std::string& labels_path, const std::string& field);

// Images handed over as bytes (the package's si.addImages): n images of rows x cols pixels, n * rows *
// cols bytes image after image, and n labels (or none: all 0). ConfigError names `field` ("pixels",
// "labels", "rows") with what was expected.
ImageSet images_from_bytes(const std::uint8_t* pixels, std::size_t n_pixels, const std::uint8_t* labels,
                           std::size_t n_labels, int rows, int cols, const std::string& field = "images");

// The first `limit` images (0: all) of the listed classes (empty: all); ConfigError(field + ".classes")
// when none is left.
ImageSet select_images(const ImageSet& all, std::int64_t limit, const std::vector<int>& classes,
                       const std::string& field);

// Image sets held in memory by name and split ("train", "test"): where builds without a file system
// (the wasm package) get their images. {"type": "images", "name": N, "split": S} draws from one, and
// {"type": "fashion-mnist"} reads the set named "fashion-mnist" when one was stored (pooled to size
// 14 if it holds 28 x 28 images), the Debian files otherwise. Storing again under a name replaces it.
void store_image_set(const std::string& name, const std::string& split, ImageSet images);
// Null when no set of that name and split is stored.
const ImageSet* stored_image_set(const std::string& name, const std::string& split);
// "name/split" of every stored set, sorted.
std::vector<std::string> stored_image_sets();

// Fashion-MNIST from the Debian package dataset-fashion-mnist (or `dir`): split "train" (60,000)
// or "test" (10,000), size 28 or 14 (2 x 2 pooled), the first `limit` images (0: all) of the
// listed classes (empty: all ten).
struct FashionMnistOptions {
  std::string dir = "/usr/share/datasets/fashion-mnist";
  std::string split = "train";
  int size = 28;
  std::int64_t limit = 0;
  std::vector<int> classes;
};
ImageSet load_fashion_mnist(const FashionMnistOptions& o, const std::string& field = "target");
// The ten class names, in label order.
const std::vector<std::string>& fashion_mnist_classes();

// An image set as a distribution: sample() draws images uniformly with replacement.
class ImageDistribution : public Distribution {
 public:
  ImageDistribution(ImageSet images, std::string name);
  int dim() const override { return images_.dim(); }
  std::string name() const override { return name_; }
  MatD sample(Eigen::Index n, Rng& rng) const override;
  const ImageSet& images() const { return images_; }

 private:
  ImageSet images_;
  std::string name_;
};

}  // namespace si
