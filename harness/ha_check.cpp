#include "harness/ha_check.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "harness/fault_kinds.h"
#include "platform/sm/ha_probe.h"

namespace roost::harness {

std::string_view to_string(HaMode m) { return m == HaMode::Liveness ? "liveness" : "safety"; }

std::optional<HaMode> parse_ha_mode(std::string_view s) {
  if (s == "safety") return HaMode::Safety;
  if (s == "liveness") return HaMode::Liveness;
  return std::nullopt;
}

std::string_view to_string(HaVerdictState s) {
  switch (s) {
    case HaVerdictState::Pass: return "pass";
    case HaVerdictState::Fail: return "FAIL";
    case HaVerdictState::NotChecked: return "not checked";
  }
  return "?";
}

core::Duration safety_bound(const HaTimers& t) { return t.dead + t.fail_pending + 2 * t.hello; }
core::Duration liveness_bound(const HaTimers& t) { return t.initial_wait + t.dead + t.fail_pending + kLivenessSlack; }

std::vector<std::string> HaCoverage::items() const {
  std::vector<std::string> out;
  auto add = [&](std::string_view prefix, const std::set<std::string>& s) {
    for (const auto& v : s) out.push_back(std::string(prefix) + ":" + v);
  };
  add("rule", rules);
  add("decision", decisions);
  add("role", roles);
  add("interface", interface_statuses);
  add("sync", sync_states);
  add("swact", swact_phases);
  add("fault", fault_kinds);
  return out;
}

namespace {

using Ns = std::int64_t;
// Half-open spans of simulated time [first, second), in ns; a Spans is sorted, disjoint, non-empty spans.
using Span = std::pair<Ns, Ns>;
using Spans = std::vector<Span>;

Spans normalized(Spans s) {
  std::sort(s.begin(), s.end());
  Spans out;
  for (const auto& [a, b] : s) {
    if (b <= a) continue;
    if (!out.empty() && a <= out.back().second) out.back().second = std::max(out.back().second, b);
    else out.push_back({a, b});
  }
  return out;
}

Spans unite(Spans a, const Spans& b) {
  a.insert(a.end(), b.begin(), b.end());
  return normalized(std::move(a));
}

Spans intersect(const Spans& a, const Spans& b) {
  Spans out;
  std::size_t i = 0, k = 0;
  while (i < a.size() && k < b.size()) {
    const Ns lo = std::max(a[i].first, b[k].first), hi = std::min(a[i].second, b[k].second);
    if (lo < hi) out.push_back({lo, hi});
    (a[i].second < b[k].second ? i : k)++;
  }
  return out;
}

// [0, end) minus s.
Spans complement(const Spans& s, Ns end) {
  Spans out;
  Ns at = 0;
  for (const auto& [a, b] : s) {
    if (a > at) out.push_back({at, std::min(a, end)});
    at = std::max(at, b);
  }
  if (at < end) out.push_back({at, end});
  return normalized(std::move(out));
}

Spans minus(const Spans& a, const Spans& b, Ns end) { return intersect(a, complement(b, end)); }

Ns ns(core::TimePoint t) { return t.time_since_epoch().count(); }
Ns ns(core::Duration d) { return d.count(); }
core::TimePoint at_ns(Ns t) { return core::TimePoint(core::Duration(t)); }

std::string secs(Ns t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(t) / 1e9);
  return buf;
}
std::string millis(core::Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", core::to_millis(d));
  return buf;
}

const core::LogValue* field(const sim::TraceRecord& r, std::string_view key) {
  for (const auto& f : r.fields)
    if (f.key == key) return &f.value;
  return nullptr;
}
std::string text(const sim::TraceRecord& r, std::string_view key) {
  const auto* v = field(r, key);
  return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
}
std::optional<std::int64_t> integer(const sim::TraceRecord& r, std::string_view key) {
  const auto* v = field(r, key);
  if (!v) return std::nullopt;
  if (auto* i = std::get_if<std::int64_t>(v)) return *i;
  if (auto* d = std::get_if<double>(v)) return static_cast<std::int64_t>(*d);
  return std::nullopt;
}
bool flag(const sim::TraceRecord& r, std::string_view key) {
  const auto* v = field(r, key);
  return v && std::holds_alternative<bool>(*v) && std::get<bool>(*v);
}

bool listed(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

std::vector<const sim::SimNodeSpec*> nodes_of_role(const sim::SimConfig& c, std::string_view role) {
  std::vector<const sim::SimNodeSpec*> out;
  for (const auto& site : c.sites)
    for (const auto& n : site.nodes)
      if (n.node.role == role) out.push_back(&n);
  return out;
}

std::pair<const sim::SimNodeSpec*, const sim::SimNodeSpec*> controllers_of(const sim::SimConfig& c) {
  const auto list = nodes_of_role(c, kControllerRole);
  if (list.size() != 2)
    throw std::invalid_argument("HA check: the config has " + std::to_string(list.size()) + " node(s) of role \"" +
                                std::string(kControllerRole) + "\"; the checker judges exactly one pair");
  return {list[0], list[1]};
}

core::Duration config_ms(const sim::SimNodeSpec& n, const char* key, core::Duration fallback) {
  const auto& cfg = n.node.config;
  if (!cfg.is_object() || !cfg.contains(key)) return fallback;
  const auto& v = cfg.at(key);
  if (!v.is_number() || v.get<double>() < 0)
    throw std::invalid_argument("HA check: node '" + n.node.name + "': config " + key + " must be a number >= 0");
  return core::from_seconds(v.get<double>() / 1e3);
}

// The networks the controller sends hellos on: its config's "networks" (default mgmt, cluster-host, oam)
// that it is attached to.
std::vector<core::Network> hello_networks(const sim::SimNodeSpec& n) {
  std::vector<core::Network> configured{core::Network::Management, core::Network::ClusterHost, core::Network::Oam};
  const auto& cfg = n.node.config;
  if (cfg.is_object() && cfg.contains("networks") && cfg.at("networks").is_array()) {
    configured.clear();
    for (const auto& v : cfg.at("networks"))
      if (v.is_string())
        if (auto net = core::parse_network(v.get<std::string>())) configured.push_back(*net);
  }
  std::vector<core::Network> out;
  for (auto net : configured)
    if (std::find(n.networks.begin(), n.networks.end(), net) != n.networks.end()) out.push_back(net);
  return out;
}

// One controller through the run: when it is up, and the role it last logged.
struct Timeline {
  struct Change {
    Ns t = 0;
    bool up = true;
    std::string role;  // "" until it logs one (after a boot)
    std::string rule;
  };
  std::string name;
  std::vector<Change> changes;  // the first at t = 0

  bool active_at(std::size_t i) const { return changes[i].up && changes[i].role == "active"; }

  Spans spans(Ns end, bool want_active) const {
    Spans out;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const Ns from = changes[i].t, to = i + 1 < changes.size() ? changes[i + 1].t : end;
      const bool hit = want_active ? active_at(i) : !changes[i].up;
      if (hit) out.push_back({from, to});
    }
    return normalized(std::move(out));
  }
  Spans active(Ns end) const { return spans(end, true); }
  Spans down(Ns end) const { return spans(end, false); }

  // The index of the state in force at t (the last change at or before t).
  std::size_t state_at(Ns t) const {
    std::size_t i = 0;
    while (i + 1 < changes.size() && changes[i + 1].t <= t) ++i;
    return i;
  }

  // "controller-1 active since 20.000 s (peer-dead)": how the role in force at t (an active one) began.
  std::string since(Ns t) const {
    std::size_t i = state_at(t);
    while (i > 0 && active_at(i - 1)) --i;
    return name + " active since " + secs(changes[i].t) + " (" + changes[i].rule + ")";
  }
};

Timeline build_timeline(const sim::SimNodeSpec& node, const std::vector<sim::TraceRecord>& trace) {
  Timeline tl;
  tl.name = node.node.name;
  tl.changes.push_back({0, !node.start_down, "", ""});
  for (const auto& r : trace) {
    Timeline::Change c = tl.changes.back();
    c.t = ns(r.t);
    if (r.node == "sim" && (r.event == "node.down" || r.event == "node.up") && text(r, "node") == tl.name) {
      c.up = r.event == "node.up";
      c.role.clear();
      c.rule.clear();
    } else if (r.node == tl.name && r.event == "sm.role") {
      c.role = text(r, "role");
      c.rule = text(r, "rule");
    } else {
      continue;
    }
    tl.changes.push_back(std::move(c));
  }
  return tl;
}

Ns fault_end(const sim::FaultSpec& f, Ns end) { return f.until ? std::min(ns(*f.until), end) : end; }

bool touches(const sim::FaultSpec& f, const std::string& a, const std::string& b) {
  return f.nodes.empty() || listed(f.nodes, a) || listed(f.nodes, b);
}

bool separates(const sim::FaultSpec& f, const std::string& a, const std::string& b) {
  if (f.groups.size() != 2) return false;
  return (listed(f.groups[0], a) && listed(f.groups[1], b)) || (listed(f.groups[0], b) && listed(f.groups[1], a));
}

// A MessageDelay fault on the pair: while it lasts (and for its delay after, as late messages land),
// what each side hears of the other is up to `delay` old.
struct Staleness {
  Span when;
  core::Duration delay;
};

struct Paths {
  Spans works;                      // some network carries hellos both ways
  std::vector<Staleness> stale;
  std::vector<core::Network> networks;
  std::vector<Spans> broken;        // per entry of `networks`

