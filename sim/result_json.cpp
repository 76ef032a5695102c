#include "sim/result_json.h"

#include <cmath>
#include <stdexcept>

namespace roost::sim {
namespace {

using nlohmann::json;

json value_to_json(const core::LogValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(x)) return json{{"double", "nan"}};
          if (std::isinf(x)) return json{{"double", x > 0 ? "inf" : "-inf"}};
          return json(x);
        } else {
          return json(x);
        }
      },
      v);
}

core::LogValue value_from_json(const json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_float()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("double")) {
    const auto s = j["double"].get<std::string>();
    if (s == "nan") return std::nan("");
    if (s == "inf") return HUGE_VAL;
    if (s == "-inf") return -HUGE_VAL;
  }
  throw std::invalid_argument("trace field value of unknown form: " + j.dump());
}

core::LogLevel level_from_string(const std::string& s) {
  for (auto l : {core::LogLevel::Debug, core::LogLevel::Info, core::LogLevel::Warn, core::LogLevel::Error})
    if (core::to_string(l) == s) return l;
  throw std::invalid_argument("unknown log level '" + s + "'");
}

}  // namespace

json record_to_json(const TraceRecord& r) {
  json fields = json::array();
  for (const auto& f : r.fields) fields.push_back(json::array({f.key, value_to_json(f.value)}));
  return {{"t_ns", r.t.time_since_epoch().count()},
          {"node", r.node},
          {"level", std::string(core::to_string(r.level))},
          {"event", r.event},
          {"fields", std::move(fields)}};
}

TraceRecord record_from_json(const json& j) {
  TraceRecord r;
  r.t = core::TimePoint(core::Duration(j.at("t_ns").get<std::int64_t>()));
  r.node = j.at("node").get<std::string>();
  r.level = level_from_string(j.at("level").get<std::string>());
  r.event = j.at("event").get<std::string>();
  for (const auto& f : j.at("fields")) {
    core::LogField field(f.at(0).get<std::string>(), false);
    field.value = value_from_json(f.at(1));
    r.fields.push_back(std::move(field));
  }
  return r;
}

json stats_to_json(const SimStats& s) {
  return {{"timer_events", s.timer_events},       {"local_messages", s.local_messages},
          {"simgrid_messages", s.simgrid_messages}, {"simgrid_bytes", s.simgrid_bytes},
          {"dropped_messages", s.dropped_messages}, {"unroutable_messages", s.unroutable_messages},
          {"link_failures", s.link_failures},       {"calls", s.calls},
          {"call_failures", s.call_failures},       {"sim_seconds", s.sim_seconds},
          {"wall_seconds", s.wall_seconds},         {"events", s.events()}};
}

SimStats stats_from_json(const json& j) {
  SimStats s;
  s.timer_events = j.at("timer_events").get<std::uint64_t>();
  s.local_messages = j.at("local_messages").get<std::uint64_t>();
  s.simgrid_messages = j.at("simgrid_messages").get<std::uint64_t>();
  s.simgrid_bytes = j.at("simgrid_bytes").get<std::uint64_t>();
  s.dropped_messages = j.at("dropped_messages").get<std::uint64_t>();
  s.unroutable_messages = j.at("unroutable_messages").get<std::uint64_t>();
  s.link_failures = j.at("link_failures").get<std::uint64_t>();
  s.calls = j.at("calls").get<std::uint64_t>();
  s.call_failures = j.at("call_failures").get<std::uint64_t>();
  s.sim_seconds = j.at("sim_seconds").get<double>();
  s.wall_seconds = j.at("wall_seconds").get<double>();
  return s;
}

json result_to_json(const SimResult& r) {
  json trace = json::array();
  for (const auto& rec : r.trace) trace.push_back(record_to_json(rec));
  return {{"trace_hash", r.trace_hash}, {"stats", stats_to_json(r.stats)}, {"trace", std::move(trace)}};
}

SimResult result_from_json(const json& j) {
  SimResult r;
  r.trace_hash = j.at("trace_hash").get<std::string>();
  r.stats = stats_from_json(j.at("stats"));
  for (const auto& rec : j.at("trace")) r.trace.push_back(record_from_json(rec));
  return r;
}

json progress_to_json(const Progress& p) {
  return {{"sim_seconds", p.sim_seconds},
          {"duration_seconds", p.duration_seconds},
          {"events", p.events},
          {"wall_seconds", p.wall_seconds}};
}

Progress progress_from_json(const json& j) {
  Progress p;
  p.sim_seconds = j.at("sim_seconds").get<double>();
  p.duration_seconds = j.at("duration_seconds").get<double>();
  p.events = j.at("events").get<std::uint64_t>();
  p.wall_seconds = j.at("wall_seconds").get<double>();
  return p;
}

}  // namespace roost::sim
