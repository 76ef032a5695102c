#include "backends/log_sink.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace roost::backends {
namespace {

spdlog::level::level_enum to_spdlog(core::LogLevel l) {
  switch (l) {
    case core::LogLevel::Debug: return spdlog::level::debug;
    case core::LogLevel::Info: return spdlog::level::info;
    case core::LogLevel::Warn: return spdlog::level::warn;
    case core::LogLevel::Error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

double wall_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

nlohmann::json fields_to_json(const core::LogFields& fields) {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& f : fields) std::visit([&](const auto& v) { o[f.key] = v; }, f.value);
  return o;
}

nlohmann::json LogRecord::to_json() const {
  return {{"wall", wall}, {"mono", mono}, {"node", node}, {"level", std::string(core::to_string(level))},
          {"event", event}, {"fields", fields}};
}

LogSink::LogSink(const LogConfig& config) : level_(config.level) {
  if (config.to_stderr) {
    // Not registered in spdlog's global registry: several runtimes (tests) may live in one process.
    text_ = std::make_shared<spdlog::logger>("roost", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    text_->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
    text_->set_level(spdlog::level::trace);  // filtering is ours (enabled())
  }
  if (config.file) {
    json_ = std::fopen(config.file->c_str(), "a");
    if (!json_) throw std::runtime_error("log file " + *config.file + ": cannot open: " + std::strerror(errno));
  }
}

LogSink::~LogSink() {
  if (json_) std::fclose(json_);
}

void LogSink::set_tap(Tap tap) {
  std::lock_guard lock(mutex_);
  tap_ = std::move(tap);
}

void LogSink::write(core::TimePoint mono, std::string_view node, core::LogLevel level, std::string_view event,
                    const core::LogFields& fields) {
  if (!enabled(level)) return;
  LogRecord r;
  r.wall = wall_seconds();
  r.mono = core::to_seconds(mono);
  r.node = std::string(node);
  r.level = level;
  r.event = std::string(event);

  std::lock_guard lock(mutex_);
  if (text_) {
    const std::string f = core::format_fields(fields);
    text_->log(to_spdlog(level), "{} {}{}{}", node.empty() ? std::string_view("-") : node, event,
               f.empty() ? "" : " ", f);
  }
  if (json_ || tap_) r.fields = fields_to_json(fields);
  if (json_) {
    // `replace`: a field holding invalid UTF-8 must not cost the record (or throw out of a node).
    const std::string line = r.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), json_);
    std::fflush(json_);
  }
  if (tap_) tap_(r);
}

}  // namespace roost::backends
