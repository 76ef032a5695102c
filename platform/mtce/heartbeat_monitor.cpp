#include "platform/mtce/heartbeat_monitor.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace roost::mtce {

std::string_view to_string(HeartbeatHealth h) {
  switch (h) {
    case HeartbeatHealth::Ok: return "ok";
    case HeartbeatHealth::Minor: return "minor";
    case HeartbeatHealth::Degraded: return "degraded";
    case HeartbeatHealth::Failed: return "failed";
  }
  return "?";
}

namespace {

int positive_int(const nlohmann::json& j, const char* key, int fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_number_integer() || j[key].get<int>() < 1)
    throw std::invalid_argument(std::string("heartbeat config: '") + key + "' must be an integer >= 1");
  return j[key].get<int>();
}

std::vector<core::Network> network_list(const nlohmann::json& j, const char* key, std::vector<core::Network> fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_array()) throw std::invalid_argument(std::string("heartbeat config: '") + key + "' must be an array");
  std::vector<core::Network> out;
  for (const auto& n : j[key]) {
    auto net = n.is_string() ? core::parse_network(n.get<std::string>()) : std::nullopt;
    if (!net)
      throw std::invalid_argument(std::string("heartbeat config: '") + key +
                                  "' holds an unknown network (one of mgmt, cluster-host, oam, wan)");
    out.push_back(*net);
  }
  return out;
}

}  // namespace

HeartbeatConfig HeartbeatConfig::from_json(const nlohmann::json& j) {
  HeartbeatConfig c;
  if (!j.is_object()) throw std::invalid_argument("heartbeat config must be an object");
  if (j.contains("period_ms")) {
    if (!j["period_ms"].is_number() || j["period_ms"].get<double>() < 100 || j["period_ms"].get<double>() > 1000)
      throw std::invalid_argument("heartbeat config: 'period_ms' must be within [100, 1000]");
    c.period = core::from_seconds(j["period_ms"].get<double>() / 1000.0);
  }
  c.minor_threshold = positive_int(j, "minor_threshold", c.minor_threshold);
  c.degrade_threshold = positive_int(j, "degrade_threshold", c.degrade_threshold);
  c.fail_threshold = positive_int(j, "fail_threshold", c.fail_threshold);
  c.recover_pulses = positive_int(j, "recover_pulses", c.recover_pulses);
  c.mnfa_threshold = positive_int(j, "mnfa_threshold", c.mnfa_threshold);
  c.mnfa_period_multiplier = positive_int(j, "mnfa_period_multiplier", c.mnfa_period_multiplier);
  c.networks = network_list(j, "networks", c.networks);
  c.failing_networks = network_list(j, "failing_networks", c.failing_networks);
  if (!(c.minor_threshold <= c.degrade_threshold && c.degrade_threshold <= c.fail_threshold))
    throw std::invalid_argument("heartbeat config: thresholds must satisfy minor <= degrade <= fail");
  if (c.networks.empty()) throw std::invalid_argument("heartbeat config: 'networks' must not be empty");
  return c;
}

bool HeartbeatConfig::may_fail_host(core::Network n) const {
  return std::find(failing_networks.begin(), failing_networks.end(), n) != failing_networks.end();
}

HeartbeatMonitor::HeartbeatMonitor(core::Node& node, HeartbeatConfig config, Listener listener)
    : node_(node), config_(std::move(config)), listener_(std::move(listener)) {
  nets_ = config_.networks;
  std::sort(nets_.begin(), nets_.end());
  nets_.erase(std::unique(nets_.begin(), nets_.end()), nets_.end());
  mnfa_.assign(nets_.size(), false);
  node_.on<PulseReply>([this](const core::Peer& p, const PulseReply& r) { on_reply(p, r); });
}

HeartbeatMonitor::~HeartbeatMonitor() {
  if (timer_) node_.cancel(timer_);
}

void HeartbeatMonitor::start() {
  if (started_) return;
  started_ = true;
  tick();
}

std::vector<HeartbeatMonitor::Host>::const_iterator HeartbeatMonitor::lower_bound(std::string_view host) const {
  return std::lower_bound(hosts_.begin(), hosts_.end(), host,
                          [](const Host& h, std::string_view name) { return h.name < name; });
}

const HeartbeatMonitor::Host* HeartbeatMonitor::find_host(std::string_view host) const {
  auto it = lower_bound(host);
  return it != hosts_.end() && it->name == host ? &*it : nullptr;
}

HeartbeatMonitor::Host* HeartbeatMonitor::find_host(std::string_view host) {
  return const_cast<Host*>(std::as_const(*this).find_host(host));
}

std::size_t HeartbeatMonitor::net_index(core::Network net) const {
  return static_cast<std::size_t>(std::find(nets_.begin(), nets_.end(), net) - nets_.begin());
}

void HeartbeatMonitor::add_host(const std::string& host) {
  auto it = lower_bound(host);
  if (it != hosts_.end() && it->name == host) return;
  hosts_.insert(it, Host{host, std::vector<Path>(nets_.size())});
}

void HeartbeatMonitor::remove_host(const std::string& host) {
  if (auto it = lower_bound(host); it != hosts_.end() && it->name == host) hosts_.erase(it);
  for (core::Network net : config_.networks) update_mnfa(net_index(net));
}

