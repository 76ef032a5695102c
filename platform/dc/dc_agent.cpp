#include "platform/dc/dc_agent.h"

#include <algorithm>
#include <stdexcept>

#include "platform/core/config_reader.h"
#include "platform/fm/messages.h"

namespace roost::dc {

namespace {

constexpr std::array<const char*, 3> kPhaseKeys{"install", "bootstrap", "config"};

std::size_t phase_index(DeployPhase p) { return static_cast<std::size_t>(p) - 1; }

PhaseModel read_phase(const nlohmann::json& j, const std::string& what, PhaseModel m) {
  core::ConfigReader r(what, j);
  m.min_s = r.number("min_s", m.min_s, 0, 30 * 86400);
  m.mode_s = r.number("mode_s", std::max(m.mode_s, m.min_s), 0, 30 * 86400);
  m.max_s = r.number("max_s", std::max(m.max_s, m.mode_s), 0, 30 * 86400);
  if (!(m.min_s <= m.mode_s && m.mode_s <= m.max_s)) r.fail("mode_s", "needs min_s <= mode_s <= max_s");
  m.failure_rate = r.number("failure_rate", m.failure_rate, 0, 1);
  r.finish();
  return m;
}

bool host_up(const HostStatus& h) { return h.availability == "available" || h.availability == "degraded"; }

}  // namespace

void SimulatedDeployPlugin::run(DeployPhase phase, std::function<void(bool, std::string, double)> done) {
  const PhaseModel& m = models_.at(phase_index(phase));
  const double duration = node_.rng().triangular(m.min_s, m.mode_s, m.max_s);
  const bool fails = node_.rng().chance(m.failure_rate);
  node_.after(core::from_seconds(duration), [done = std::move(done), fails, duration, phase] {
    if (fails) return done(false, std::string(kPhaseKeys[phase_index(phase)]) + " failed (simulated failure)", duration);
    done(true, "", duration);
  });
}

DcAgentConfig DcAgentConfig::from_json(const nlohmann::json& j) {
  core::ConfigReader r("dc-agent config", j);
  DcAgentConfig c;
  c.fm_node = r.string("fm_node", "");
  c.controller_node = r.string("controller_node", "");
  const auto net = r.string("network", "mgmt");
  const auto parsed = core::parse_network(net);
  if (!parsed) r.fail("network", "'" + net + "' is not one of mgmt, cluster-host, oam, wan");
  c.network = *parsed;
  c.cache_period = r.millis("cache_ms", c.cache_period, 10, 86400000);
  c.gather_timeout = r.millis("gather_timeout_ms", c.gather_timeout, 1, 600000);
  c.sync_delay = r.millis("sync_ms", c.sync_delay, 0, 86400000);
  if (r.has("deploy")) {
    const auto& d = r.raw("deploy");
    if (!d.is_object()) r.fail("deploy", "must be an object {install, bootstrap, config}");
    for (const auto& [k, v] : d.items()) {
      const auto it = std::find(kPhaseKeys.begin(), kPhaseKeys.end(), k);
      if (it == kPhaseKeys.end()) r.fail("deploy." + k, "unknown phase (install, bootstrap, config)");
      const auto i = static_cast<std::size_t>(it - kPhaseKeys.begin());
      c.deploy[i] = read_phase(v, "dc-agent config: deploy." + k, c.deploy[i]);
    }
  }
  r.finish();
  return c;
}

DcAgent::DcAgent(core::Env& env, const core::NodeSpec& spec) : Node(env, spec), config_(DcAgentConfig::from_json(spec.config)) {
  revisions_.fill(1);  // a deployed subcloud holds what the system controller started with
}

DcAgent::~DcAgent() = default;

void DcAgent::start() {
  instance_ = rng().next() | 1;  // never 0: the manager's "no agent seen yet"
  plugin_ = std::make_unique<SimulatedDeployPlugin>(*this, config_.deploy);

  on_call<AuditRequest>([this](const core::Peer&, const AuditRequest&, core::Responder<AuditReply> reply) {
    if (cache_valid_) return reply(answer());
    waiting_.push_back(std::move(reply));  // the first audit waits for the first gathering
    if (gathering_ == 0) refresh();
  });
  on_call<SyncRequest>([this](const core::Peer&, const SyncRequest& m, core::Responder<SyncReply> reply) {
    const auto i = endpoint_index(m.endpoint);
    if (!i) return reply.fail("unknown endpoint type '" + m.endpoint + "'");
    after(config_.sync_delay, [this, i = *i, m, reply]() mutable {
      revisions_[i] = m.revision;
      log().info("dc.agent_synced", {{"endpoint", m.endpoint}, {"revision", m.revision}});
      reply(SyncReply{m.endpoint, revisions_[i], instance_});
    });
  });
  on_call<DeployPhaseRequest>([this](const core::Peer&, const DeployPhaseRequest& m, core::Responder<DeployPhaseReply> reply) {
    if (deploying_) return reply.fail("a deploy phase is already running");
    if (m.phase < DeployPhase::Install || m.phase > DeployPhase::Config)
      return reply.fail("unknown deploy phase " + std::to_string(static_cast<int>(m.phase)));
    deploying_ = true;
    log().info("dc.agent_phase", {{"phase", kPhaseKeys[phase_index(m.phase)]}, {"state", "started"}});
    plugin_->run(m.phase, [this, reply, phase = m.phase](bool ok, std::string error, double duration) mutable {
      deploying_ = false;
      log().info("dc.agent_phase", {{"phase", kPhaseKeys[phase_index(phase)]}, {"state", ok ? "done" : "failed"},
                                    {"duration_s", duration}});
      reply(DeployPhaseReply{ok, std::move(error), duration});
    });
  });
  refresh();
}

// One refresh: ask the FM and the controller at once; the cache is replaced when both have answered (or failed).
void DcAgent::refresh() {
  if (gathering_ > 0) return;
  gathering_ = 1;  // held until both calls are made, so a synchronous failure cannot finish it early
  if (!config_.fm_node.empty()) {
    ++gathering_;
    call<fm::GetFaults>(config_.fm_node, config_.network, fm::GetFaults{}, config_.gather_timeout,
                        [this](core::Result<fm::GetFaults::Response> r) {
                          if (r && r->error_code == 0) {
                            AlarmSummary a;
                            for (const auto& alarm : r->alarms) {
                              switch (alarm.severity) {
                                case fm::Severity::Critical: ++a.critical; break;
                                case fm::Severity::Major: ++a.major; break;
                                case fm::Severity::Minor: ++a.minor; break;
                                case fm::Severity::Warning: ++a.warnings; break;
                                case fm::Severity::Clear: break;
                              }
                            }
                            alarms_ = a;
                            alarms_known_ = true;
                          } else {
                            log().debug("dc.agent_gather_failed", {{"from", config_.fm_node},
                                                                   {"error", r ? r->error : r.failure().detail}});
                          }
                          gathered();
                        });
  }
  if (!config_.controller_node.empty()) {
    ++gathering_;
    call<HostStatusRequest>(config_.controller_node, config_.network, HostStatusRequest{}, config_.gather_timeout,
                            [this](core::Result<HostStatusReply> r) {
                              if (r) {
                                hosts_ = r->hosts;
                                hosts_known_ = true;
                              } else {
                                // NoHandler: a controller that cannot say; keep what an earlier answer said otherwise.
                                if (r.failure().code == core::CallError::NoHandler) hosts_known_ = false;
                                log().debug("dc.agent_gather_failed", {{"from", config_.controller_node},
                                                                       {"error", r.failure().detail}});
                              }
                              gathered();
                            });
  }
  gathered();
}

void DcAgent::gathered() {
  if (--gathering_ > 0) return;
  cache_valid_ = true;
  cache_at_ = now();
  after(config_.cache_period, [this] { refresh(); });  // dcagent's period: the cache is at most this old
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& w : waiting) w(answer());
}

AuditReply DcAgent::answer() const {
  AuditReply r;
  r.alarms = alarms_;
  r.alarms_known = alarms_known_;
  r.agent_instance = instance_;
  r.cache_age_ms = static_cast<std::int64_t>(core::to_millis(now() - cache_at_));
  for (std::size_t i = 0; i < kEndpointCount; ++i) r.revisions[std::string(kEndpointTypes[i])] = revisions_[i];
  if (hosts_known_) {
    std::string down;
    bool controller_up = false, any_controller = false;
    for (const auto& h : hosts_) {
      r.hosts++;
      if (host_up(h)) r.hosts_available++;
      if (h.personality != "controller") continue;
      any_controller = true;
      if (host_up(h)) controller_up = true;
      else down += (down.empty() ? "" : ", ") + h.hostname + " " + h.availability;
    }
    if (any_controller && !controller_up) {
      r.availability = "offline";
      r.detail = "no controller is available (" + down + ")";
    }
  }
  return r;
}

}  // namespace roost::dc
