// What a fleet run shows, read from its trace: per fault instance when it was noticed and when its subcloud
// or host was back, latency statistics per fault kind, alarms raised and cleared, subclouds online and
// active alarms over time (the "fleet" section of result.json), and the fleet checks of "expect".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "harness/fleet.h"

namespace roost::harness {

using nlohmann::json;

namespace {

const std::string* string_field(const core::LogFields& fields, std::string_view key) {
  const std::string* out = nullptr;
  for (const auto& f : fields)
    if (f.key == key) out = std::get_if<std::string>(&f.value);  // the last one wins, as in the JSON rendering
  return out;
}

constexpr std::string_view kAvailability = "dc.availability";
constexpr std::string_view kMtceAlarm = "mtce.alarm";
constexpr std::string_view kSmRole = "sm.role";
constexpr std::string_view kDcAlarm = "dc.alarm";
constexpr std::string_view kHostFailed = "200.004";

// The records fault instances are judged by, per subject, in time order (the trace is).
struct TraceIndex {
  template <class V>
  using Series = std::unordered_map<std::string, std::vector<std::pair<core::TimePoint, V>>>;
  Series<bool> online;        // subcloud -> dc.availability (true: online)
  Series<bool> host_failed;   // host -> 200.004 raised (true) / cleared (false)
  Series<std::string> roles;  // node -> sm.role

  TraceIndex(const FleetPlan& plan, const std::vector<sim::TraceRecord>& trace) {
    for (const auto& r : trace) {
      if (r.event == kAvailability && r.node == plan.manager_node) {
        const auto* s = string_field(r.fields, "subcloud");
        const auto* a = string_field(r.fields, "availability");
        if (s && a) online[*s].emplace_back(r.t, *a == "online");
      } else if (r.event == kMtceAlarm) {
        const auto* id = string_field(r.fields, "alarm_id");
        const auto* host = string_field(r.fields, "host");
        const auto* sev = string_field(r.fields, "severity");
        if (id && host && sev && *id == kHostFailed) host_failed[*host].emplace_back(r.t, *sev != "clear");
      } else if (r.event == kSmRole) {
        if (const auto* role = string_field(r.fields, "role")) roles[r.node].emplace_back(r.t, *role);
      }
    }
  }

  // The first record of `series[key]` in [from, to) whose value is `want`.
  template <class V>
  static std::optional<core::TimePoint> first(const Series<V>& series, const std::string& key, const V& want,
                                              core::TimePoint from, core::TimePoint to) {
    auto it = series.find(key);
    if (it == series.end()) return std::nullopt;
    const auto& v = it->second;
    auto p = std::lower_bound(v.begin(), v.end(), from, [](const auto& e, core::TimePoint t) { return e.first < t; });
    for (; p != v.end() && p->first < to; ++p)
      if (p->second == want) return p->first;
    return std::nullopt;
  }
};

enum class Detector { Availability, HostAlarm, Failover };

Detector detector_of(const FleetPlan& plan, const FleetFaultInstance& i) {
  const Subcloud& s = plan.subclouds[i.subcloud];
  switch (i.kind) {
    case FleetFaultKind::HostCrash:
      // A simplex subcloud's only host runs its maintenance too: only the system controller can notice.
      return s.type == SubcloudType::Simplex ? Detector::Availability : Detector::HostAlarm;
    case FleetFaultKind::ControllerFailover: return Detector::Failover;
    default: return Detector::Availability;
  }
}

std::string detector_name(Detector d) {
  switch (d) {
    case Detector::Availability: return "dc.availability";
    case Detector::HostAlarm: return "mtce.alarm 200.004";
    case Detector::Failover: return "sm.role";
  }
  return "?";
}

// Latency statistics of a set of delays.
json stats_json(std::vector<double> v) {
  if (v.empty()) return {{"count", 0}};
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) { return v[static_cast<std::size_t>(std::max(1.0, std::ceil(q * static_cast<double>(v.size())))) - 1]; };
  double sum = 0;
  for (double x : v) sum += x;
  // A histogram of up to ~24 bins of a 1-2-5 width from 0: what the report draws.
  const double span = std::max(v.back(), 1e-3);
  const double raw = span / 24;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  double width = decade * 10;
  for (double m : {1.0, 2.0, 5.0})
    if (decade * m >= raw) {
      width = decade * m;
      break;
    }
  std::vector<std::uint64_t> bins(static_cast<std::size_t>(std::floor(v.back() / width)) + 1, 0);
  for (double x : v) ++bins[std::min(bins.size() - 1, static_cast<std::size_t>(std::floor(std::max(0.0, x) / width)))];
  return {{"count", v.size()},
          {"min_s", v.front()},
          {"p50_s", rank(0.5)},
          {"p99_s", rank(0.99)},
          {"max_s", v.back()},
          {"mean_s", sum / static_cast<double>(v.size())},
          {"histogram", {{"bin_s", width}, {"counts", bins}}}};
}

// The instances in order of time (then of their faults), for listings.
std::vector<std::size_t> by_time(const FleetPlan& plan) {
  std::vector<std::size_t> order(plan.instances.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return plan.instances[a].at < plan.instances[b].at;
  });
  return order;
}

}  // namespace

