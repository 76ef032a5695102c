#include "platform/sm/witness.h"

#include <algorithm>
#include <chrono>

namespace roost::sm {

WitnessResponder::WitnessResponder(core::Node& node) : node_(node) {
  node_.on<WitnessPing>([this](const core::Peer& from, const WitnessPing& p) {
    const auto now = node_.now();
    heard_[p.from] = now;
    WitnessPong pong;
    pong.witness = node_.name();
    pong.seq = p.seq;
    for (const auto& [c, t] : heard_) {
      pong.controllers.push_back(c);
      pong.heard_ms_ago.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(now - t).count());
    }
    node_.send(from.node, from.network, pong);
  });
}

WitnessTracker::WitnessTracker(core::Node& node, Config config) : node_(node), config_(std::move(config)) {
  for (const auto& w : config_.witnesses) seen_[w];
  node_.on<WitnessPong>([this](const core::Peer& from, const WitnessPong& p) { on_pong(from, p); });
}

WitnessTracker::~WitnessTracker() {
  if (timer_) node_.cancel(timer_);
}

void WitnessTracker::start() {
  if (config_.witnesses.empty() || timer_) return;
  tick();
}

void WitnessTracker::tick() {
  WitnessPing ping{config_.self, ++seq_};
  for (const auto& w : config_.witnesses)
    for (core::Network n : config_.networks) node_.send(w, n, ping);
  timer_ = node_.after(config_.period, [this] { tick(); });
}

void WitnessTracker::on_pong(const core::Peer& from, const WitnessPong& p) {
  auto it = seen_.find(from.node);
  if (it == seen_.end() || p.witness != from.node) return;
  auto& s = it->second;
  const auto now = node_.now();
  s.any = now;
  s.on[from.network] = now;
  s.answered_at = now;
  s.peer_heard_ms_ago.reset();
  for (std::size_t i = 0; i < p.controllers.size() && i < p.heard_ms_ago.size(); ++i)
    if (p.controllers[i] == config_.peer) s.peer_heard_ms_ago = p.heard_ms_ago[i];
  if (on_update_) on_update_();
}

bool WitnessTracker::fresh(const std::optional<core::TimePoint>& t) const {
  return t && node_.now() - *t < config_.dead;
}

std::size_t WitnessTracker::reached() const {
  return static_cast<std::size_t>(std::count_if(seen_.begin(), seen_.end(), [this](const auto& kv) { return fresh(kv.second.any); }));
}

bool WitnessTracker::reaches(const std::string& w) const {
  auto it = seen_.find(w);
  return it != seen_.end() && fresh(it->second.any);
}

bool WitnessTracker::reached_on(core::Network n) const {
  for (const auto& [w, s] : seen_)
    if (auto it = s.on.find(n); it != s.on.end() && fresh(it->second)) return true;
  return false;
}

bool WitnessTracker::hears_peer(const std::string& w) const {
  auto it = seen_.find(w);
  if (it == seen_.end() || !fresh(it->second.any) || !it->second.peer_heard_ms_ago) return false;
  const auto dead_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.dead).count();
  return *it->second.peer_heard_ms_ago < dead_ms;
}

bool WitnessTracker::peer_down_proof() const {
  if (config_.witnesses.empty()) return false;
  const std::size_t n = reached();
  if (2 * n <= config_.witnesses.size()) return false;
  for (const auto& [w, s] : seen_)
    if (fresh(s.any) && hears_peer(w)) return false;
  return true;
}

std::size_t WitnessTracker::peer_reach_estimate() const {
  std::size_t count = 0;
  for (const auto& [w, s] : seen_)
    if (!fresh(s.any) || hears_peer(w)) ++count;
  return count;
}

std::optional<bool> WitnessTracker::storage_hears_peer() const {
  if (config_.storage.empty() || !reaches(config_.storage)) return std::nullopt;
  return hears_peer(config_.storage);
}

nlohmann::json WitnessTracker::to_json() const {
  auto out = nlohmann::json::array();
  for (const auto& [w, s] : seen_)
    out.push_back({{"name", w}, {"reached", fresh(s.any)}, {"hears_peer", hears_peer(w)}, {"storage", w == config_.storage}});
  return out;
}

}  // namespace roost::sm