  std::string working_at(Ns t) const {
    std::string out;
    for (std::size_t i = 0; i < networks.size(); ++i) {
      bool broken_now = false;
      for (const auto& [a, b] : broken[i]) broken_now = broken_now || (a <= t && t < b);
      if (!broken_now) out += (out.empty() ? "" : ", ") + std::string(core::to_string(networks[i]));
    }
    return out;
  }
};

Paths paths_between(const sim::SimConfig& config, const sim::SimNodeSpec& a, const sim::SimNodeSpec& b,
                    const Timeline& ta, const Timeline& tb) {
  const Ns end = ns(config.duration);
  const std::string& na = a.node.name;
  const std::string& nb = b.node.name;
  const Spans down = unite(ta.down(end), tb.down(end));
  Spans everywhere = down;  // breaks every network at once
  for (const auto& f : config.faults)
    if (f.kind == sim::FaultKind::Partition && separates(f, na, nb))
      everywhere = unite(everywhere, {{ns(f.at), fault_end(f, end)}});

  Paths p;
  const auto net_a = hello_networks(a), net_b = hello_networks(b);
  for (auto net : net_a)
    if (std::find(net_b.begin(), net_b.end(), net) != net_b.end()) p.networks.push_back(net);
  for (auto net : p.networks) {
    Spans broken = everywhere;
    for (const auto& f : config.faults) {
      const Span w{ns(f.at), fault_end(f, end)};
      const bool on_net = !f.network || *f.network == net;
      if (f.kind == sim::FaultKind::NetworkDown && on_net && touches(f, na, nb)) broken = unite(broken, {w});
      if (f.kind == sim::FaultKind::MessageLoss && on_net && touches(f, na, nb) && f.fraction >= kImpairingFraction)
        broken = unite(broken, {w});
    }
    p.broken.push_back(broken);
    p.works = unite(p.works, complement(broken, end));
  }
  for (const auto& f : config.faults)
    if (f.kind == sim::FaultKind::MessageDelay && touches(f, na, nb) && f.fraction >= kImpairingFraction)
      p.stale.push_back({{ns(f.at), std::min(end, fault_end(f, end) + ns(f.delay))}, f.delay});
  return p;
}

struct Checker {
  const sim::SimConfig& config;
  const std::vector<sim::TraceRecord>& trace;
  HaMode mode;
  HaReport report;
  Ns end = 0;
  const sim::SimNodeSpec* a = nullptr;
  const sim::SimNodeSpec* b = nullptr;
  Timeline ta, tb;
  Paths paths;

