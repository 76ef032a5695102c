// One encoding for every message between nodes: a compact binary form.
//
// Why binary and not JSON: the hottest traffic is heartbeats (every host, every 100 ms, on two
// networks). A pulse encodes to a few bytes here against ~60 as JSON, stays inside std::string's
// small buffer (no allocation), and the simulation charges each message exactly its encoded size,
// so the twin's bandwidth figures are those of the real wire. JSON stays the format of user-facing
// APIs, scenarios and traces; `to_json` renders any message for logs and debugging.
//
// A message is a plain struct that lists its fields once:
//
//   struct Pulse {
//     static constexpr MessageTypeId kType = 0x0201;      // unique; bands below
//     static constexpr std::string_view kName = "mtce.pulse";
//     std::uint64_t seq = 0;
//     template <class V> void visit(V& v) { v("seq", seq); }
//   };
//
// Encoding: unsigned integers as LEB128 varints, signed as zigzag varints, bool one byte, double 8
// bytes little-endian, strings and vectors length-prefixed, optional as a presence byte, nested
// structs inline. Fields are only ever appended; a decoder ignores trailing bytes it does not know,
// so an older node reads a newer message. An incompatible change takes a new type id.
//
// Type id bands: 0x00xx core, 0x01xx fm, 0x02xx mtce/inventory, 0x03xx sm, 0x04xx dc, 0x05xx sw,
// 0x06xx ptp/storage, 0x7fxx tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/time.h"

namespace roost::core {

using MessageTypeId = std::uint16_t;

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_string_map : std::false_type {};
template <class T>
struct is_string_map<std::map<std::string, T>> : std::true_type {};
template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};

class BinaryWriter;
template <class T>
concept Visitable = requires(T& t, BinaryWriter& w) { t.visit(w); };

template <class T>
concept Message = Visitable<T> && requires {
  { T::kType } -> std::convertible_to<MessageTypeId>;
  { T::kName } -> std::convertible_to<std::string_view>;
};

