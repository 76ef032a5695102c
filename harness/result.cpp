#include "harness/result.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "harness/fault_kinds.h"
#include "harness/version.h"

namespace roost::harness {

using nlohmann::json;

bool RunOutput::passed() const {
  return std::all_of(outcomes.begin(), outcomes.end(), [](const ExpectationOutcome& o) { return o.passed; });
}

json record_json(const sim::TraceRecord& r) {
  return {{"t", core::to_seconds(r.t)},
          {"node", r.node},
          {"level", core::to_string(r.level)},
          {"event", r.event},
          {"fields", to_json(r.fields)}};
}

namespace {

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json stats_json(const RunOutput& run) {
  const sim::SimStats& s = run.sim.stats;
  return {{"events", s.events()},
          {"timer_events", s.timer_events},
          {"messages", s.local_messages + s.simgrid_messages},
          {"local_messages", s.local_messages},
          {"simgrid_messages", s.simgrid_messages},
          {"bytes", s.simgrid_bytes},
          {"dropped", s.dropped_messages},
          {"unroutable", s.unroutable_messages},
          {"link_failures", s.link_failures},
          {"calls", s.calls},
          {"call_failures", s.call_failures},
          {"sim_s", s.sim_seconds},
          {"wall_s", s.wall_seconds},
          // Simulated seconds per wall second: how much faster than real time the run went.
          {"ratio", s.wall_seconds > 0 ? s.sim_seconds / s.wall_seconds : 0.0},
          {"peak_rss_mb", run.peak_rss_mb}};
}

json nodes_json(const sim::SimConfig& c) {
  json out = json::array();
  for (const auto& site : c.sites)
    for (const auto& n : site.nodes) out.push_back({{"name", n.node.name}, {"site", site.name}, {"role", n.node.role}});
  return out;
}

// When the simulation reports applying (fault.start) and healing (fault.end) a fault: the first record
// of that event at the fault's time, of its kind and label, not already claimed by an earlier fault.
// The simulation's records are indexed by (event, time) first: a fleet has thousands of faults.
class FaultRecords {
 public:
  explicit FaultRecords(const std::vector<sim::TraceRecord>& trace) : trace_(trace) {
    for (std::size_t i = 0; i < trace.size(); ++i) {
      const auto& r = trace[i];
      if (r.node == "sim" && (r.event == "fault.start" || r.event == "fault.end"))
        by_time_[{r.event, r.t}].push_back(i);
    }
  }

  std::optional<double> applied_at(std::string_view event, const sim::FaultSpec& f, core::TimePoint t) {
    auto it = by_time_.find({std::string(event), t});
    if (it == by_time_.end()) return std::nullopt;
    for (std::size_t& i : it->second) {
      if (i == kClaimed) continue;
      const json fields = to_json(trace_[i].fields);
      if (fields.value("kind", "") != fault_kind_name(f.kind) || fields.value("label", "") != f.label) continue;
      i = kClaimed;
      return core::to_seconds(t);
    }
    return std::nullopt;
  }