  void violation(std::string invariant, Ns t, std::string why) {
    report.violations.push_back({std::move(invariant), at_ns(t), std::move(why)});
  }
  HaInvariantVerdict verdict(std::string invariant, std::size_t violations_before, std::string note,
                             bool checked = true) {
    const bool failed = report.violations.size() > violations_before;
    return {std::move(invariant),
            failed ? HaVerdictState::Fail : checked ? HaVerdictState::Pass : HaVerdictState::NotChecked,
            std::move(note)};
  }

  void safety() {
    const std::size_t before = report.violations.size();
    const core::Duration bound = safety_bound(report.timers);
    const Spans both = intersect(ta.active(end), tb.active(end));
    const Spans judged = intersect(both, paths.works);
    for (const auto& [s, e] : judged) {
      core::Duration late{};
      for (const auto& st : paths.stale)
        if (st.when.first < e && s - ns(bound) < st.when.second) late = std::max(late, st.delay);
      const core::Duration allowed = bound + late;
      if (e - s <= ns(allowed)) continue;
      violation("safety", s + ns(allowed),
                ta.name + " and " + tb.name + " both active from " + secs(s) + " to " + secs(e) + " (" +
                    secs(e - s) + "; " + ta.since(s) + ", " + tb.since(s) + ") while a path between them worked (" +
                    paths.working_at(s) + " at " +
                    secs(s) + "); allowed " + millis(allowed) + " = dead " + millis(report.timers.dead) +
                    " + fail_pending " + millis(report.timers.fail_pending) + " + 2 x hello " +
                    millis(report.timers.hello) + (late.count() ? " + message delay " + millis(late) : ""));
    }
    Ns overlap = 0;
    for (const auto& [s, e] : both) overlap += e - s;
    report.verdicts.push_back(verdict("safety", before,
                                      "both active " + secs(overlap) + " in all, " +
                                          std::to_string(judged.size()) + " stretch(es) with a working path; bound " +
                                          millis(bound)));
  }