std::vector<InstanceOutcome> fleet_outcomes(const FleetPlan& plan, const std::vector<sim::TraceRecord>& trace,
                                            core::TimePoint end_of_run) {
  const TraceIndex index(plan, trace);
  const auto& inst = plan.instances;
  // Each instance's horizon: the next fault on the same subcloud starts (or the run ends). Records after it
  // belong to that fault.
  std::vector<core::TimePoint> horizon(inst.size(), end_of_run);
  {
    std::vector<std::size_t> order = by_time(plan);
    std::unordered_map<std::uint32_t, std::size_t> last;
    for (std::size_t k : order) {
      if (auto it = last.find(inst[k].subcloud); it != last.end() && inst[it->second].at < inst[k].at)
        horizon[it->second] = inst[k].at;
      last[inst[k].subcloud] = k;
    }
  }
  // A fault is noticed while it lasts or soon after it heals (an audit in flight when it healed may
  // still fail and count): never later than one audit cycle plus a timeout after its end.
  const core::Duration grace = plan.audit_interval + plan.audit_timeout;

  std::vector<InstanceOutcome> out(inst.size());
  for (std::size_t k = 0; k < inst.size(); ++k) {
    const FleetFaultInstance& i = inst[k];
    const Subcloud& s = plan.subclouds[i.subcloud];
    const Detector d = detector_of(plan, i);
    const core::TimePoint detect_by = i.until ? std::min(horizon[k], *i.until + grace) : horizon[k];
    std::optional<core::TimePoint> detected, recovered;
    switch (d) {
      case Detector::Availability:
        detected = TraceIndex::first(index.online, s.name, false, i.at, detect_by);
        if (detected && i.until)
          recovered = TraceIndex::first(index.online, s.name, true, std::max(*i.until, *detected), horizon[k]);
        break;
      case Detector::HostAlarm:
        detected = TraceIndex::first(index.host_failed, i.node, true, i.at, detect_by);
        if (detected && i.until)
          recovered = TraceIndex::first(index.host_failed, i.node, false, std::max(*i.until, *detected), horizon[k]);
        break;
      case Detector::Failover:
        detected = TraceIndex::first(index.roles, s.controller(1), std::string("active"), i.at, detect_by);
        if (detected && i.until)
          recovered = TraceIndex::first(index.roles, i.node, std::string("standby"), std::max(*i.until, *detected), horizon[k]);
        break;
    }
    out[k].detector = detector_name(d);
    if (detected) out[k].detection_s = core::to_seconds(*detected - i.at);
    if (recovered) out[k].recovery_s = core::to_seconds(*recovered - *i.until);
  }
  return out;
}

