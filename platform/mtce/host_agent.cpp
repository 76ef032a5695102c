#include "platform/mtce/host_agent.h"

#include <stdexcept>

#include "platform/core/config_reader.h"
#include "platform/mtce/pulse.h"

namespace roost::mtce {

HostAgentConfig HostAgentConfig::from_json(const nlohmann::json& j) {
  core::ConfigReader r("host-agent config", j);
  HostAgentConfig c;
  c.controllers = r.strings("controllers", {});
  if (c.controllers.empty()) r.fail("controllers", "required: the controller nodes to report to");
  c.mtcalive_period = r.millis("mtcalive_period_ms", c.mtcalive_period, 100, 600000);
  nlohmann::json fm = r.has("fm_client") ? r.raw("fm_client") : nlohmann::json::object();
  if (!fm.is_object()) r.fail("fm_client", "must be an object");
  if (r.has("fm_node")) fm["fm_node"] = r.string("fm_node", "");
  if (fm.contains("fm_node")) c.fm = fm::FmClientConfig::from_json(fm);
  if (r.has("processes")) {
    try {
      c.processes = ProcessMonitorConfig::from_json(r.raw("processes"));
    } catch (const std::invalid_argument& e) {
      r.fail("processes", e.what());
    }
  }
  if (!c.processes.processes.empty() && !c.fm)
    r.fail("fm_node", "required when processes are monitored (200.006 goes to that FM node)");
  r.finish();
  return c;
}

HostAgent::HostAgent(core::Env& env, const core::NodeSpec& spec)
    : Node(env, spec), config_(HostAgentConfig::from_json(spec.config)) {
  answer_pulses(*this);
  on_call<GetInventory>([this](const core::Peer&, const GetInventory&, core::Responder<InventoryReply> reply) {
    InventoryReply r;
    auto m = this->env().hardware().machine_inventory();
    if (auto* inv = std::get_if<core::MachineInventory>(&m)) {
      r.ok = true;
      r.inventory = std::move(*inv);
    } else {
      r.error = std::get<std::string>(m);
    }
    reply(r);
  });
  on_call<HostCommand>([this](const core::Peer&, const HostCommand& m, core::Responder<HostCommandReply> reply) {
    on_command(m, std::move(reply));
  });
  if (config_.fm) fm_ = std::make_unique<fm::FmClient>(*this, *config_.fm);
  if (!config_.processes.processes.empty())
    pmon_ = std::make_unique<ProcessMonitor>(*this, config_.processes, *fm_, [this] { send_alive(); });
}

HostAgent::~HostAgent() = default;

void HostAgent::start() {
  boot_id_ = rng().next();
  if (boot_id_ == 0) boot_id_ = 1;  // 0 means "never heard" at the controller
  started_ = now();
  log().info("agent.started", {{"boot_id", std::to_string(boot_id_)},
                               {"processes", static_cast<std::int64_t>(config_.processes.processes.size())}});
  if (pmon_) pmon_->start();
  tick();
}

void HostAgent::tick() {
  send_alive();
  after(config_.mtcalive_period, [this] { tick(); });
}

void HostAgent::send_alive() {
  MtcAlive m;
  m.host = name();
  m.boot_id = boot_id_;
  m.seq = ++seq_;
  m.uptime_ms = static_cast<std::int64_t>(core::to_millis(now() - started_));
  m.process_impact = pmon_ ? pmon_->impact() : ProcessImpact::None;
  m.failed_processes = pmon_ ? pmon_->failed() : std::vector<std::string>{};
  m.goenabled = m.process_impact != ProcessImpact::Critical;
  for (const auto& c : config_.controllers) send(c, core::Network::Management, m);
}

void HostAgent::on_command(const HostCommand& m, core::Responder<HostCommandReply> reply) {
  if (m.kind != HostCommandKind::Reboot) return reply.fail("unknown host command " + std::to_string(int(m.kind)));
  if (rebooting_) return reply(HostCommandReply{true, "already rebooting"});
  rebooting_ = true;
  log().warn("agent.rebooting", {{"reason", m.reason}});
  reply(HostCommandReply{true, "rebooting"});
  // After the reply has left: the reboot takes the node down.
  after(core::milliseconds(50), [this, reason = m.reason] {
    if (!env().reboot(reason)) {
      rebooting_ = false;
      log().error("agent.reboot_failed", {{"reason", "this runtime cannot reboot the node"}});
    }
  });
}

}  // namespace roost::mtce
