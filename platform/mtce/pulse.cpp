#include "platform/mtce/pulse.h"

#include <stdexcept>

namespace roost::mtce {

PulseConfig PulseConfig::from_json(const nlohmann::json& j) {
  PulseConfig c;
  if (!j.is_object()) throw std::invalid_argument("pulse config must be an object");
  if (!j.contains("hosts") || !j["hosts"].is_array()) throw std::invalid_argument("pulse config: 'hosts' must be an array of node names");
  for (const auto& h : j["hosts"]) {
    if (!h.is_string()) throw std::invalid_argument("pulse config: 'hosts' must hold strings");
    c.hosts.push_back(h.get<std::string>());
  }
  if (j.contains("period_ms")) {
    if (!j["period_ms"].is_number() || j["period_ms"].get<double>() <= 0)
      throw std::invalid_argument("pulse config: 'period_ms' must be a positive number");
    c.period = core::from_seconds(j["period_ms"].get<double>() / 1000.0);
  }
  if (j.contains("miss_threshold")) {
    if (!j["miss_threshold"].is_number_integer() || j["miss_threshold"].get<int>() < 1)
      throw std::invalid_argument("pulse config: 'miss_threshold' must be an integer >= 1");
    c.miss_threshold = j["miss_threshold"].get<int>();
  }
  if (j.contains("network")) {
    auto n = j["network"].is_string() ? core::parse_network(j["network"].get<std::string>()) : std::nullopt;
    if (!n) throw std::invalid_argument("pulse config: 'network' must be one of mgmt, cluster-host, oam, wan");
    c.network = *n;
  }
  return c;
}

PulseMonitor::PulseMonitor(core::Env& env, core::NodeSpec spec)
    : Node(env, std::move(spec)), config_(PulseConfig::from_json(this->spec().config)) {
  for (const auto& h : config_.hosts) hosts_[h].last_reply = now();
  on<PulseReply>([this](const core::Peer& p, const PulseReply& r) { on_reply(p, r); });
}

void PulseMonitor::start() {
  log().info("pulse.monitor_started", {{"hosts", config_.hosts.size()},
                                       {"period_ms", core::to_millis(config_.period)},
                                       {"miss_threshold", config_.miss_threshold},
                                       {"network", std::string(core::to_string(config_.network))}});
  tick();
}

void PulseMonitor::tick() {
  ++seq_;
  for (auto& [host, st] : hosts_) {
    if (st.awaiting) {
      ++st.misses;
      if (st.misses == config_.miss_threshold && !st.lost) {
        st.lost = true;
        log().info("pulse.host_lost", {{"host", host},
                                       {"misses", st.misses},
                                       {"silent_ms", core::to_millis(now() - st.last_reply)},
                                       {"network", std::string(core::to_string(config_.network))}});
      }
    }
    st.awaiting = true;
    send(host, config_.network, Pulse{seq_});
  }
  after(config_.period, [this] { tick(); });
}

void PulseMonitor::on_reply(const core::Peer& from, const PulseReply& r) {
  auto it = hosts_.find(from.node);
  if (it == hosts_.end() || r.seq != seq_) return;  // a stranger, or a late answer to an older pulse
  HostState& st = it->second;
  st.awaiting = false;
  st.misses = 0;
  st.last_reply = now();
  if (st.lost) {
    st.lost = false;
    log().info("pulse.host_recovered", {{"host", from.node}});
  }
}

void answer_pulses(core::Node& node) {
  node.on<Pulse>([&node](const core::Peer& p, const Pulse& m) { node.send(p.node, p.network, PulseReply{m.seq}); });
}

PulseResponder::PulseResponder(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
  answer_pulses(*this);
}

}  // namespace roost::mtce