  // When the last fault's effect is over: a healed fault's end; a crash's restart after the boot time.
  Ns settled_at() const {
    auto boot = [&](const sim::FaultSpec& f) {
      core::Duration longest{};
      for (const auto& site : config.sites)
        for (const auto& n : site.nodes)
          if (f.nodes.empty() || listed(f.nodes, n.node.name)) longest = std::max(longest, n.boot_time);
      return ns(longest);
    };
    Ns settled = 0;
    for (std::size_t i = 0; i < config.faults.size(); ++i) {
      const auto& f = config.faults[i];
      const bool instant = f.kind == sim::FaultKind::HostRestart || (f.kind == sim::FaultKind::ProcessKill && !f.crash_loop);
      if (!instant && !f.until)
        throw std::invalid_argument("HA check: liveness mode needs every fault to heal, but fault " + std::to_string(i) +
                                    " (" + std::string(fault_kind_name(f.kind)) +
                                    (f.label.empty() ? "" : " \"" + f.label + "\"") + ") has no until");
      Ns t = instant ? ns(f.at) : ns(*f.until);
      if (f.kind == sim::FaultKind::HostCrash || f.kind == sim::FaultKind::HostRestart) t += boot(f);
      settled = std::max(settled, t);
    }
    for (const auto* probe : nodes_of_role(config, kProbeRole))
      for (const auto& s : sm::HaProbeConfig::from_json(probe->node.config).swacts) settled = std::max(settled, ns(s.at));
    return settled;
  }

