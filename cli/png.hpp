// A minimal PNG encoder (8-bit RGB, stored deflate blocks: no compression library needed) and
// base64, to embed raster heatmaps inside SVG files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace si::cli {

// rgb holds width * height * 3 bytes, rows from the top.
std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb);
std::string base64(const std::string& bytes);

}  // namespace si::cli
