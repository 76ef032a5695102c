// Structured logging. A record is an event name plus typed fields; the runtime decides where it goes
// (the real runtime: a spdlog line or JSON line; the simulation: the trace, which is hashed and which
// scenario expectations are matched against). Management logic reports what it observes here.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace roost::core {

enum class LogLevel : std::uint8_t { Debug = 0, Info = 1, Warn = 2, Error = 3 };

std::string_view to_string(LogLevel l);

using LogValue = std::variant<std::int64_t, double, bool, std::string>;

struct LogField {
  std::string key;
  LogValue value;

  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  template <class I>
    requires std::is_integral_v<I>
  LogField(std::string_view k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

using LogFields = std::vector<LogField>;

// "k=v k2=v2" for humans.
std::string format_fields(const LogFields& fields);

class Logger {
 public:
  virtual ~Logger() = default;
  virtual bool enabled(LogLevel level) const = 0;
  virtual void write(LogLevel level, std::string_view event, LogFields fields) = 0;

  void debug(std::string_view event, LogFields f = {}) { emit(LogLevel::Debug, event, std::move(f)); }
  void info(std::string_view event, LogFields f = {}) { emit(LogLevel::Info, event, std::move(f)); }
  void warn(std::string_view event, LogFields f = {}) { emit(LogLevel::Warn, event, std::move(f)); }
  void error(std::string_view event, LogFields f = {}) { emit(LogLevel::Error, event, std::move(f)); }

 private:
  void emit(LogLevel l, std::string_view e, LogFields f) {
    if (enabled(l)) write(l, e, std::move(f));
  }
};

}  // namespace roost::core