  void liveness() {
    const std::size_t before = report.violations.size();
    if (mode != HaMode::Liveness) {
      report.verdicts.push_back(verdict("liveness", before, "safety mode: faults may last to the end", false));
      return;
    }
    const Ns settled = settled_at();
    const Ns deadline = settled + ns(liveness_bound(report.timers));
    if (deadline >= end) {
      report.verdicts.push_back(verdict("liveness", before,
                                        "the run ends at " + secs(end) + ", before the deadline " + secs(deadline) +
                                            " (faults settled at " + secs(settled) + ")",
                                        false));
      return;
    }
    const Spans x = ta.active(end), y = tb.active(end);
    const Spans one = unite(minus(x, y, end), minus(y, x, end));
    const Spans not_one = intersect(complement(one, end), {{deadline, end}});
    for (const auto& [s, e] : not_one) {
      const bool two = ta.active_at(ta.state_at(s)) && tb.active_at(tb.state_at(s));
      violation("liveness", s,
                std::string(two ? "both controllers" : "no controller") + " active from " + secs(s) + " to " +
                    secs(e) + (s == deadline ? " (still, at the deadline: faults settled at " + secs(settled) +
                                                   " + bound " + millis(liveness_bound(report.timers)) + ")"
                                             : " (after the deadline " + secs(deadline) + ")"));
    }
    report.verdicts.push_back(verdict("liveness", before,
                                      "exactly one active from " + secs(deadline) + " (faults settled at " +
                                          secs(settled) + " + " + millis(liveness_bound(report.timers)) + ") to the end"));
  }

  void durability() {
    const std::size_t before = report.violations.size();
    std::string note;
    bool checked = false;
    for (const auto* probe : nodes_of_role(config, kProbeRole)) {
      const auto cfg = sm::HaProbeConfig::from_json(probe->node.config);
      const std::string& name = probe->node.name;
      std::vector<const sim::TraceRecord*> verifies;
      for (const auto& r : trace)
        if (r.node == name && r.event == "probe.verify") verifies.push_back(&r);
      if (verifies.empty()) {
        if (!cfg.verify_at) {
          note += name + ": never verifies; ";
          continue;
        }
        // The probe's last attempt starts at most kVerifyWindow after verify_at and lasts at most a
        // write timeout; a run that ends before then cannot be judged.
        const Ns last_word = ns(*cfg.verify_at) + ns(sm::HaProbe::kVerifyWindow) + ns(cfg.write_timeout);
        if (last_word < end) {
          checked = true;
          violation("durability", last_word,
                    name + " never logged probe.verify (verify at " + secs(ns(*cfg.verify_at)) + ")");
          note += name + ": no verification; ";
        } else {
          note += name + ": the run ends before its verification is due; ";
        }
        continue;
      }
      checked = true;
      for (const auto* r : verifies) {
        const Ns t = ns(r->t);
        if (field(*r, "skipped")) {
          if (mode == HaMode::Liveness) {
            violation("durability", t,
                      name + " skipped its verification (" + text(*r, "skipped") + ": " + text(*r, "error") +
                          "): liveness mode needs an active to answer");
            note += name + " skipped at " + secs(t) + "; ";
          } else
            note += name + " skipped at " + secs(t) + " (" + text(*r, "skipped") + "); ";
          continue;
        }
        const auto missing = integer(*r, "missing").value_or(-1);
        const auto acked = integer(*r, "acked").value_or(-1);
        if (missing != 0) {
          violation("durability", t,
                    name + ": " + std::to_string(missing) + " of " + std::to_string(acked) +
                        " acknowledged writes missing from the active: " + text(*r, "missing_keys"));
          note += name + ": " + std::to_string(missing) + " of " + std::to_string(acked) + " acknowledged writes missing; ";
        } else {
          note += name + ": all " + std::to_string(acked) + " acknowledged writes present; ";
        }
      }
    }
    if (note.size() >= 2) note.resize(note.size() - 2);
    report.verdicts.push_back(verdict("durability", before, note.empty() ? "no ha-probe node" : note, checked));
  }

  const Timeline* timeline(const std::string& name) const {
    if (name == ta.name) return &ta;
    if (name == tb.name) return &tb;
    return nullptr;
  }

  // A swact is judged only if it ran undisturbed: no controller down, no broken or late path between them,
  // from the request until activity settled. A fault during a swact makes its takeover fail and roll back
  // after the takeover's own timeout; that is failover's business (safety, liveness), not the swact bound's.
  bool disturbed(Ns from, Ns to) const {
    const Spans window{{from, std::max(to, from + 1)}};
    Spans bad = complement(paths.works, end);
    for (const auto& st : paths.stale) bad = unite(bad, {st.when});
    return !intersect(bad, window).empty();
  }

