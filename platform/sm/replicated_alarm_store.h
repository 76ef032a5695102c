// The alarm store the active controller's FM writes through: every batch takes the next replicated log
// position, is committed by the controller's own store (submit_at: its changeset comes back) and is
// acknowledged to FM (and so to FM's client) only when the Replicator releases it: once the standby holds
// it while the pair is in sync, or at once when the controller may go alone (replicator.h).
#pragma once

#include <memory>

#include "platform/fm/alarm_store.h"
#include "platform/sm/replicator.h"

namespace roost::sm {

class ReplicatedAlarmStore final : public fm::AlarmStore {
 public:
  ReplicatedAlarmStore(std::shared_ptr<fm::AlarmStore> local, Replicator& replicator)
      : local_(std::move(local)), replicator_(replicator) {}

  fm::StoredState load() override { return local_->load(); }
  void submit(fm::WriteBatch batch, fm::CommitCallback done) override;
  void submit_at(core::LogPosition, fm::WriteBatch, CapturedCallback) override;

  std::string_view replica_kind() const override { return local_->replica_kind(); }
  core::LogPosition position() override { return local_->position(); }
  void apply_changeset(core::LogPosition at, std::string changeset, std::function<void(const core::ReplicaStatus&)> done) override {
    local_->apply_changeset(at, std::move(changeset), std::move(done));
  }
  Snapshot snapshot() override { return local_->snapshot(); }
  void install_snapshot(Snapshot s, std::function<void(const core::ReplicaStatus&)> done) override {
    local_->install_snapshot(std::move(s), std::move(done));
  }

 private:
  std::shared_ptr<fm::AlarmStore> local_;
  Replicator& replicator_;
};

}  // namespace roost::sm