template <class T>
concept CallMessage = Message<T> && Message<typename T::Response>;

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) : out_(out) {}

  template <class T>
  void operator()(std::string_view /*name*/, const T& v) { put(v); }

  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  template <class T>
  void put(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      out_.push_back(v ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      put(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      varint(v);
    } else if constexpr (std::is_integral_v<T>) {
      const auto s = static_cast<std::int64_t>(v);
      varint((static_cast<std::uint64_t>(s) << 1) ^ static_cast<std::uint64_t>(s >> 63));
    } else if constexpr (std::is_floating_point_v<T>) {
      const double d = v;
      char b[8];
      std::memcpy(b, &d, 8);
      out_.append(b, 8);
    } else if constexpr (std::is_same_v<T, std::string>) {
      varint(v.size());
      out_.append(v);
    } else if constexpr (is_duration<T>::value) {
      put(static_cast<std::int64_t>(std::chrono::duration_cast<Duration>(v).count()));
    } else if constexpr (std::is_same_v<T, TimePoint>) {
      put(v.time_since_epoch());
    } else if constexpr (is_vector<T>::value) {
      varint(v.size());
      for (const auto& e : v) put(e);
    } else if constexpr (is_optional<T>::value) {
      put(v.has_value());
      if (v) put(*v);
    } else if constexpr (is_string_map<T>::value) {
      varint(v.size());
      for (const auto& [k, e] : v) {
        put(k);
        put(e);
      }
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
      put(v.dump());
    } else {
      static_assert(Visitable<T>, "field type has no binary encoding");
      // visit() is written once for both directions; the writer only reads the fields.
      const_cast<T&>(v).visit(*this);
    }
  }

 private:
  std::string& out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  template <class T>
  void operator()(std::string_view name, T& v) {
    if (!ok()) return;
    get(v);
    if (!ok() && field_.empty()) field_ = std::string(name);
  }
  const std::string& failed_field() const { return field_; }

  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return fail("truncated varint");
      const auto b = static_cast<std::uint8_t>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return fail("varint too long");
  }

  template <class T>
  void get(T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      if (p_ == end_) return void(fail("truncated bool"));
      v = *p_++ != 0;
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> u{};
      get(u);
      v = static_cast<T>(u);
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      std::uint64_t u;
      if (varint(u)) v = static_cast<T>(u);
    } else if constexpr (std::is_integral_v<T>) {
      std::uint64_t u;
      if (varint(u)) v = static_cast<T>(static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1)));
    } else if constexpr (std::is_floating_point_v<T>) {
      if (end_ - p_ < 8) return void(fail("truncated double"));
      double d;
      std::memcpy(&d, p_, 8);
      p_ += 8;
      v = static_cast<T>(d);
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::uint64_t n;
      if (!varint(n)) return;
      if (static_cast<std::uint64_t>(end_ - p_) < n) return void(fail("truncated string"));
      v.assign(p_, n);
      p_ += n;
    } else if constexpr (is_duration<T>::value) {
      std::int64_t ns = 0;
      get(ns);
      v = std::chrono::duration_cast<T>(Duration(ns));
    } else if constexpr (std::is_same_v<T, TimePoint>) {
      Duration d{};
      get(d);
      v = TimePoint(d);
    } else if constexpr (is_vector<T>::value) {
      std::uint64_t n;
      if (!varint(n)) return;
      if (n > static_cast<std::uint64_t>(end_ - p_)) return void(fail("vector longer than message"));
      v.clear();
      v.resize(n);
      for (auto& e : v) {
        get(e);
        if (!ok()) return;
      }
    } else if constexpr (is_optional<T>::value) {
      bool present = false;
      get(present);
      if (!ok()) return;
      if (present) {
        v.emplace();
        get(*v);
      } else {
        v.reset();
      }
    } else if constexpr (is_string_map<T>::value) {
      std::uint64_t n;
      if (!varint(n)) return;
      if (n > static_cast<std::uint64_t>(end_ - p_)) return void(fail("map longer than message"));
      v.clear();
      for (std::uint64_t i = 0; i < n && ok(); ++i) {
        std::string k;
        get(k);
        get(v[k]);
      }
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
      std::string s;
      get(s);
      if (!ok()) return;
      v = nlohmann::json::parse(s, nullptr, false);
      if (v.is_discarded()) fail("embedded JSON does not parse");
    } else {
      static_assert(Visitable<T>, "field type has no binary encoding");
      v.visit(*this);
    }
  }

 private:
  bool fail(const char* what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  const char* p_;
  const char* end_;
  std::string error_;
  std::string field_;
};

// Renders a message (or any visitable struct) as JSON, for logs, traces and debugging.
class JsonWriter {
 public:
  template <class T>
  void operator()(std::string_view name, const T& v) { out_[std::string(name)] = value(v); }
  nlohmann::json take() { return std::move(out_); }

  template <class T>
  static nlohmann::json value(const T& v) {
    if constexpr (std::is_enum_v<T>) {
      return static_cast<std::underlying_type_t<T>>(v);
    } else if constexpr (is_duration<T>::value) {
      return to_seconds(std::chrono::duration_cast<Duration>(v));
    } else if constexpr (std::is_same_v<T, TimePoint>) {
      return to_seconds(v);
    } else if constexpr (is_vector<T>::value) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : v) a.push_back(value(e));
      return a;
    } else if constexpr (is_optional<T>::value) {
      return v ? value(*v) : nlohmann::json(nullptr);
    } else if constexpr (is_string_map<T>::value) {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [k, e] : v) o[k] = value(e);
      return o;
    } else if constexpr (Visitable<T>) {
      JsonWriter w;
      const_cast<T&>(v).visit(w);
      return w.take();
    } else {
      return nlohmann::json(v);
    }
  }

 private:
  nlohmann::json out_ = nlohmann::json::object();
};

template <Visitable T>
std::string encode(const T& m) {
  std::string out;
  BinaryWriter w(out);
  w.put(m);
  return out;
}

// Decodes `bytes` into `out`; on failure returns a message naming the field that did not decode.
template <Visitable T>
std::optional<std::string> decode(std::string_view bytes, T& out) {
  BinaryReader r(bytes);
  out.visit(r);
  if (r.ok()) return std::nullopt;
  return r.error() + (r.failed_field().empty() ? "" : " in field '" + r.failed_field() + "'");
}

template <Visitable T>
nlohmann::json to_json(const T& m) {
  return JsonWriter::value(m);
}

}  // namespace roost::core
