#include "platform/core/config_reader.h"

#include <cmath>

namespace roost::core {
namespace {
const nlohmann::json kNull;

std::string range(double min, double max) {
  auto fmt = [](double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    return std::to_string(v);
  };
  return "[" + fmt(min) + ", " + fmt(max) + "]";
}
}  // namespace

ConfigReader::ConfigReader(std::string what, const nlohmann::json& j) : what_(std::move(what)), j_(j) {
  if (!j_.is_null() && !j_.is_object()) throw std::invalid_argument(what_ + ": must be an object");
}

void ConfigReader::fail(const std::string& key, const std::string& why) const {
  throw std::invalid_argument(what_ + ": " + key + ": " + why);
}

bool ConfigReader::has(const std::string& key) {
  seen_.insert(key);
  return j_.is_object() && j_.contains(key);
}

const nlohmann::json& ConfigReader::raw(const std::string& key) { return has(key) ? j_.at(key) : kNull; }

double ConfigReader::number(const std::string& key, double fallback, double min, double max) {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  if (!v.is_number() || v.get<double>() < min || v.get<double>() > max)
    fail(key, "must be a number in " + range(min, max));
  return v.get<double>();
}

int ConfigReader::integer(const std::string& key, int fallback, int min, int max) {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max)
    fail(key, "must be an integer in " + range(min, max));
  return v.get<int>();
}

bool ConfigReader::boolean(const std::string& key, bool fallback) {
  if (!has(key)) return fallback;
  if (!j_.at(key).is_boolean()) fail(key, "must be true or false");
  return j_.at(key).get<bool>();
}

std::string ConfigReader::string(const std::string& key, std::string fallback) {
  if (!has(key)) return fallback;
  if (!j_.at(key).is_string()) fail(key, "must be a string");
  return j_.at(key).get<std::string>();
}

std::vector<std::string> ConfigReader::strings(const std::string& key, std::vector<std::string> fallback) {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  if (!v.is_array()) fail(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (!s.is_string()) fail(key, "must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

Duration ConfigReader::millis(const std::string& key, Duration fallback, double min_ms, double max_ms) {
  if (!has(key)) return fallback;
  return from_seconds(number(key, 0, min_ms, max_ms) / 1000.0);
}

Duration ConfigReader::seconds(const std::string& key, Duration fallback, double min_s, double max_s) {
  if (!has(key)) return fallback;
  return from_seconds(number(key, 0, min_s, max_s));
}

void ConfigReader::finish() const {
  if (!j_.is_object()) return;
  for (const auto& [k, _] : j_.items()) {
    if (seen_.count(k)) continue;
    std::string known;
    for (const auto& s : seen_) known += (known.empty() ? "" : ", ") + s;
    throw std::invalid_argument(what_ + ": " + k + ": unknown key (known: " + known + ")");
  }
}

}  // namespace roost::core
