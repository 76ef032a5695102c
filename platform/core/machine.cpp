#include "platform/core/machine.h"

#include <limits>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

namespace roost::core {

namespace {

using nlohmann::json;

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::invalid_argument(path.empty() ? what : path + ": " + what);
}

std::string kind_of(const json& j) {
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  return "null";
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Writes a visitable struct's fields as a JSON object (the same names the codec uses).
class Writer {
 public:
  template <class T>
  void operator()(std::string_view name, const T& v) { out_[std::string(name)] = value(v); }
  json take() { return std::move(out_); }

  template <class T>
  static json value(const T& v) {
    if constexpr (is_vector<T>::value) {
      json a = json::array();
      for (const auto& e : v) a.push_back(value(e));
      return a;
    } else if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string>) {
      Writer w;
      const_cast<T&>(v).visit(w);
      return w.take();
    } else {
      return json(v);
    }
  }

 private:
  json out_ = json::object();
};

template <class T>
void read_value(const json& j, const std::string& path, T& out);

// Reads a visitable struct's fields from a JSON object: absent keys keep their defaults, unknown keys
// and wrongly typed values are errors naming their path.
class Reader {
 public:
  Reader(const json& j, const std::string& path) : j_(j), path_(path) {}

  template <class T>
  void operator()(std::string_view name, T& out) {
    known_.emplace_back(name);
    auto it = j_.find(std::string(name));
    if (it != j_.end()) read_value(*it, join_path(path_, name), out);
  }

  void reject_unknown_keys() const {
    for (const auto& item : j_.items()) {
      bool found = false;
      for (const auto& k : known_) found = found || k == item.key();
      if (found) continue;
      std::string names;
      for (const auto& k : known_) names += (names.empty() ? "" : ", ") + k;
      fail(join_path(path_, item.key()), "unknown field (known: " + names + ")");
    }
  }

 private:
  const json& j_;
  const std::string& path_;
  std::vector<std::string> known_;
};

template <class T>
void read_value(const json& j, const std::string& path, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) fail(path, "expected true or false (got " + kind_of(j) + ")");
    out = j.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) fail(path, "expected a string (got " + kind_of(j) + ")");
    out = j.get<std::string>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) fail(path, "expected an integer (got " + kind_of(j) + ")");
    if (j.is_number_unsigned()) {
      const auto v = j.get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        fail(path, "expected an integer at most " + std::to_string(std::numeric_limits<T>::max()) + " (got " +
                       j.dump() + ")");
      out = static_cast<T>(v);
    } else {
      const auto v = j.get<std::int64_t>();
      if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()))
        fail(path, "expected an integer at least " + std::to_string(std::numeric_limits<T>::min()) + " (got " +
                       j.dump() + ")");
      out = static_cast<T>(v);
    }
  } else if constexpr (is_vector<T>::value) {
    if (!j.is_array()) fail(path, "expected an array (got " + kind_of(j) + ")");
    out.clear();
    for (std::size_t i = 0; i < j.size(); ++i)
      read_value(j[i], path + "[" + std::to_string(i) + "]", out.emplace_back());
  } else {
    if (!j.is_object()) fail(path, "expected an object (got " + kind_of(j) + ")");
    Reader r(j, path);
    out.visit(r);
    r.reject_unknown_keys();
  }
}

}  // namespace

std::uint32_t MachineInventory::sockets() const {
  std::set<std::uint32_t> ids;
  for (const auto& c : cpus) ids.insert(c.socket);
  return static_cast<std::uint32_t>(ids.size());
}

std::uint32_t MachineInventory::cores() const {
  std::set<std::pair<std::uint32_t, std::uint32_t>> ids;
  for (const auto& c : cpus) ids.emplace(c.socket, c.core);
  return static_cast<std::uint32_t>(ids.size());
}

std::uint64_t MachineInventory::memory_total_kib() const {
  std::uint64_t total = 0;
  for (const auto& m : memory) total += m.total_kib;
  return total;
}

nlohmann::json to_json(const MachineInventory& m) { return Writer::value(m); }

MachineInventory machine_inventory_from_json(const nlohmann::json& j) {
  MachineInventory m;
  read_value(j, "", m);
  return m;
}

}  // namespace roost::core
