// Reading a simulation's trace in tests: records by event, node and string fields, and typed fields.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/simulation.h"

namespace roost::testing {

class TraceQuery {
 public:
  using Match = std::vector<std::pair<std::string, std::string>>;  // string fields that must be equal

  explicit TraceQuery(std::vector<sim::TraceRecord> records) : records_(std::move(records)) {}
  const std::vector<sim::TraceRecord>& records() const { return records_; }

  // Records of `event` (from `node`, any node if empty) whose fields match, in trace order.
  std::vector<sim::TraceRecord> all(const std::string& event, const std::string& node = "", const Match& match = {}) const {
    std::vector<sim::TraceRecord> out;
    for (const auto& r : records_) {
      if (r.event != event || (!node.empty() && r.node != node)) continue;
      bool ok = true;
      for (const auto& [k, v] : match) ok = ok && text(r, k) == v;
      if (ok) out.push_back(r);
    }
    return out;
  }
  std::optional<sim::TraceRecord> first(const std::string& event, const std::string& node = "",
                                        const Match& match = {}) const {
    auto a = all(event, node, match);
    if (a.empty()) return std::nullopt;
    return a.front();
  }

  static double seconds(const sim::TraceRecord& r) { return core::to_seconds(r.t); }
  static const core::LogValue* field(const sim::TraceRecord& r, const std::string& key) {
    for (const auto& f : r.fields)
      if (f.key == key) return &f.value;
    return nullptr;
  }
  static bool has(const sim::TraceRecord& r, const std::string& key) { return field(r, key) != nullptr; }
  static std::string text(const sim::TraceRecord& r, const std::string& key) {
    const auto* v = field(r, key);
    return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
  }
  static std::optional<double> number(const sim::TraceRecord& r, const std::string& key) {
    const auto* v = field(r, key);
    if (!v) return std::nullopt;
    if (auto* d = std::get_if<double>(v)) return *d;
    if (auto* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
    return std::nullopt;
  }
  static bool flag(const sim::TraceRecord& r, const std::string& key) {
    const auto* v = field(r, key);
    return v && std::holds_alternative<bool>(*v) && std::get<bool>(*v);
  }

 private:
  std::vector<sim::TraceRecord> records_;
};

}  // namespace roost::testing
