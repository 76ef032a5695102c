#include "platform/sm/witness.h"

#include <algorithm>
#include <chrono>

namespace roost::sm {

std::string_view to_string(Claim c) {
  switch (c) {
    case Claim::None: return "none";
    case Claim::GoingActive: return "going-active";
    case Claim::Active: return "active";
    case Claim::Alone: return "alone";
  }
  return "?";
}

namespace {
std::int64_t ms(core::Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }
}  // namespace

WitnessResponder::WitnessResponder(core::Node& node) : node_(node), started_(node.now()) {
  node_.on<WitnessPing>([this](const core::Peer& from, const WitnessPing& p) {
    const auto now = node_.now();
    auto& r = records_[p.from];
    r.heard = now;
    // Only a newer ping's claim counts: pings on different networks overtake each other.
    if (p.instance != r.instance || p.seq > r.seq) {
      r.instance = p.instance;
      r.seq = p.seq;
      r.term = p.term;
      r.claim = p.claim;
      if (p.claim == Claim::Alone) r.alone_since_active = true;
      if (p.claim == Claim::Active) r.alone_since_active = false;
    }
    WitnessPong pong;
    pong.witness = node_.name();
    pong.seq = p.seq;
    pong.uptime_ms = ms(now - started_);
    for (const auto& [c, rec] : records_) {
      pong.controllers.push_back(c);
      pong.heard_ms_ago.push_back(ms(now - rec.heard));
      pong.terms.push_back(rec.term);
      pong.claims.push_back(rec.claim);
      pong.alone_since_active.push_back(rec.alone_since_active ? 1 : 0);
    }
    node_.send(from.node, from.network, pong);
  });
}

WitnessTracker::WitnessTracker(core::Node& node, Config config)
    : node_(node), config_(std::move(config)), instance_(node.rng().next() | 1) {
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

void WitnessTracker::claim(std::uint64_t term, Claim c) {
  if (term == term_ && c == claim_) return;
  term_ = term;
  claim_ = c;
  claim_seq_ = seq_ + 1;
  for (auto& [w, s] : seen_) s.mine_recorded = false;
  if (timer_) ping();  // at once: a takeover waits on this
}

void WitnessTracker::tick() {
  ping();
  timer_ = node_.after(config_.period, [this] { tick(); });
}

void WitnessTracker::ping() {
  WitnessPing ping{config_.self, ++seq_, term_, claim_, instance_};
  for (const auto& w : config_.witnesses)
    for (core::Network n : config_.networks) node_.send(w, n, ping);
}

void WitnessTracker::on_pong(const core::Peer& from, const WitnessPong& p) {
  auto it = seen_.find(from.node);
  if (it == seen_.end() || p.witness != from.node) return;
  auto& s = it->second;
  const auto now = node_.now();
  s.any = now;
  s.on[from.network] = now;
  s.uptime_ms = p.uptime_ms;
  s.peer_heard_ms_ago.reset();
  s.peer_term = 0;
  s.peer_claim = Claim::None;
  s.peer_alone_since_active = false;
  s.self_alone_since_active = false;
  bool me_as_claimed = false;
  for (std::size_t i = 0; i < p.controllers.size(); ++i) {
    const std::uint64_t term = i < p.terms.size() ? p.terms[i] : 0;
    const Claim claim = i < p.claims.size() ? p.claims[i] : Claim::None;
    if (p.controllers[i] == config_.peer) {
      if (i < p.heard_ms_ago.size()) s.peer_heard_ms_ago = p.heard_ms_ago[i];
      s.peer_term = term;
      s.peer_claim = claim;
      s.peer_alone_since_active = i < p.alone_since_active.size() && p.alone_since_active[i] != 0;
    } else if (p.controllers[i] == config_.self) {
      me_as_claimed = term == term_ && claim == claim_;
      s.self_alone_since_active = claim == Claim::Alone || (i < p.alone_since_active.size() && p.alone_since_active[i] != 0);
    }
  }
  // The answer to a ping sent before the claim says nothing about whether the witness has it.
  if (p.seq >= claim_seq_) s.mine_recorded = me_as_claimed;
  if (on_update_) on_update_();
}

bool WitnessTracker::fresh(const Seen& s) const {
  return s.any && node_.now() - *s.any < config_.dead && s.uptime_ms >= ms(config_.dead);
}

std::size_t WitnessTracker::reached() const {
  return static_cast<std::size_t>(std::count_if(seen_.begin(), seen_.end(), [this](const auto& kv) { return fresh(kv.second); }));
}

bool WitnessTracker::reaches(const std::string& w) const {
  auto it = seen_.find(w);
  return it != seen_.end() && fresh(it->second);
}

bool WitnessTracker::reached_on(core::Network n) const {
  for (const auto& [w, s] : seen_)
    if (auto it = s.on.find(n); it != s.on.end() && node_.now() - it->second < config_.dead) return true;
  return false;
}

bool WitnessTracker::hears_peer(const std::string& w) const {
  auto it = seen_.find(w);
  if (it == seen_.end() || !fresh(it->second) || !it->second.peer_heard_ms_ago) return false;
  return *it->second.peer_heard_ms_ago < ms(config_.dead);
}

bool WitnessTracker::peer_down_proof() const {
  if (!quorum()) return false;
  for (const auto& [w, s] : seen_)
    if (fresh(s) && hears_peer(w)) return false;
  return true;
}

std::size_t WitnessTracker::peer_reach_estimate() const {
  std::size_t count = 0;
  for (const auto& [w, s] : seen_)
    if (!fresh(s) || hears_peer(w)) ++count;
  return count;
}

std::optional<bool> WitnessTracker::storage_hears_peer() const {
  if (config_.storage.empty() || !reaches(config_.storage)) return std::nullopt;
  return hears_peer(config_.storage);
}

bool WitnessTracker::claim_registered() const {
  std::size_t n = 0;
  for (const auto& [w, s] : seen_)
    if (fresh(s) && s.mine_recorded) ++n;
  return 2 * n > config_.witnesses.size();
}

bool WitnessTracker::peer_alone() const {
  return std::any_of(seen_.begin(), seen_.end(),
                     [this](const auto& kv) {
                       return fresh(kv.second) && (kv.second.peer_claim == Claim::Alone || kv.second.peer_alone_since_active);
                     });
}

bool WitnessTracker::self_alone() const {
  return std::any_of(seen_.begin(), seen_.end(),
                     [this](const auto& kv) { return fresh(kv.second) && kv.second.self_alone_since_active; });
}

bool WitnessTracker::peer_active_above(std::uint64_t term) const {
  return std::any_of(seen_.begin(), seen_.end(), [this, term](const auto& kv) {
    const auto& s = kv.second;
    return fresh(s) && s.peer_term > term && (s.peer_claim == Claim::GoingActive || s.peer_claim == Claim::Active || s.peer_claim == Claim::Alone);
  });
}

nlohmann::json WitnessTracker::to_json() const {
  auto out = nlohmann::json::array();
  for (const auto& [w, s] : seen_)
    out.push_back({{"name", w}, {"reached", fresh(s)}, {"hears_peer", hears_peer(w)}, {"storage", w == config_.storage},
                   {"peer_claim", std::string(to_string(s.peer_claim))}, {"peer_term", s.peer_term},
                   {"records_our_claim", s.mine_recorded}});
  return out;
}

}  // namespace roost::sm
