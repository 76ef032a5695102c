#include "harness/expectation.h"

#include <cstdio>

#include "harness/fault_kinds.h"
#include "harness/fleet.h"
#include "harness/json_check.h"

namespace roost::harness {

using nlohmann::json;

json to_json(const core::LogValue& v) {
  return std::visit([](const auto& x) { return json(x); }, v);
}

json to_json(const core::LogFields& fields) {
  json out = json::object();
  for (const auto& f : fields) out[f.key] = to_json(f.value);
  return out;
}

namespace {

// Numbers compare by value whatever their JSON representation (1 == 1.0); other types exactly.
bool same_value(const core::LogValue& actual, const json& wanted) {
  const json a = to_json(actual);
  if (a.is_number() && wanted.is_number()) return a.get<double>() == wanted.get<double>();
  return a == wanted;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string number_text(double v) { return literal(json(v)); }

}  // namespace

bool FieldMatcher::matches(const core::LogFields& fields) const {
  const core::LogValue* actual = nullptr;
  for (const auto& f : fields)
    if (f.key == key) actual = &f.value;  // the last one wins, as in the JSON rendering
  bool in_set = false;
  if (actual)
    for (const auto& v : values) in_set = in_set || same_value(*actual, v);
  // A record without the field is not equal to anything and not in any set, so NotIn selects it.
  return op == Op::NotIn ? !in_set : in_set;
}

bool Expectation::selects(const sim::TraceRecord& r) const {
  if (r.event != event) return false;
  if (node && r.node != *node) return false;
  for (const auto& m : fields)
    if (!m.matches(r.fields)) return false;
  return true;
}

std::string describe_count(const CountRange& c) {
  if (c.max && *c.max == c.min) return c.min == 0 ? "never" : "exactly " + std::to_string(c.min);
  if (!c.max) return "at least " + std::to_string(c.min);
  if (c.min == 0) return "at most " + std::to_string(*c.max);
  return "between " + std::to_string(c.min) + " and " + std::to_string(*c.max);
}

std::string describe_fault(const sim::FaultSpec& f) {
  std::string out(fault_kind_name(f.kind));
  if (!f.label.empty()) return out + " \"" + f.label + "\"";
  if (f.kind == sim::FaultKind::MessageLoss || f.kind == sim::FaultKind::MessageDelay)
    out += " " + number_text(f.fraction * 100) + "%";
  if (f.kind == sim::FaultKind::MessageDelay) out += " +" + number_text(core::to_millis(f.delay)) + " ms";
  for (const auto& n : f.nodes) out += " " + n;
  if (!f.site.empty()) out += " " + f.site;
  for (std::size_t g = 0; g < f.groups.size(); ++g) {
    if (g > 0) out += " |";
    for (const auto& n : f.groups[g]) out += " " + n;
  }
  if (f.network) out += " " + std::string(core::to_string(*f.network));
  if (f.kind == sim::FaultKind::ProcessKill) out += " " + f.process + (f.crash_loop ? " (crash loop)" : "");
  return out;
}

std::string describe(const Expectation& e, const std::vector<sim::FaultSpec>& faults) {
  if (e.fleet) return describe_fleet_check(*e.fleet);
  std::string out = e.event;
  if (e.node) out += " on " + *e.node;
  for (std::size_t i = 0; i < e.fields.size(); ++i) {
    const auto& m = e.fields[i];
    out += i == 0 ? " where " : ", ";
    if (m.op == FieldMatcher::Op::Equals) {
      out += m.key + "=" + (m.values[0].is_string() ? m.values[0].get<std::string>() : literal(m.values[0]));
    } else {
      out += m.key + (m.op == FieldMatcher::Op::In ? " in " : " not in ") + literal(json(m.values));
    }
  }
  out += ": " + describe_count(e.count);
  if (e.after_fault) {
    const std::string edge = e.from == FaultEdge::Start ? "start" : "end";
    if (e.within_s)
      out += ", within [" + number_text(e.within_s->first) + ", " + number_text(e.within_s->second) + "] s after the " +
             edge;
    else
      out += ", after the " + edge;
    out += " of fault " + std::to_string(*e.after_fault);
    if (*e.after_fault < faults.size()) out += " (" + describe_fault(faults[*e.after_fault]) + ")";
  }
  return out;
}

ExpectationOutcome evaluate(const Expectation& e, const sim::SimConfig& config,
                            const std::vector<sim::TraceRecord>& trace) {
  if (e.fleet) return evaluate_fleet_check(*e.fleet, config, trace);
  ExpectationOutcome o;
  core::TimePoint anchor{};
  core::TimePoint from{};
  core::TimePoint to = core::TimePoint(config.duration);
  if (e.after_fault && *e.after_fault < config.faults.size()) {
    const sim::FaultSpec& f = config.faults[*e.after_fault];
    anchor = e.from == FaultEdge::End && f.until ? *f.until : f.at;
    from = anchor;
    o.anchor_s = core::to_seconds(anchor);
  }
  if (e.within_s) {
    from = anchor + core::from_seconds(e.within_s->first);
    to = anchor + core::from_seconds(e.within_s->second);
  }
  o.window_from_s = core::to_seconds(from);
  o.window_to_s = core::to_seconds(to);

  for (const auto& r : trace) {
    if (r.t < anchor || !e.selects(r)) continue;
    if (!o.first_s) o.first_s = core::to_seconds(r.t);
    if (r.t >= from && r.t <= to) ++o.count;
  }
  if (o.first_s && o.anchor_s) o.first_delay_s = *o.first_s - *o.anchor_s;
  o.passed = e.count.contains(o.count);

  // What a reader needs to see why it passed or failed, in one line.
  o.observed = "count " + std::to_string(o.count);
  if (e.within_s) o.observed += " in window";
  if (o.first_delay_s) {
    o.observed += ", first at +" + seconds_text(*o.first_delay_s) + " s after " +
                  (e.from == FaultEdge::End ? "the end of fault " : "fault ") + std::to_string(*e.after_fault);
  } else if (o.first_s) {
    o.observed += ", first at t=" + seconds_text(*o.first_s) + " s";
  } else if (e.after_fault) {
    o.observed += ", none after fault " + std::to_string(*e.after_fault);
  }
  return o;
}

std::vector<ExpectationOutcome> evaluate_all(const std::vector<Expectation>& expectations, const sim::SimConfig& config,
                                             const std::vector<sim::TraceRecord>& trace) {
  std::vector<ExpectationOutcome> out;
  out.reserve(expectations.size());
  for (const auto& e : expectations) out.push_back(evaluate(e, config, trace));
  return out;
}

}  // namespace roost::harness