  // The first time `tl` enters active in [from, end).
  static std::optional<Ns> enters_active(const Timeline& tl, Ns from) {
    for (std::size_t i = 1; i < tl.changes.size(); ++i)
      if (tl.changes[i].t >= from && !tl.active_at(i - 1) && tl.active_at(i)) return tl.changes[i].t;
    return std::nullopt;
  }

  void swacts() {
    const std::size_t before = report.violations.size();
    std::size_t judged = 0, refused = 0, excused = 0, rolled_back = 0;
    for (const auto* probe : nodes_of_role(config, kProbeRole)) {
      const std::string& name = probe->node.name;
      Ns started = 0;
      for (const auto& r : trace)
        if (r.node == name && r.event == "probe.started") started = ns(r.t);
      for (const auto& r : trace) {
        if (r.node != name || r.event != "probe.swact") continue;
        if (!flag(r, "ok")) {
          ++refused;
          continue;
        }
        // ok means the active accepted the swact and answered before letting go of the floating name the
        // request came through (platform/sm/service_manager.cpp): activity may still come back to it.
        const Ns replied = ns(r.t);
        const Ns asked = started + integer(r, "at_ms").value_or(0) * 1'000'000;
        const std::string to = text(r, "new_active");
        const Timeline* next = timeline(to);
        const std::string what = name + ": swact asked at " + secs(asked) + " (accepted at " + secs(replied) + ", -> " +
                                 to + ")";
        if (!next) {
          ++judged;
          violation("swact", replied, what + ": \"" + to + "\" is not one of the controllers");
          continue;
        }
        const Timeline& prev = next == &ta ? tb : ta;
        // The old active leaves active after the request, around its answer (it answers, then lets go).
        std::optional<Ns> left;
        for (std::size_t i = 1; i < prev.changes.size() && !left; ++i) {
          const auto& c = prev.changes[i];
          if (c.t >= asked && c.t <= replied + ns(kSwactGapBound) && prev.active_at(i - 1) && !prev.active_at(i))
            left = c.t;
        }
        const auto next_in = enters_active(*next, asked);
        const auto prev_back = left ? enters_active(prev, *left) : std::nullopt;
        std::optional<Ns> back;  // activity settles: the new active, or the old one again (rollback)
        for (const auto& t : {next_in, prev_back})
          if (t && (!back || *t < *back)) back = t;
        if (disturbed(asked, back.value_or(end))) {
          ++excused;
          continue;
        }
        ++judged;
        if (!left) {
          violation("swact", replied, what + ": " + prev.name + " never left active");
        } else if (next_in && *next_in < *left) {
          violation("swact", *next_in, what + ": " + next->name + " active at " + secs(*next_in) + ", " +
                                           secs(*left - *next_in) + " before " + prev.name + " left (make before break)");
        } else if (!back) {
          violation("swact", *left + ns(kSwactGapBound),
                    what + ": no controller active after " + prev.name + " left at " + secs(*left));
        } else {
          const bool rollback = back == prev_back && back != next_in;
          rolled_back += rollback ? 1 : 0;
          if (*back - *left > ns(kSwactGapBound))
            violation("swact", *left + ns(kSwactGapBound),
                      what + ": no active for " + secs(*back - *left) + " (" + secs(*left) + " to " + secs(*back) + ", " +
                          (rollback ? "rolled back to " + prev.name : "until " + next->name + " took over") +
                          "); allowed " + millis(kSwactGapBound));
        }
      }
    }
    report.verdicts.push_back(verdict("swact", before,
                                      std::to_string(judged) + " accepted swact(s) judged (" + std::to_string(rolled_back) +
                                          " rolled back), " + std::to_string(excused) + " excused by a fault, " +
                                          std::to_string(refused) + " refused or failed; gap bound " +
                                          millis(kSwactGapBound),
                                      judged > 0));
  }