HeartbeatHealth HeartbeatMonitor::health(const std::string& host, core::Network net) const {
  const Host* h = find_host(host);
  const std::size_t n = net_index(net);
  return h && n < nets_.size() ? h->paths[n].health : HeartbeatHealth::Ok;
}

HeartbeatHealth HeartbeatMonitor::health(const std::string& host) const {
  HeartbeatHealth worst = HeartbeatHealth::Ok;
  if (const Host* h = find_host(host))
    for (const Path& p : h->paths) worst = std::max(worst, p.health);
  return worst;
}

int HeartbeatMonitor::misses(const std::string& host, core::Network net) const {
  const Host* h = find_host(host);
  const std::size_t n = net_index(net);
  return h && n < nets_.size() ? h->paths[n].misses : 0;
}

bool HeartbeatMonitor::mnfa_active(core::Network net) const {
  const std::size_t n = net_index(net);
  return n < nets_.size() && mnfa_[n];
}

core::Duration HeartbeatMonitor::current_period() const {
  for (bool active : mnfa_)
    if (active) return config_.period * config_.mnfa_period_multiplier;
  return config_.period;
}

int HeartbeatMonitor::lost_hosts(std::size_t net_index) const {
  int n = 0;
  for (const Host& h : hosts_)
    if (h.paths[net_index].misses >= config_.degrade_threshold) ++n;
  return n;
}

void HeartbeatMonitor::tick() {
  ticking_ = true;
  // Count this round's misses everywhere first, then decide MNFA, then move health: so hosts that go
  // silent together are seen together before any of them can be failed.
  for (Host& h : hosts_)
    for (Path& p : h.paths)
      if (p.awaiting) {
        ++p.misses;
        p.good_streak = 0;
      }
  for (core::Network net : config_.networks) update_mnfa(net_index(net));
  for (Host& h : hosts_)
    for (std::size_t n = 0; n < nets_.size(); ++n) missed(h.name, nets_[n], h.paths[n]);

  ++seq_;
  for (Host& h : hosts_)
    for (std::size_t n = 0; n < nets_.size(); ++n) {
      h.paths[n].awaiting = true;
      node_.send(h.name, nets_[n], Pulse{seq_});
    }
  timer_ = node_.after(current_period(), [this] { tick(); });
  ticking_ = false;
  // The listener hears of this round's changes only now: it may add or remove hosts (a failed host
  // leaves the monitor), which must not happen while the loops above walk the hosts.
  auto changes = std::move(pending_);
  pending_.clear();
  for (const auto& c : changes)
    if (listener_.on_health) listener_.on_health(c);
}

void HeartbeatMonitor::missed(const std::string& host, core::Network net, Path& p) {
  HeartbeatHealth target = HeartbeatHealth::Ok;
  if (p.misses >= config_.minor_threshold) target = HeartbeatHealth::Minor;
  if (p.misses >= config_.degrade_threshold) target = HeartbeatHealth::Degraded;
  if (p.misses >= config_.fail_threshold && config_.may_fail_host(net) && !mnfa_active(net))
    target = HeartbeatHealth::Failed;
  if (target > p.health) set_health(host, net, p, target);  // silence only ever escalates
}

void HeartbeatMonitor::on_reply(const core::Peer& from, const PulseReply& r) {
  if (r.seq != seq_) return;  // a late answer to an older pulse is no sign of life now
  Host* h = find_host(from.node);
  const std::size_t n = net_index(from.network);
  if (!h || n >= nets_.size()) return;
  Path& p = h->paths[n];
  if (!p.awaiting) return;  // a duplicate
  p.awaiting = false;
  p.misses = 0;
  ++p.good_streak;
  if (p.health != HeartbeatHealth::Ok && p.good_streak >= config_.recover_pulses)
    set_health(h->name, from.network, p, HeartbeatHealth::Ok);
}

void HeartbeatMonitor::set_health(const std::string& host, core::Network net, Path& p, HeartbeatHealth h) {
  const HeartbeatChange change{host, net, p.health, h, p.misses};
  p.health = h;
  node_.log().info("hbs.health", {{"host", host},
                                  {"network", std::string(core::to_string(net))},
                                  {"from", std::string(to_string(change.from))},
                                  {"to", std::string(to_string(h))},
                                  {"misses", change.misses}});
  if (ticking_) return pending_.push_back(change);
  if (listener_.on_health) listener_.on_health(change);
}

void HeartbeatMonitor::update_mnfa(std::size_t net_index) {
  const int lost = lost_hosts(net_index);
  const bool now_active = lost >= config_.mnfa_threshold;
  if (now_active == mnfa_[net_index]) return;
  mnfa_[net_index] = now_active;
  const core::Network net = nets_[net_index];
  node_.log().info(now_active ? "hbs.mnfa_enter" : "hbs.mnfa_exit",
                   {{"network", std::string(core::to_string(net))}, {"lost_hosts", lost},
                    {"period_ms", core::to_millis(current_period())}});
  if (listener_.on_mnfa) listener_.on_mnfa({net, now_active, lost});
}

}  // namespace roost::mtce
