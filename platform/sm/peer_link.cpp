#include "platform/sm/peer_link.h"

#include <algorithm>

namespace roost::sm {

namespace {
constexpr std::size_t kRetiredInstances = 16;
}

PeerLink::PeerLink(core::Node& node, PeerLinkConfig config, Listener listener)
    : node_(node), config_(std::move(config)), listener_(std::move(listener)) {
  node_.on<Hello>([this](const core::Peer& from, const Hello& h) { on_hello(from, h); });
}

PeerLink::~PeerLink() {
  if (timer_) node_.cancel(timer_);
  if (dead_timer_) node_.cancel(dead_timer_);
}

void PeerLink::arm_dead_check() {
  // One timer at the earliest moment a network that is up would go dead: loss is seen at dead_ms
  // exactly, not up to a hello period late.
  std::optional<core::TimePoint> earliest;
  for (core::Network n : config_.networks) {
    const auto& p = net(n);
    if (p.up && p.last && (!earliest || *p.last + config_.dead < *earliest)) earliest = *p.last + config_.dead;
  }
  if (earliest && dead_at_ && *dead_at_ == *earliest) return;
  if (dead_timer_) node_.cancel(dead_timer_);
  dead_timer_ = 0;
  dead_at_ = earliest;
  if (!earliest) return;
  dead_timer_ = node_.after(*earliest - node_.now(), [this] {
    dead_timer_ = 0;
    dead_at_.reset();
    check_dead();
    arm_dead_check();
  });
}

void PeerLink::start() {
  if (started_) return;
  started_ = true;
  // A fresh instance per incarnation: the peer retires our previous one and drops its replays.
  instance_ = node_.rng().next() | 1;
  tick();
}

std::string PeerLink::sign(const core::Crypto& crypto, const std::string& key, Hello h) {
  h.auth.clear();
  return crypto.hmac_sha512(key, core::encode(h));
}

void PeerLink::send_now() {
  if (!started_) return;
  Hello base = listener_.fill ? listener_.fill() : Hello{};
  base.from = node_.name();
  base.instance = instance_;
  base.networks_heard = networks_up_mask();
  base.round = ++round_;
  for (core::Network n : config_.networks) {
    Hello h = base;
    h.seq = net(n).next_seq++;
    if (auto k = config_.keys.find(n); k != config_.keys.end() && !k->second.empty())
      h.auth = sign(node_.env().crypto(), k->second, h);
    node_.send(config_.peer, n, h);
    ++counters_.sent;
  }
}

void PeerLink::tick() {
  check_dead();
  send_now();
  timer_ = node_.after(config_.hello, [this] { tick(); });
}

void PeerLink::check_dead() {
  const auto now = node_.now();
  for (core::Network n : config_.networks) {
    auto& p = net(n);
    if (p.up && (!p.last || now - *p.last >= config_.dead)) {
      p.up = false;
      node_.log().warn("sm.interface", {{"network", std::string(core::to_string(n))}, {"status", "lost"}, {"peer", config_.peer}});
      if (listener_.on_interface) listener_.on_interface(n, false);
    }
  }
}

void PeerLink::on_hello(const core::Peer& from, const Hello& h) {
  if (from.node != config_.peer || h.from != config_.peer) {
    ++counters_.foreign;
    return;
  }
  const core::Network n = from.network;
  if (std::find(config_.networks.begin(), config_.networks.end(), n) == config_.networks.end()) {
    ++counters_.foreign;
    return;
  }
  auto& p = net(n);
  if (auto k = config_.keys.find(n); k != config_.keys.end() && !k->second.empty()) {
    const auto& crypto = node_.env().crypto();
    if (h.auth.empty() || !crypto.equal(h.auth, sign(crypto, k->second, h))) {
      ++counters_.auth_failed;
      if (!p.warned_auth) {
        p.warned_auth = true;
        node_.log().warn("sm.auth_failed", {{"network", std::string(core::to_string(n))}, {"from", from.node}});
      }
      return;
    }
  }
  // Replay protection: retired instances never come back; within an instance, seqs only grow.
  const bool retired = std::find(retired_.begin(), retired_.end(), h.instance) != retired_.end();
  const bool stale = h.instance == p.peer_instance && h.seq <= p.peer_seq;
  if (retired || stale || h.instance == 0) {
    ++counters_.replayed;
    // A hello a few sequence numbers old is the network reordering two hellos sent close together (a
    // role change sends one at once): dropped all the same, but not worth a warning.
    const bool reordered = !retired && h.instance == p.peer_instance && h.seq + 8 > p.peer_seq;
    if (reordered) return;
    if (!p.warned_replay) {
      p.warned_replay = true;
      node_.log().warn("sm.replay", {{"network", std::string(core::to_string(n))}, {"from", from.node},
                                     {"instance", std::to_string(h.instance)}, {"seq", h.seq}});
    }
    return;
  }
  if (h.instance != p.peer_instance) {
    // A new incarnation of the peer: its previous instance is retired on every network at once.
    for (auto& other : nets_)
      if (other.peer_instance != 0 && other.peer_instance != h.instance &&
          std::find(retired_.begin(), retired_.end(), other.peer_instance) == retired_.end()) {
        retired_.push_back(other.peer_instance);
        if (retired_.size() > kRetiredInstances) retired_.pop_front();
      }
    for (core::Network m : config_.networks)
      if (net(m).peer_instance != h.instance) {
        net(m).peer_instance = h.instance;
        net(m).peer_seq = 0;
      }
  }
  p.peer_seq = h.seq;
  ++counters_.accepted;
  const auto now = node_.now();
  p.last = now;
  last_any_ = now;
  // The peer's state: from the newest round only (a late hello on a slow network carries an old one).
  if (!last_ || last_->instance != h.instance || h.round > last_->round) last_ = h;
  if (!p.up) {
    p.up = true;
    node_.log().info("sm.interface", {{"network", std::string(core::to_string(n))}, {"status", "ok"}, {"peer", config_.peer}});
    if (listener_.on_interface) listener_.on_interface(n, true);
  }
  arm_dead_check();
  if (listener_.on_hello) listener_.on_hello(h, n);
}

bool PeerLink::up(core::Network n) const { return net(n).up; }

bool PeerLink::any_up() const {
  return std::any_of(config_.networks.begin(), config_.networks.end(), [this](core::Network n) { return net(n).up; });
}

std::uint32_t PeerLink::networks_up_mask() const {
  std::uint32_t m = 0;
  for (core::Network n : config_.networks)
    if (net(n).up) m |= 1u << static_cast<unsigned>(n);
  return m;
}

}  // namespace roost::sm