  void coverage() {
    auto& c = report.coverage;
    for (const auto& r : trace) {
      if (r.node != ta.name && r.node != tb.name) continue;
      if (r.event == "sm.role") {
        if (auto rule = text(r, "rule"); !rule.empty()) c.rules.insert(rule);
        if (auto role = text(r, "role"); !role.empty()) c.roles.insert(role);
      } else if (r.event == "sm.decision") {
        if (auto rule = text(r, "rule"); !rule.empty()) c.decisions.insert(rule);
      } else if (r.event == "sm.interface") {
        if (auto s = text(r, "status"); !s.empty()) c.interface_statuses.insert(s);
      } else if (r.event == "sm.sync") {
        if (auto s = text(r, "state"); !s.empty()) c.sync_states.insert(s);
      } else if (r.event == "sm.swact") {
        if (auto s = text(r, "phase"); !s.empty()) c.swact_phases.insert(s);
      }
    }
    for (const auto& f : config.faults) c.fault_kinds.insert(std::string(fault_kind_name(f.kind)));
  }
};

}  // namespace

HaTimers ha_timers(const sim::SimConfig& config) {
  const auto [a, b] = controllers_of(config);
  HaTimers t;
  auto larger = [&](const char* key, core::Duration fallback) {
    return std::max(config_ms(*a, key, fallback), config_ms(*b, key, fallback));
  };
  t.hello = larger("hello_ms", t.hello);
  t.dead = larger("dead_ms", t.dead);
  t.fail_pending = larger("fail_pending_ms", t.fail_pending);
  t.initial_wait = larger("initial_wait_ms", t.initial_wait);
  return t;
}

HaReport check_ha(const sim::SimConfig& config, const std::vector<sim::TraceRecord>& trace, HaMode mode) {
  Checker c{config, trace, mode, {}, ns(config.duration)};
  std::tie(c.a, c.b) = controllers_of(config);
  c.report.mode = mode;
  c.report.timers = ha_timers(config);
  c.report.controllers = {c.a->node.name, c.b->node.name};
  c.ta = build_timeline(*c.a, trace);
  c.tb = build_timeline(*c.b, trace);
  c.paths = paths_between(config, *c.a, *c.b, c.ta, c.tb);
  c.safety();
  c.liveness();
  c.durability();
  c.swacts();
  c.coverage();
  std::stable_sort(c.report.violations.begin(), c.report.violations.end(),
                   [](const HaViolation& x, const HaViolation& y) { return x.at < y.at; });
  return std::move(c.report);
}

nlohmann::json to_json(const HaReport& r) {
  using nlohmann::json;
  json verdicts = json::array(), violations = json::array();
  for (const auto& v : r.verdicts)
    verdicts.push_back({{"invariant", v.invariant}, {"state", to_string(v.state)}, {"note", v.note}});
  for (const auto& v : r.violations)
    violations.push_back({{"invariant", v.invariant}, {"t", core::to_seconds(v.at)}, {"explanation", v.explanation}});
  return {{"mode", to_string(r.mode)},
          {"ok", r.ok()},
          {"controllers", r.controllers},
          {"timers_ms",
           {{"hello", core::to_millis(r.timers.hello)},
            {"dead", core::to_millis(r.timers.dead)},
            {"fail_pending", core::to_millis(r.timers.fail_pending)},
            {"initial_wait", core::to_millis(r.timers.initial_wait)}}},
          {"verdicts", verdicts},
          {"violations", violations},
          {"coverage", r.coverage.items()}};
}

std::string describe(const HaReport& r) {
  std::ostringstream out;
  for (const auto& v : r.verdicts) {
    char head[64];
    std::snprintf(head, sizeof head, "  %-11s %-12s ", v.invariant.c_str(), std::string(to_string(v.state)).c_str());
    out << head << v.note << "\n";
  }
  for (const auto& v : r.violations) {
    char t[32];
    std::snprintf(t, sizeof t, "%9.3f s", core::to_seconds(v.at));
    out << "  " << t << "  " << v.invariant << ": " << v.explanation << "\n";
  }
  return out.str();
}

}  // namespace roost::harness
