// Where the real runtime's log records go: human text on stderr (spdlog) and, if configured, a
// JSON-lines file with one object per record, flushed per record so that a test (or an operator's
// tail -f) reads it while roostd runs:
//   {"wall": <unix seconds>, "mono": <runtime seconds>, "node": "controller-0", "level": "info",
//    "event": "pulse.host_lost", "fields": {"host": "worker-1", "misses": 10}}
// Records of the runtime itself (not of a node) have node "".
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "backends/runtime_config.h"
#include "platform/core/log.h"
#include "platform/core/time.h"

namespace spdlog {
class logger;
}

namespace roost::backends {

struct LogRecord {
  double wall = 0;  // unix seconds
  double mono = 0;  // runtime seconds
  std::string node;
  core::LogLevel level = core::LogLevel::Info;
  std::string event;
  nlohmann::json fields = nlohmann::json::object();

  nlohmann::json to_json() const;
};

nlohmann::json fields_to_json(const core::LogFields& fields);

class LogSink {
 public:
  // Throws std::runtime_error if the log file cannot be opened (it is appended to, so a restarted
  // roostd keeps one file).
  explicit LogSink(const LogConfig& config);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  bool enabled(core::LogLevel level) const { return level >= level_; }
  void set_level(core::LogLevel level) { level_ = level; }

  // `mono` is the runtime's clock at the time of the record. Thread-safe.
  void write(core::TimePoint mono, std::string_view node, core::LogLevel level, std::string_view event,
             const core::LogFields& fields);

  // Sees every enabled record after it is written (in-process tests observe the runtime through it).
  // It runs under the sink's lock: it must not write to the sink itself.
  using Tap = std::function<void(const LogRecord&)>;
  void set_tap(Tap tap);

 private:
  core::LogLevel level_;
  std::shared_ptr<spdlog::logger> text_;  // null: no stderr output
  std::FILE* json_ = nullptr;
  std::mutex mutex_;
  Tap tap_;
};

// A core::Logger that writes a node's records to the sink under the node's name.
class NodeLogger final : public core::Logger {
 public:
  using Clock = std::function<core::TimePoint()>;
  NodeLogger(LogSink& sink, std::string node, Clock clock)
      : sink_(sink), node_(std::move(node)), clock_(std::move(clock)) {}
  bool enabled(core::LogLevel level) const override { return sink_.enabled(level); }
  void write(core::LogLevel level, std::string_view event, core::LogFields fields) override {
    sink_.write(clock_(), node_, level, event, fields);
  }

 private:
  LogSink& sink_;
  std::string node_;
  Clock clock_;
};

}  // namespace roost::backends
