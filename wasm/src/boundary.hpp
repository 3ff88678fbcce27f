// The wasm boundary: C++ exceptions become JavaScript Errors, and arrays cross as copies.
//
// Leak-free errors: a JS exception thrown from C++ unwinds the wasm frames without running their
// destructors, so nothing that owns memory may be alive when it is thrown. Hence (1) bound
// functions take JS values (emscripten::val: strings, typed arrays, objects) and numbers only, never
// std::string or other owning types that Embind would build in its invoker frame (Embind's JS side
// also mallocs a buffer for a std::string argument and frees it only after a normal return);
// (2) guard() moves its work into a lambda whose locals are destroyed by the C++ unwind, copies the
// message into a static buffer once the catch block has ended, and only then throws the JS Error.
#pragma once

#include <emscripten.h>
#include <emscripten/val.h>

#include <exception>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include "si/limits.hpp"
#include "si/types.hpp"

namespace si_wasm {

using emscripten::val;

// The JS side of guard(): throws a JavaScript Error with the message.
[[noreturn]] void throw_js_error(const char* message);

// The message of the last error (kept in a static buffer so that throwing leaks nothing).
std::string& error_buffer();

// Runs f(); a std::exception escaping it becomes a JS Error carrying e.what().
template <typename F>
auto guard(F&& f) -> decltype(f()) {
  bool failed = false;
  try {
    return f();
  } catch (const std::bad_alloc&) {
    error_buffer() =
        "out of memory: the wasm heap (at most 2 GiB) cannot hold this; use fewer points or a smaller "
        "network, and delete() objects no longer needed";
    failed = true;
  } catch (const std::exception& e) {
    error_buffer() = e.what();
    failed = true;
  } catch (...) {
    error_buffer() = "unknown C++ exception";
    failed = true;
  }
  if (failed) throw_js_error(error_buffer().c_str());
  __builtin_unreachable();
}

// Takes ownership of a val argument so the Embind invoker's copy is empty (handle 0) and its
// skipped destructor, if an error is thrown, holds nothing.
inline val take(val& v) { return std::move(v); }

// --- JS values in ---------------------------------------------------------------------------

inline std::string to_string(const val& v, const char* field) {
  if (!v.isString()) throw si::ConfigError(field, "must be a string");
  return v.as<std::string>();
}

// Number of elements of a JS array or typed array.
inline std::size_t js_length(const val& v, const char* field) {
  const std::string type = v.typeOf().as<std::string>();
  if (type != "object" || v.isNull() || !v["length"].isNumber())
    throw si::ConfigError(field, "must be an array or typed array of numbers");
  const double n = v["length"].as<double>();
  if (!(n >= 0) || std::floor(n) != n) throw si::ConfigError(field, "must be an array or typed array of numbers");
  si::limits::check_cost(n, si::limits::kMaxOutputFloats, field, "an array of this length");
  return static_cast<std::size_t>(n);
}

// Copies a JS array / typed array of n*d numbers (row-major (n, d), i.e. point after point) into
// a d x n matrix (the same memory layout).
template <typename S>
si::Mat<S> to_points(const val& v, int d, const char* field) {
  const std::size_t len = js_length(v, field);
  if (d <= 0 || len % static_cast<std::size_t>(d) != 0)
    throw si::ConfigError(field,
                          "length " + std::to_string(len) + " is not a multiple of the dimension " + std::to_string(d));
  si::Mat<S> m(d, static_cast<Eigen::Index>(len / d));
  if (len > 0) val(emscripten::typed_memory_view(len, m.data())).call<void>("set", v);
  // Strings, holes and objects without numbers arrive as NaN: reject them here, by name.
  if (!m.allFinite()) throw si::ConfigError(field, "must be finite numbers (got NaN, inf or something not a number)");
  return m;
}

template <typename S>
std::vector<S> to_vector(const val& v, const char* field) {
  const std::size_t len = js_length(v, field);
  std::vector<S> out(len);
  if (len > 0) val(emscripten::typed_memory_view(len, out.data())).call<void>("set", v);
  for (const S x : out)
    if (!std::isfinite(x))
      throw si::ConfigError(field, "must be finite numbers (got NaN, inf or something not a number)");
  return out;
}

// --- JS values out (always JS-owned copies, never views of the wasm heap) ---------------------

template <typename S>
val copy_out(const S* data, std::size_t n) {
  using Array = std::conditional_t<std::is_same<S, float>::value, std::integral_constant<int, 32>,
                                   std::integral_constant<int, 64>>;
  static_assert(std::is_same<S, float>::value || std::is_same<S, double>::value, "float or double");
  const char* type = Array::value == 32 ? "Float32Array" : "Float64Array";
  return val::global(type).new_(emscripten::typed_memory_view(n, data));
}

template <typename Derived>
val copy_out(const Eigen::PlainObjectBase<Derived>& m) {
  return copy_out(m.data(), static_cast<std::size_t>(m.size()));
}

// Output type conversion: a matrix of doubles as a Float32Array (samples) or the reverse.
template <typename To, typename Derived>
val copy_out_as(const Eigen::PlainObjectBase<Derived>& m) {
  using From = typename Derived::Scalar;
  if constexpr (std::is_same<From, To>::value) {
    return copy_out(m);
  } else {
    const si::Mat<To> c = m.template cast<To>();
    return copy_out(c);
  }
}

template <typename T>
val string_array(const T& names) {
  val out = val::array();
  for (const auto& n : names) out.call<void>("push", val(n));
  return out;
}

}  // namespace si_wasm
