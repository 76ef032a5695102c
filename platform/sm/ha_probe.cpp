#include "platform/sm/ha_probe.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "platform/core/config_reader.h"
#include "platform/fm/messages.h"
#include "platform/sm/messages.h"

namespace roost::sm {

namespace {

std::string describe(const core::CallFailure& f) {
  return std::string(core::to_string(f.code)) + (f.detail.empty() ? "" : ": " + f.detail);
}

}  // namespace

HaProbeConfig HaProbeConfig::from_json(const nlohmann::json& j) {
  core::ConfigReader r("ha-probe config", j);
  HaProbeConfig c;
  c.target = r.string("target", c.target);
  if (c.target.empty()) r.fail("target", "must name the node (or floating name) to write to");
  const std::string net = r.string("network", std::string(core::to_string(c.network)));
  if (auto n = core::parse_network(net)) c.network = *n;
  else r.fail("network", "unknown network \"" + net + "\" (mgmt, cluster-host, oam, wan)");
  c.write_period = r.millis("write_period_ms", c.write_period, 10, 600000);
  c.write_timeout = r.millis("write_timeout_ms", c.write_timeout, 10, 600000);
  c.alarm_id = r.string("alarm_id", c.alarm_id);
  if (c.alarm_id.empty()) r.fail("alarm_id", "must be a catalogue alarm id such as \"100.114\"");
  if (r.has("verify_at_ms")) c.verify_at = r.millis("verify_at_ms", {}, 0, 1e9);
  c.swact_timeout = r.millis("swact_timeout_ms", c.swact_timeout, 10, 600000);
  if (r.has("swacts")) {
    const auto& list = r.raw("swacts");
    if (!list.is_array()) r.fail("swacts", "must be an array of {\"at_ms\": ..., \"force\": ...}");
    for (std::size_t i = 0; i < list.size(); ++i) {
      core::ConfigReader s("ha-probe config: swacts[" + std::to_string(i) + "]", list[i]);
      if (!s.has("at_ms")) s.fail("at_ms", "required: when to ask for the swact (ms since the probe started)");
      ProbeSwact p;
      p.at = s.millis("at_ms", {}, 0, 1e9);
      p.force = s.boolean("force", false);
      s.finish();
      c.swacts.push_back(p);
    }
  }
  r.finish();
  return c;
}

HaProbe::HaProbe(core::Env& env, const core::NodeSpec& spec)
    : Node(env, spec), config_(HaProbeConfig::from_json(spec.config)) {}

void HaProbe::start() {
  started_ = now();
  log().info("probe.started", {{"target", config_.target},
                               {"alarm_id", config_.alarm_id},
                               {"swacts", static_cast<std::int64_t>(config_.swacts.size())}});
  after(config_.write_period, [this] { tick(); });
  for (const auto& s : config_.swacts) after(s.at, [this, s] { swact(s); });
  if (config_.verify_at) after(*config_.verify_at, [this] { begin_verify(); });
}

std::string HaProbe::key(std::uint64_t n) const { return "probe=" + name() + ".write=" + std::to_string(n); }

// A fixed cadence: a tick that finds the previous write still in flight skips its turn.
void HaProbe::tick() {
  if (stopped_) return;
  if (!in_flight_) write();
  after(config_.write_period, [this] { tick(); });
}

void HaProbe::write() {
  const std::uint64_t n = ++writes_;
  fm::Alarm a;
  a.alarm_id = config_.alarm_id;
  a.state = fm::AlarmState::Set;
  a.entity_type_id = "probe";
  a.entity_instance_id = key(n);
  a.severity = fm::Severity::Major;
  fm::SetFaults req;
  req.alarms.push_back(std::move(a));
  req.at = fm::WireStamp{now(), env().wall_time_us()};
  in_flight_ = true;
  call<fm::SetFaults>(config_.target, config_.network, req, config_.write_timeout,
                      [this, n](core::Result<fm::FmReply> r) {
                        in_flight_ = false;
                        const std::string k = key(n);
                        if (!r) {
                          log().info("probe.write_failed", {{"key", k}, {"error", describe(r.failure())}});
                        } else if (r->error_code != 0) {
                          log().info("probe.write_failed", {{"key", k}, {"error", "refused: " + r->error}});
                        } else {
                          acked_.push_back(k);
                          log().info("probe.ack", {{"key", k}, {"seq", n}});
                        }
                        if (verify_waiting_) {
                          verify_waiting_ = false;
                          verify_attempt();
                        }
                      });
}

// Writes stop first, so the set checked is exactly what was acknowledged before the question.
void HaProbe::begin_verify() {
  stopped_ = true;
  verify_started_ = now();
  if (in_flight_) {
    verify_waiting_ = true;
    return;
  }
  verify_attempt();
}

void HaProbe::verify_attempt() {
  fm::GetFaults req;
  req.alarm_id = config_.alarm_id;
  req.entity_instance_id = "probe=" + name();
  call<fm::GetFaults>(
      config_.target, config_.network, req, config_.write_timeout, [this](core::Result<fm::GetFaults::Response> r) {
        std::string error;
        if (!r) error = describe(r.failure());
        else if (r->error_code != 0) error = "refused: " + r->error;
        if (!error.empty()) {
          if (now() + kVerifyRetry - verify_started_ <= kVerifyWindow)
            return void(after(kVerifyRetry, [this] { verify_attempt(); }));
          verified_ = true;
          log().info("probe.verify", {{"skipped", "no active"},
                                      {"error", error},
                                      {"acked", static_cast<std::int64_t>(acked_.size())}});
          return;
        }
        std::set<std::string> present;
        for (const auto& a : r->alarms) present.insert(a.entity_instance_id);
        std::int64_t found = 0;
        std::vector<std::string> missing;
        for (const auto& k : acked_) {
          if (present.erase(k)) ++found;
          else missing.push_back(k);
        }
        std::string keys;
        for (std::size_t i = 0; i < missing.size() && i < kMaxMissingKeysLogged; ++i)
          keys += (keys.empty() ? "" : ",") + missing[i];
        if (missing.size() > kMaxMissingKeysLogged) keys += ",...";
        verified_ = true;
        // unacked_present: writes that timed out or failed on their way back yet were applied.
        log().info("probe.verify", {{"acked", static_cast<std::int64_t>(acked_.size())},
                                    {"present", found},
                                    {"missing", static_cast<std::int64_t>(missing.size())},
                                    {"missing_keys", keys},
                                    {"unacked_present", static_cast<std::int64_t>(present.size())}});
      });
}

void HaProbe::swact(const ProbeSwact& s) {
  SwactRequest req;
  req.force = s.force;
  const auto at_ms = static_cast<std::int64_t>(core::to_millis(s.at));
  call<SwactRequest>(config_.target, config_.network, req, config_.swact_timeout,
                     [this, force = s.force, at_ms](core::Result<SwactReply> r) {
                       if (!r) {
                         log().info("probe.swact", {{"ok", false},
                                                    {"error", describe(r.failure())},
                                                    {"new_active", ""},
                                                    {"force", force},
                                                    {"at_ms", at_ms}});
                         return;
                       }
                       log().info("probe.swact", {{"ok", r->ok},
                                                  {"error", r->error},
                                                  {"new_active", r->new_active},
                                                  {"force", force},
                                                  {"at_ms", at_ms}});
                     });
}

}  // namespace roost::sm