 private:
  static constexpr std::size_t kClaimed = static_cast<std::size_t>(-1);
  const std::vector<sim::TraceRecord>& trace_;
  std::map<std::pair<std::string, core::TimePoint>, std::vector<std::size_t>> by_time_;
};

json faults_json(const sim::SimConfig& c, const std::vector<sim::TraceRecord>& trace) {
  json out = json::array();
  FaultRecords records(trace);
  for (std::size_t i = 0; i < c.faults.size(); ++i) {
    const sim::FaultSpec& f = c.faults[i];
    json j = {{"index", i},
              {"kind", fault_kind_name(f.kind)},
              {"label", f.label},
              {"description", describe_fault(f)},
              {"at_s", core::to_seconds(f.at)},
              {"until_s", f.until ? json(core::to_seconds(*f.until)) : json(nullptr)},
              {"nodes", f.nodes}};
    if (f.network) j["network"] = core::to_string(*f.network);
    if (!f.site.empty()) j["site"] = f.site;
    if (!f.groups.empty()) j["groups"] = f.groups;
    if (f.kind == sim::FaultKind::MessageLoss || f.kind == sim::FaultKind::MessageDelay) j["fraction"] = f.fraction;
    if (f.kind == sim::FaultKind::MessageDelay) j["delay_ms"] = core::to_millis(f.delay);
    if (f.kind == sim::FaultKind::ProcessKill) {
      j["process"] = f.process;
      j["crash_loop"] = f.crash_loop;
    }
    // What the trace says actually happened (null: the simulation never reported it).
    j["started_s"] = optional_json(records.applied_at("fault.start", f, f.at));
    j["ended_s"] = f.until ? optional_json(records.applied_at("fault.end", f, *f.until)) : json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

json expectations_json(const RunOutput& run) {
  json out = json::array();
  const auto& faults = run.scenario.config.faults;
  for (std::size_t i = 0; i < run.scenario.expectations.size() && i < run.outcomes.size(); ++i) {
    const Expectation& e = run.scenario.expectations[i];
    const ExpectationOutcome& o = run.outcomes[i];
    json fields = json::object();
    for (const auto& m : e.fields) {
      if (m.op == FieldMatcher::Op::Equals) fields[m.key] = m.values[0];
      else fields[m.key] = {{m.op == FieldMatcher::Op::In ? "in" : "not_in", m.values}};
    }
    json j = {{"index", i},
              {"description", e.description.empty() ? describe(e, faults) : e.description},
              {"rule", describe(e, faults)},
              {"event", e.event},
              {"node", e.node ? json(*e.node) : json(nullptr)},
              {"fields", fields},
              {"count", {{"min", e.count.min}, {"max", e.count.max ? json(*e.count.max) : json(nullptr)}}},
              {"after_fault", e.after_fault ? json(*e.after_fault) : json(nullptr)},
              {"from", e.from == FaultEdge::Start ? "start" : "end"},
              {"within_s", e.within_s ? json::array({e.within_s->first, e.within_s->second}) : json(nullptr)},
              {"window_s", json::array({o.window_from_s, o.window_to_s})},
              {"passed", o.passed},
              {"observed",
               {{"count", o.count}, {"first_s", optional_json(o.first_s)}, {"first_delay_s", optional_json(o.first_delay_s)}}},
              {"observed_text", o.observed}};
    out.push_back(std::move(j));
  }
  return out;
}

// How long the platform took to notice each kind of fault: the first matching record after a fault
// starts, for every positive expectation tied to a fault, grouped by fault kind and event.
json detection_json(const RunOutput& run) {
  struct Sample {
    std::size_t fault, expectation;
    double delay;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Sample>> groups;
  const auto& faults = run.scenario.config.faults;
  for (std::size_t i = 0; i < run.scenario.expectations.size() && i < run.outcomes.size(); ++i) {
    const Expectation& e = run.scenario.expectations[i];
    const ExpectationOutcome& o = run.outcomes[i];
    // The simulation's own records (node.up after a restart, ...) say what was done, not what was noticed.
    if (!e.after_fault || e.from != FaultEdge::Start || e.count.min == 0 || !o.first_delay_s) continue;
    if (e.node && *e.node == "sim") continue;
    const std::string kind(fault_kind_name(faults[*e.after_fault].kind));
    groups[{kind, e.event}].push_back({*e.after_fault, i, *o.first_delay_s});
  }
  json out = json::array();
  for (const auto& [key, samples] : groups) {
    json list = json::array();
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (const auto& s : samples) {
      list.push_back({{"fault", s.fault}, {"expectation", s.expectation}, {"delay_s", s.delay}});
      lo = std::min(lo, s.delay);
      hi = std::max(hi, s.delay);
      sum += s.delay;
    }
    out.push_back({{"fault_kind", key.first},
                   {"event", key.second},
                   {"samples", list},
                   {"min_s", lo},
                   {"mean_s", sum / static_cast<double>(samples.size())},
                   {"max_s", hi}});
  }
  return out;
}

// A bucket width of 1, 2 or 5 times a power of ten that cuts the run into at most ~120 buckets.
double bucket_width(double duration_s) {
  const double raw = std::max(duration_s, 1e-3) / 120.0;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (decade * step >= raw) return decade * step;
  return decade * 10.0;
}

json event_counts_json(const std::vector<sim::TraceRecord>& trace) {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& r : trace) ++counts[r.event];
  return counts;
}

json timeline_json(const std::vector<sim::TraceRecord>& trace, double duration_s) {
  const double width = bucket_width(duration_s);
  const auto buckets = static_cast<std::size_t>(std::ceil(duration_s / width - 1e-9));
  std::map<std::string, std::vector<std::uint64_t>> series;
  for (const auto& r : trace) {
    auto& counts = series[r.event];
    counts.resize(std::max<std::size_t>(buckets, 1));
    const auto b = static_cast<std::size_t>(std::max(0.0, core::to_seconds(r.t)) / width);
    ++counts[std::min(b, counts.size() - 1)];
  }
  return {{"bucket_s", width}, {"buckets", buckets}, {"series", series}};
}

json activity_json(const std::vector<sim::Progress>& samples) {
  json out = json::array();
  for (const auto& p : samples) out.push_back({{"t", p.sim_seconds}, {"events", p.events}});
  return out;
}

json notable_json(const std::vector<sim::TraceRecord>& trace, std::size_t limit) {
  json records = json::array();
  std::size_t total = 0;
  for (const auto& r : trace) {
    if (r.level < core::LogLevel::Info) continue;
    if (total++ < limit) records.push_back(record_json(r));
  }
  json out = {{"limit", limit}, {"total", total}, {"capped", total > limit}, {"records", std::move(records)}};
  if (total > limit)
    out["note"] = "only the first " + std::to_string(limit) + " of " + std::to_string(total) + " records are listed";
  return out;
}

}  // namespace

json result_json(const RunOutput& run, const ResultOptions& options) {
  const Scenario& s = run.scenario;
  const double duration_s = core::to_seconds(s.config.duration);
  json out = {{"roost_result", kResultFormatVersion},
          {"roost_version", roost_version()},
          {"simgrid_version", simgrid_version()},
          {"scenario", {{"name", s.meta.name}, {"description", s.meta.description}, {"file", s.meta.file}}},
          {"seed", s.config.seed},
          {"duration_s", duration_s},
          {"lan_mode", lan_mode_name(s.config.lan_mode)},
          {"trace_level", core::to_string(s.config.trace_level)},
          {"passed", run.passed()},
          {"trace_hash", run.sim.trace_hash},
          {"stats", stats_json(run)},
          {"nodes", nodes_json(s.config)},
          {"faults", faults_json(s.config, run.sim.trace)},
          {"expectations", expectations_json(run)},
          {"detection_latencies", detection_json(run)},
          {"event_counts", event_counts_json(run.sim.trace)},
          {"event_timeline", timeline_json(run.sim.trace, duration_s)},
          {"activity", activity_json(run.samples)},
          {"notable", notable_json(run.sim.trace, options.notable_limit)}};
  if (s.fleet) out["fleet"] = fleet_result_json(*s.fleet, s.config, run.sim, run.peak_rss_mb);
  return out;
}

}  // namespace roost::harness
