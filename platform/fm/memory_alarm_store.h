// The in-memory store: what the simulation gives an FM node (the object outlives node crashes, like a
// disk) and what unit tests use. Every batch is "durable" the moment it is submitted.
//
// Replication (core/replica.h), kind "fm/memory": a changeset is the committed WriteBatch itself,
// encoded (fm/store_codec.h: sealed, so a damaged one is refused rather than applied differently); a
// snapshot is the whole StoredState with the position. Every callback runs before its call returns.
// Positions: submit() leaves the position as it is; submit_at, apply_changeset and install_snapshot set
// it. submit_at and apply_changeset refuse a position not above the current one (nothing is applied):
// replaying a change twice would append its events twice.
#pragma once

#include <deque>
#include <map>

#include "platform/fm/alarm_store.h"

namespace roost::fm {

class MemoryAlarmStore final : public AlarmStore {
 public:
  static constexpr std::string_view kReplicaKind = "fm/memory";

  StoredState load() override;
  void submit(WriteBatch batch, CommitCallback done) override;
  void submit_at(core::LogPosition at, WriteBatch batch, CapturedCallback done) override;

  std::string_view replica_kind() const override { return kReplicaKind; }
  core::LogPosition position() override { return position_; }
  void apply_changeset(core::LogPosition at, std::string changeset,
                       std::function<void(const core::ReplicaStatus&)> done) override;
  Snapshot snapshot() override;
  void install_snapshot(Snapshot snapshot, std::function<void(const core::ReplicaStatus&)> done) override;

  // Batches committed (submit, submit_at, applied changesets).
  std::size_t batches() const { return batches_; }

 private:
  void commit(WriteBatch&& batch);

  std::map<std::uint64_t, Alarm> alarms_;  // by id: load() returns them in id order
  std::deque<EventRecord> events_;
  std::map<std::string, SuppressionRow> suppressions_;
  core::LogPosition position_;
  std::size_t batches_ = 0;
};

}  // namespace roost::fm