json fleet_result_json(const FleetPlan& plan, const sim::SimConfig& config, const sim::SimResult& result,
                       double peak_rss_mb, const FleetResultOptions& options) {
  const auto& trace = result.trace;
  const core::TimePoint end(config.duration);
  const auto outcomes = fleet_outcomes(plan, trace, end);

  // Per fault kind: how many instances, how many noticed and back, and the latencies.
  json kinds = json::array();
  for (FleetFaultKind kind : kFleetFaultKinds) {
    std::size_t n = 0, detected = 0, recovered = 0, healing = 0;
    std::vector<double> det, rec;
    std::set<std::string> detectors;
    for (std::size_t k = 0; k < plan.instances.size(); ++k) {
      if (plan.instances[k].kind != kind) continue;
      ++n;
      healing += plan.instances[k].until ? 1 : 0;
      detectors.insert(outcomes[k].detector);
      if (outcomes[k].detection_s) {
        ++detected;
        det.push_back(*outcomes[k].detection_s);
      }
      if (outcomes[k].recovery_s) {
        ++recovered;
        rec.push_back(*outcomes[k].recovery_s);
      }
    }
    if (n == 0) continue;
    kinds.push_back({{"kind", to_string(kind)},
                     {"instances", n},
                     {"healing", healing},
                     {"detected", detected},
                     {"recovered", recovered},
                     {"detected_by", std::vector<std::string>(detectors.begin(), detectors.end())},
                     {"detection", stats_json(std::move(det))},
                     {"recovery", stats_json(std::move(rec))}});
  }

  // One row per instance, in time order, capped.
  json rows = json::array();
  const auto order = by_time(plan);
  for (std::size_t n = 0; n < order.size() && n < options.instance_limit; ++n) {
    const std::size_t k = order[n];
    const FleetFaultInstance& i = plan.instances[k];
    const InstanceOutcome& o = outcomes[k];
    rows.push_back({{"fault", i.sim_fault},
                    {"kind", to_string(i.kind)},
                    {"source", i.source},
                    {"subcloud", plan.subclouds[i.subcloud].name},
                    {"node", i.node.empty() ? json(nullptr) : json(i.node)},
                    {"at_s", core::to_seconds(i.at)},
                    {"until_s", i.until ? json(core::to_seconds(*i.until)) : json(nullptr)},
                    {"detected_by", o.detector},
                    {"detection_s", o.detection_s ? json(*o.detection_s) : json(nullptr)},
                    {"recovery_s", o.recovery_s ? json(*o.recovery_s) : json(nullptr)}});
  }
  json instances = {{"limit", options.instance_limit},
                    {"total", plan.instances.size()},
                    {"capped", plan.instances.size() > options.instance_limit},
                    {"rows", std::move(rows)}};

  // One pass in time order: alarms raised and cleared (a raise is a transition to active, a severity
  // change of an active alarm is not another raise), subclouds online and active alarms, sampled.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> by_id;  // raised, cleared
  std::set<std::pair<std::string, std::string>> active;                  // (alarm id, entity)
  std::set<std::string> online;
  const double step = plan.sample_s;
  const double duration_s = core::to_seconds(config.duration);
  const auto samples = static_cast<std::size_t>(std::floor(duration_s / step + 1e-9)) + 1;
  std::vector<std::uint64_t> online_series, alarm_series;
  online_series.reserve(samples);
  alarm_series.reserve(samples);
  auto raise = [&](std::string id, std::string entity) {
    if (active.emplace(id, std::move(entity)).second) ++by_id[id].first;
  };
  auto clear = [&](std::string id, std::string entity) {
    if (active.erase({id, std::move(entity)}) > 0) ++by_id[id].second;
  };
  auto sample_until = [&](double t) {  // every sample at or before t, taken before the record at t
    while (online_series.size() < samples && static_cast<double>(online_series.size()) * step < t) {
      online_series.push_back(online.size());
      alarm_series.push_back(active.size());
    }
  };
  for (const auto& r : trace) {
    const bool avail = r.event == kAvailability && r.node == plan.manager_node;
    const bool dc_alarm = r.event == kDcAlarm && r.node == plan.manager_node;
    if (!avail && !dc_alarm && r.event != kMtceAlarm) continue;
    sample_until(core::to_seconds(r.t));
    if (avail) {
      const auto* s = string_field(r.fields, "subcloud");
      const auto* a = string_field(r.fields, "availability");
      if (!s || !a) continue;
      if (*a == "online") online.insert(*s);
      else online.erase(*s);
      continue;
    }
    // dc.alarm {subcloud, alarm_id, entity, severity} (280.001, 280.002) and mtce.alarm {host, alarm_id,
    // severity}: severity "clear" clears.
    const auto* id = string_field(r.fields, "alarm_id");
    const auto* sev = string_field(r.fields, "severity");
    const auto* entity = string_field(r.fields, dc_alarm ? "entity" : "host");
    if (!id || !sev || !entity) continue;
    std::string key = dc_alarm ? *entity : "host=" + *entity;
    if (*sev == "clear") clear(*id, std::move(key));
    else raise(*id, std::move(key));
  }
  sample_until(duration_s + step);
  json alarms = json::object();
  for (const auto& [id, counts] : by_id) alarms[id] = {{"raised", counts.first}, {"cleared", counts.second}};

  json regions = json::array();
  {
    std::vector<std::size_t> per(plan.regions.size(), 0);
    for (const auto& s : plan.subclouds) ++per[s.region];
    for (std::size_t r = 0; r < plan.regions.size(); ++r) regions.push_back({{"name", plan.regions[r]}, {"subclouds", per[r]}});
  }
  const auto& st = result.stats;
  return {{"subclouds", plan.subclouds.size()},
          {"by_type",
           {{"simplex", plan.type_counts[0]}, {"duplex", plan.type_counts[1]}, {"standard", plan.type_counts[2]}}},
          {"regions", std::move(regions)},
          {"nodes", plan.node_count},
          {"manager", plan.manager_node},
          {"seed", plan.seed},
          {"audit", {{"interval_s", core::to_seconds(plan.audit_interval)},
                     {"timeout_s", core::to_seconds(plan.audit_timeout)},
                     {"offline_after", plan.offline_after}}},
          {"events", st.events()},
          {"trace_records", trace.size()},
          {"sim_s", st.sim_seconds},
          {"wall_s", st.wall_seconds},
          {"ratio", st.wall_seconds > 0 ? st.sim_seconds / st.wall_seconds : 0.0},
          {"events_per_s", st.wall_seconds > 0 ? static_cast<double>(st.events()) / st.wall_seconds : 0.0},
          {"peak_rss_mb", peak_rss_mb},
          {"fault_kinds", std::move(kinds)},
          {"instances", std::move(instances)},
          {"alarms", std::move(alarms)},
          {"series", {{"step_s", step}, {"online", online_series}, {"active_alarms", alarm_series}}}};
}

