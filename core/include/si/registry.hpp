// One table per concept (paths, gammas, losses, field sets, activations, integrators, data sets):
// each entry holds a name, the C++ value where there is one, and the concept's traits. Every list
// of allowed names in an error message, the package's name lists and the page's select options
// come from these tables, so adding an entry is the whole change (CONTRIBUTING.md has the recipes).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "si/types.hpp"

namespace si {

// Entries are registered once (at static-initialisation time or on first use) and never removed,
// so references to them stay valid for the life of the program. Entry needs a `name` member.
template <typename Entry>
class Registry {
 public:
  // `what` names the concept in messages: "unknown <what> 'x'; allowed: a, b, c".
  Registry(std::string what, std::vector<Entry> entries) : what_(std::move(what)) {
    for (auto& e : entries) add(std::move(e));
  }

  // Adds an entry; throws std::logic_error for a duplicate name (a programming error).
  const Entry& add(Entry e) {
    if (find(e.name)) throw std::logic_error("si::Registry: " + what_ + " '" + e.name + "' registered twice");
    entries_.push_back(std::make_unique<Entry>(std::move(e)));
    return *entries_.back();
  }

  const Entry* find(const std::string& name) const {
    for (const auto& e : entries_)
      if (e->name == name) return e.get();
    return nullptr;
  }
  // The entry called `name`; otherwise ConfigError(field, "unknown ... allowed: ...").
  const Entry& at(const std::string& name, const std::string& field) const {
    if (const Entry* e = find(name)) return *e;
    throw ConfigError(field, "unknown " + what_ + " '" + name + "'; allowed: " + allowed());
  }
  // The first entry whose member `value` equals v (each built-in value has exactly one entry).
  template <typename V>
  const Entry& of(const V& v) const {
    for (const auto& e : entries_)
      if (e->value == v) return *e;
    throw std::logic_error("si::Registry: no " + what_ + " entry for this value");
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e->name);
    return out;
  }
  // "a, b, c": the names as listed in messages.
  std::string allowed() const {
    std::string out;
    for (const auto& e : entries_) out += (out.empty() ? "" : ", ") + e->name;
    return out;
  }
  const std::string& what() const { return what_; }
  std::vector<const Entry*> entries() const {
    std::vector<const Entry*> out;
    for (const auto& e : entries_) out.push_back(e.get());
    return out;
  }

 private:
  std::string what_;
  std::vector<std::unique_ptr<Entry>> entries_;  // unique_ptr: references survive later add()s
};

}  // namespace si
