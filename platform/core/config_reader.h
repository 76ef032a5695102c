// ConfigReader: reads a role's JSON config object with errors that name the key and what it must be
// ("host-agent config: mtcalive_period_ms: must be a number in [100, 600000]"). Every key it was asked
// about is remembered, so finish() can reject the ones nobody reads (a typo must not pass silently).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/time.h"

namespace roost::core {

class ConfigReader {
 public:
  // `what` prefixes every error ("host-agent config"); `j` must be an object (or null: no keys).
  ConfigReader(std::string what, const nlohmann::json& j);

  bool has(const std::string& key);
  const nlohmann::json& raw(const std::string& key);  // null if absent
  double number(const std::string& key, double fallback, double min, double max);
  int integer(const std::string& key, int fallback, int min, int max);
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, std::string fallback);
  std::vector<std::string> strings(const std::string& key, std::vector<std::string> fallback);
  // A duration given in milliseconds under `key` (e.g. "period_ms").
  Duration millis(const std::string& key, Duration fallback, double min_ms, double max_ms);
  // A duration given in seconds under `key` (e.g. "soak_s").
  Duration seconds(const std::string& key, Duration fallback, double min_s, double max_s);

  // Throws naming the first key of the object that no call above asked about.
  void finish() const;
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;

 private:
  std::string what_;
  const nlohmann::json& j_;
  std::set<std::string> seen_;
};

}  // namespace roost::core