// ---- fleet checks ----------------------------------------------------------------------------------------

namespace {

constexpr std::array kCheckFields{FieldRule{"fault", kString | kInteger}, FieldRule{"kind", kString},
                                  FieldRule{"detected_within_s", kArray, true},
                                  FieldRule{"recovered_within_s", kArray}, FieldRule{"alarm", kString}};

// Raises (true) and clears (false) of one alarm id, by entity ("subcloud=S" from dc.alarm, "host=H" from
// mtce.alarm), in time order.
TraceIndex::Series<bool> alarm_series(const FleetPlan& plan, const std::vector<sim::TraceRecord>& trace,
                                      const std::string& alarm_id) {
  TraceIndex::Series<bool> out;
  for (const auto& r : trace) {
    const bool dc = r.event == kDcAlarm && r.node == plan.manager_node;
    if (!dc && r.event != kMtceAlarm) continue;
    const auto* id = string_field(r.fields, "alarm_id");
    const auto* sev = string_field(r.fields, "severity");
    const auto* entity = string_field(r.fields, dc ? "entity" : "host");
    if (!id || !sev || !entity || *id != alarm_id) continue;
    out[dc ? *entity : "host=" + *entity].emplace_back(r.t, *sev != "clear");
  }
  return out;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string number_text(double v) { return literal(json(v)); }

}  // namespace

std::shared_ptr<const FleetCheck> read_fleet_check(const json& j, const std::string& path, JsonChecker& check,
                                                   std::shared_ptr<const FleetPlan> plan) {
  if (!check.check_object(j, path, kCheckFields)) return nullptr;
  if (!plan) {
    check.error(path, "a fleet check needs a \"fleet\" in the scenario");
    return nullptr;
  }
  auto c = std::make_shared<FleetCheck>();
  c->plan = plan;
  auto window = [&](std::string_view key) -> std::optional<std::pair<double, double>> {
    const json* w = get_field(j, key);
    if (!w || !w->is_array()) return std::nullopt;
    if (w->size() != 2 || !(*w)[0].is_number() || !(*w)[1].is_number()) {
      check.error(child(path, key), "expected [lo, hi], two numbers of seconds");
      return std::nullopt;
    }
    const double lo = (*w)[0].get<double>(), hi = (*w)[1].get<double>();
    if (lo < 0 || lo > hi) {
      check.error(child(path, key), "needs 0 <= lo <= hi (got " + literal(*w) + ")");
      return std::nullopt;
    }
    return std::make_pair(lo, hi);
  };
  c->detected_within_s = window("detected_within_s");
  c->recovered_within_s = window("recovered_within_s");
  if (auto a = get_string(j, "alarm")) {
    c->alarm = *a;
    if (a->empty()) check.error(child(path, "alarm"), "must be an alarm id, e.g. \"280.001\"");
  }

  const json* fault = get_field(j, "fault");
  const auto kind = get_string(j, "kind");
  if ((fault != nullptr) == kind.has_value()) {
    check.error(path, "give \"fault\" (a fleet fault's label or its index in fleet.faults) or \"kind\", one of them");
    return nullptr;
  }
  if (kind) {
    const auto k = parse_fleet_fault_kind(*kind);
    if (!k) {
      std::vector<std::string> names;
      for (auto x : kFleetFaultKinds) names.emplace_back(to_string(x));
      check.error(child(path, "kind"), "unknown fleet fault kind " + json(*kind).dump() + did_you_mean(*kind, names));
      return nullptr;
    }
    for (std::size_t i = 0; i < plan->instances.size(); ++i)
      if (plan->instances[i].kind == *k) c->instances.push_back(i);
    c->selector = "every " + *kind + " fault";
  } else if (fault->is_number_integer()) {
    const std::string entry = "fleet.faults[" + fault->dump() + "]";
    for (std::size_t i = 0; i < plan->instances.size(); ++i)
      if (plan->instances[i].entry == entry) c->instances.push_back(i);
    if (c->instances.empty()) {
      check.error(child(path, "fault"), "no fleet fault with index " + fault->dump() + " (in fleet.faults)");
      return nullptr;
    }
    c->selector = entry;
  } else if (fault->is_string()) {
    const auto label = fault->get<std::string>();
    std::set<std::string> labels;
    for (std::size_t i = 0; i < plan->instances.size(); ++i) {
      labels.insert(plan->instances[i].source);
      if (plan->instances[i].source == label) c->instances.push_back(i);
    }
    if (c->instances.empty()) {
      const std::vector<std::string> known(labels.begin(), labels.end());
      check.error(child(path, "fault"), "no fleet fault labelled " + json(label).dump() + did_you_mean(label, known));
      return nullptr;
    }
    c->selector = "fault \"" + label + "\"";
  } else {
    return nullptr;
  }
  if (!c->detected_within_s) return nullptr;
  return c;
}

std::string describe_fleet_check(const FleetCheck& c) {
  std::string out = c.selector + " (" + std::to_string(c.instances.size()) +
                    (c.instances.size() == 1 ? " instance" : " instances") + "): each detected within [" +
                    number_text(c.detected_within_s->first) + ", " + number_text(c.detected_within_s->second) +
                    "] s of its start";
  if (c.recovered_within_s)
    out += " and back within [" + number_text(c.recovered_within_s->first) + ", " +
           number_text(c.recovered_within_s->second) + "] s of its end";
  if (!c.alarm.empty()) out += ", with alarm " + c.alarm + (c.recovered_within_s ? " raised and cleared" : " raised");
  return out;
}

ExpectationOutcome evaluate_fleet_check(const FleetCheck& c, const sim::SimConfig& config,
                                        const std::vector<sim::TraceRecord>& trace) {
  ExpectationOutcome o;
  o.window_from_s = 0;
  o.window_to_s = core::to_seconds(config.duration);
  const auto outcomes = fleet_outcomes(*c.plan, trace, core::TimePoint(config.duration));
  auto inside = [](const std::optional<double>& v, const std::optional<std::pair<double, double>>& w) {
    return v && *v >= w->first - 1e-9 && *v <= w->second + 1e-9;
  };
  // With "alarm": the instance's subcloud (or host, for host alarms) has it raised in the detection window
  // and cleared in the recovery window.
  TraceIndex::Series<bool> alarms;
  if (!c.alarm.empty()) alarms = alarm_series(*c.plan, trace, c.alarm);
  auto alarm_ok = [&](std::size_t k) {
    if (c.alarm.empty()) return true;
    const FleetFaultInstance& i = c.plan->instances[k];
    const std::string subject = c.alarm.rfind("280.", 0) == 0 || i.node.empty()
                                    ? "subcloud=" + c.plan->subclouds[i.subcloud].name
                                    : "host=" + i.node;
    const auto lo = [](core::TimePoint t, double s) { return t + core::from_seconds(s); };
    const auto raised = TraceIndex::first(alarms, subject, true, lo(i.at, c.detected_within_s->first),
                                          lo(i.at, c.detected_within_s->second) + core::Duration(1));
    if (!raised) return false;
    if (!c.recovered_within_s || !i.until) return true;
    return TraceIndex::first(alarms, subject, false, lo(*i.until, c.recovered_within_s->first),
                             lo(*i.until, c.recovered_within_s->second) + core::Duration(1))
        .has_value();
  };
  std::size_t with_alarm = 0;
  std::size_t detected = 0, in_window = 0, recovered = 0, recovered_in_window = 0;
  double det_lo = INFINITY, det_hi = -INFINITY, rec_lo = INFINITY, rec_hi = -INFINITY;
  std::optional<double> first;
  for (std::size_t k : c.instances) {
    const InstanceOutcome& x = outcomes[k];
    if (x.detection_s) {
      ++detected;
      det_lo = std::min(det_lo, *x.detection_s);
      det_hi = std::max(det_hi, *x.detection_s);
      const double t = core::to_seconds(c.plan->instances[k].at) + *x.detection_s;
      if (!first || t < *first) first = t;
    }
    const bool det_ok = inside(x.detection_s, c.detected_within_s) && alarm_ok(k);
    in_window += det_ok ? 1 : 0;
    with_alarm += !c.alarm.empty() && alarm_ok(k) ? 1 : 0;
    if (x.recovery_s) {
      ++recovered;
      rec_lo = std::min(rec_lo, *x.recovery_s);
      rec_hi = std::max(rec_hi, *x.recovery_s);
    }
    if (c.recovered_within_s && det_ok && inside(x.recovery_s, c.recovered_within_s)) ++recovered_in_window;
  }
  const std::size_t n = c.instances.size();
  o.count = c.recovered_within_s ? recovered_in_window : in_window;
  o.first_s = first;
  o.passed = n > 0 && in_window == n && (!c.recovered_within_s || recovered_in_window == n);
  o.observed = std::to_string(in_window) + "/" + std::to_string(n) + " detected in window";
  if (!c.alarm.empty()) o.observed += " (" + std::to_string(with_alarm) + "/" + std::to_string(n) + " with " + c.alarm + ")";
  if (detected > 0) o.observed += " (" + std::to_string(detected) + " detected, +" + seconds(det_lo) + " to +" + seconds(det_hi) + " s)";
  if (c.recovered_within_s) {
    o.observed += ", " + std::to_string(recovered_in_window) + "/" + std::to_string(n) + " back in window";
    if (recovered > 0) o.observed += " (+" + seconds(rec_lo) + " to +" + seconds(rec_hi) + " s after the end)";
  }
  return o;
}

}  // namespace roost::harness
