#include "platform/sm/replicator.h"

#include <stdexcept>

namespace roost::sm {

std::string_view to_string(SyncState s) {
  switch (s) {
    case SyncState::Away: return "away";
    case SyncState::Resyncing: return "resyncing";
    case SyncState::InSync: return "in-sync";
    case SyncState::Degraded: return "degraded";
  }
  return "?";
}

Replicator::Replicator(core::Node& node, core::ReplicaStore& store, Config config, Hooks hooks)
    : node_(node), store_(store), config_(std::move(config)), hooks_(std::move(hooks)), applied_(store.position()) {
  node_.on_call<ReplicateChanges>([this](const core::Peer&, const ReplicateChanges& m, core::Responder<ReplicationAck> r) {
    on_changes(m, std::move(r));
  });
  node_.on_call<InstallSnapshot>([this](const core::Peer&, const InstallSnapshot& m, core::Responder<ReplicationAck> r) {
    on_snapshot(m, std::move(r));
  });
}

Replicator::~Replicator() {
  *alive_ = false;
  for (auto& [id, w] : drained_waiters_) node_.cancel(w.second);
}

// ---- active side ----------------------------------------------------------------------------------

void Replicator::activate(std::uint64_t term) {
  active_ = true;
  ++generation_;
  term_ = term;
  committed_ = last_ = log_base_ = store_.position();
  log_.clear();
  waiting_.clear();
  in_flight_ = false;
  failures_ = 0;
  acked_ = {};
  acked_valid_ = false;
  need_snapshot_ = false;
  // What we knew of the peer as a standby says nothing now: the controller tells us (peer_update).
  peer_pos_.reset();
  peer_present_ = false;
  sync_ = SyncState::Away;
  ++epoch_;
}

void Replicator::deactivate() {
  fenced_ = false;
  if (!active_) return;
  active_ = false;
  applied_ = committed_;
  ++generation_;
  log_.clear();
  waiting_.clear();  // dropped unanswered: their clients never saw an ack
  in_flight_ = false;
  auto waiters = std::move(drained_waiters_);
  drained_waiters_.clear();
  for (auto& [id, w] : waiters) {
    node_.cancel(w.second);
    w.first(false);
  }
}

void Replicator::write(std::function<void(core::LogPosition, Committed)> commit,
                       std::function<void(bool, const std::string&)> released) {
  if (!active_ || fenced_) {
    released(false, node_.name() + (fenced_ ? ": swact in progress" : " is not active"));
    return;
  }
  const core::LogPosition at{term_, last_.seq + 1};
  last_ = at;
  waiting_.push_back(Waiting{at.seq, std::move(released), false, {}});
  const auto gen = generation_;
  commit(at, [this, alive = std::weak_ptr<bool>(alive_), gen, at](bool ok, std::string error, std::string changeset) {
    if (alive.expired() || gen != generation_) return;
    for (auto& w : waiting_)
      if (w.seq == at.seq && !ok) w.failed = true, w.error = error;
    if (ok) {
      if (!log_.empty() && log_.back().at.seq + 1 != at.seq) need_snapshot_ = true;  // a failed commit left a gap
      committed_ = at;
      log_.push_back(Change{at, std::move(changeset)});
      if (log_.size() > config_.log_capacity) {
        log_base_ = log_.front().at;
        log_.pop_front();
      }
    } else {
      // The standby cannot get a change we never made: whatever it holds past the gap comes by snapshot.
      need_snapshot_ = true;
      node_.log().warn("sm.commit_failed", {{"store", config_.store}, {"seq", at.seq}, {"error", error}});
    }
    release();
    pump();
  });
}

void Replicator::peer_update(bool present, core::LogPosition position, bool peer_in_sync, std::uint64_t peer_epoch) {
  peer_present_ = present;
  peer_in_sync_ = peer_in_sync;
  peer_epoch_ = peer_epoch;
  if (present && !in_flight_ && !acked_valid_) peer_pos_ = position;
  if (!present) acked_valid_ = false;
  pump();
  release();
}

void Replicator::set_alone(bool alone) {
  if (alone_ == alone) return;
  alone_ = alone;
  pump();
  release();
}

bool Replicator::may_go_alone() const {
  if (alone_) return true;
  // The standby answered "not in sync" for the epoch we are in, and we are not in sync: it will not take over.
  return sync_ != SyncState::InSync && peer_present_ && !peer_in_sync_ && peer_epoch_ == epoch_;
}

void Replicator::set_sync(SyncState s) {
  if (s == sync_) return;
  const bool was_in_sync = sync_ == SyncState::InSync;
  sync_ = s;
  if (was_in_sync || s == SyncState::InSync) ++epoch_;
  node_.log().info("sm.sync", {{"state", std::string(to_string(s))}, {"peer", config_.peer}, {"seq", committed_.seq},
                               {"store", config_.store}});
  if (hooks_.on_sync) hooks_.on_sync(s);
}

void Replicator::pump() {
  if (!active_) return;
  const auto net = peer_present_ && hooks_.route ? hooks_.route() : std::nullopt;
  if (!net) {
    set_sync(alone_ ? SyncState::Degraded : SyncState::Away);
    return;
  }
  if (in_flight_) return;
  if (!peer_pos_) return;
  if (need_snapshot_ || *peer_pos_ > committed_) return send_snapshot(*net);
  if (*peer_pos_ == committed_) {
    acked_ = committed_;
    acked_valid_ = true;
    set_sync(SyncState::InSync);
    release();
    return;
  }
  // Behind: can the log take it from where it is?
  bool covered = *peer_pos_ == log_base_;
  if (!covered)
    for (const auto& c : log_)
      if (c.at == *peer_pos_) {
        covered = true;
        break;
      }
  if (sync_ == SyncState::InSync && failures_ == 0 && covered) {
    // In sync and simply behind by what we just wrote: keep streaming.
    return send_changes(*net);
  }
  set_sync(may_go_alone() ? SyncState::Degraded : SyncState::Resyncing);
  if (covered) send_changes(*net);
  else send_snapshot(*net);
}

void Replicator::send_changes(core::Network net) {
  auto req = ReplicateChanges{};
  req.store = config_.store;
  req.term = term_;
  std::uint64_t up_to = 0;
  for (const auto& c : log_) {
    if (c.at.seq <= peer_pos_->seq) continue;
    if (req.seqs.size() >= config_.max_batch) break;
    req.terms.push_back(c.at.term);
    req.seqs.push_back(c.at.seq);
    req.changesets.push_back(c.changeset);
    up_to = c.at.seq;
  }
  if (req.seqs.empty()) return;
  in_flight_ = true;
  const auto gen = generation_;
  node_.call<ReplicateChanges>(config_.peer, net, req, config_.timeout,
                               [this, alive = std::weak_ptr<bool>(alive_), gen, up_to](core::Result<ReplicationAck> r) {
                                 if (alive.expired() || gen != generation_) return;
                                 on_ack(r, up_to);
                               });
}

void Replicator::send_snapshot(core::Network net) {
  core::ReplicaStore::Snapshot snap;
  try {
    snap = store_.snapshot();
  } catch (const std::exception& e) {
    node_.log().error("sm.snapshot_failed", {{"store", config_.store}, {"error", e.what()}});
    return;
  }
  InstallSnapshot req;
  req.store = config_.store;
  req.term = term_;
  req.kind = std::string(store_.replica_kind());
  req.position_term = snap.position.term;
  req.position_seq = snap.position.seq;
  req.bytes = std::move(snap.bytes);
  in_flight_ = true;
  const auto gen = generation_;
  node_.log().info("sm.snapshot", {{"store", config_.store}, {"peer", config_.peer}, {"seq", snap.position.seq},
                                   {"bytes", req.bytes.size()}});
  node_.call<InstallSnapshot>(config_.peer, net, req, config_.timeout * 4,
                              [this, alive = std::weak_ptr<bool>(alive_), gen, seq = snap.position.seq](core::Result<ReplicationAck> r) {
                                if (alive.expired() || gen != generation_) return;
                                if (r && r->ok) need_snapshot_ = false;
                                on_ack(r, seq);
                              });
}

void Replicator::on_ack(const core::Result<ReplicationAck>& r, std::uint64_t) {
  in_flight_ = false;
  if (!r || (!r->ok && !r->need_snapshot)) {
    ++failures_;
    if (failures_ >= 2 && sync_ == SyncState::InSync) set_sync(may_go_alone() ? SyncState::Degraded : SyncState::Resyncing);
    // Retried at the next hello (peer_update) or write.
    return;
  }
  failures_ = 0;
  peer_pos_ = r->position;
  if (!r->ok) {
    need_snapshot_ = true;
    acked_valid_ = false;
  } else {
    acked_ = r->position;
    acked_valid_ = true;
  }
  release();
  pump();
}

void Replicator::release() {
  while (!waiting_.empty()) {
    auto& w = waiting_.front();
    if (w.failed) {
      auto fn = std::move(w.released);
      auto err = w.error;
      waiting_.pop_front();
      fn(false, err);
      continue;
    }
    if (w.seq > committed_.seq) break;  // not committed here yet
    const bool on_standby = acked_valid_ && acked_.seq >= w.seq;
    if (!on_standby && !may_go_alone()) break;
    auto fn = std::move(w.released);
    waiting_.pop_front();
    fn(true, {});
  }
  if (drained() && !drained_waiters_.empty()) {
    auto waiters = std::move(drained_waiters_);
    drained_waiters_.clear();
    for (auto& [id, w] : waiters) {
      node_.cancel(w.second);
      w.first(true);
    }
  }
}

bool Replicator::drained() const {
  return active_ && waiting_.empty() && !in_flight_ && sync_ == SyncState::InSync && acked_valid_ && acked_ == committed_;
}

void Replicator::when_drained(core::Duration timeout, std::function<void(bool)> fn) {
  if (drained()) return fn(true);
  const auto id = ++next_waiter_;
  const auto timer = node_.after(timeout, [this, id] {
    auto it = drained_waiters_.find(id);
    if (it == drained_waiters_.end()) return;
    auto f = std::move(it->second.first);
    drained_waiters_.erase(it);
    f(false);
  });
  drained_waiters_.emplace(id, std::make_pair(std::move(fn), timer));
  pump();
}

// ---- standby side ---------------------------------------------------------------------------------

ReplicationAck Replicator::ack(bool ok, std::string error, bool need_snapshot) {
  ReplicationAck a;
  a.ok = ok;
  a.error = std::move(error);
  a.need_snapshot = need_snapshot;
  a.position = applied_;
  return a;
}

void Replicator::on_changes(const ReplicateChanges& m, core::Responder<ReplicationAck> reply) {
  if (m.store != config_.store) return reply.fail("no replicated store " + m.store + " here");
  if (hooks_.active && hooks_.active()) return reply(ack(false, node_.name() + " is active"));
  if (hooks_.known_term && m.term < hooks_.known_term())
    return reply(ack(false, "term " + std::to_string(m.term) + " is older than " + std::to_string(hooks_.known_term())));
  if (applying_) return reply(ack(false, "busy applying"));
  if (m.seqs.size() != m.terms.size() || m.seqs.size() != m.changesets.size())
    return reply.fail("replicate_changes: terms, seqs and changesets differ in length");
  auto req = std::make_shared<ReplicateChanges>(m);
  applying_ = true;
  apply_next(req, 0, std::move(reply));
}

void Replicator::apply_next(std::shared_ptr<ReplicateChanges> m, std::size_t i, core::Responder<ReplicationAck> reply) {
  const auto pos = applied_;
  while (i < m->seqs.size() && m->seqs[i] <= pos.seq) {
    // Already here (a retried request). Only the entry at our very position can be checked for divergence.
    if (m->seqs[i] == pos.seq && m->terms[i] != pos.term) {
      applying_ = false;
      return reply(ack(false, "diverged at seq " + std::to_string(pos.seq), true));
    }
    ++i;
  }
  if (i == m->seqs.size()) {
    applying_ = false;
    return reply(ack(true));
  }
  if (m->seqs[i] != pos.seq + 1) {
    applying_ = false;
    return reply(ack(false, "gap: have " + std::to_string(pos.seq) + ", got " + std::to_string(m->seqs[i]), true));
  }
  const core::LogPosition at{m->terms[i], m->seqs[i]};
  store_.apply_changeset(at, m->changesets[i],
                         [this, alive = std::weak_ptr<bool>(alive_), m, i, reply](const core::ReplicaStatus& st) mutable {
                           if (alive.expired()) return;
                           if (!st.ok) {
                             applying_ = false;
                             node_.log().error("sm.apply_failed", {{"store", config_.store}, {"seq", m->seqs[i]}, {"error", st.error}});
                             return reply(ack(false, st.error, true));
                           }
                           applied_ = {m->terms[i], m->seqs[i]};
                           apply_next(m, i + 1, std::move(reply));
                         });
}

void Replicator::on_snapshot(const InstallSnapshot& m, core::Responder<ReplicationAck> reply) {
  if (m.store != config_.store) return reply.fail("no replicated store " + m.store + " here");
  if (hooks_.active && hooks_.active()) return reply(ack(false, node_.name() + " is active"));
  if (hooks_.known_term && m.term < hooks_.known_term())
    return reply(ack(false, "term " + std::to_string(m.term) + " is older than " + std::to_string(hooks_.known_term())));
  if (m.kind != store_.replica_kind())
    return reply(ack(false, "store kind " + m.kind + " cannot be installed on " + std::string(store_.replica_kind())));
  if (applying_) return reply(ack(false, "busy applying"));
  applying_ = true;
  core::ReplicaStore::Snapshot snap{{m.position_term, m.position_seq}, m.bytes};
  store_.install_snapshot(std::move(snap), [this, alive = std::weak_ptr<bool>(alive_), reply](const core::ReplicaStatus& st) mutable {
    if (alive.expired()) return;
    applying_ = false;
    if (!st.ok) node_.log().error("sm.install_failed", {{"store", config_.store}, {"error", st.error}});
    else applied_ = store_.position();
    reply(st.ok ? ack(true) : ack(false, st.error, true));
  });
}

}  // namespace roost::sm
