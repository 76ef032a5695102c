// Helpers shared by the FM tests: alarm builders, a store that fails on demand, temp directories.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "platform/fm/alarm_store.h"
#include "platform/fm/catalogue.h"
#include "platform/fm/fault_manager.h"
#include "platform/fm/memory_alarm_store.h"
#include "tests/support/temp_dir.h"

namespace roost::fm::testing {

inline Stamp at_second(int s) { return Stamp{core::at_seconds(s), 1'700'000'000'000'000LL + s * 1'000'000LL}; }

inline Alarm make_alarm(std::string alarm_id, std::string eid, Severity sev, std::string type = "host") {
  Alarm a;
  a.alarm_id = std::move(alarm_id);
  a.entity_instance_id = std::move(eid);
  a.entity_type_id = std::move(type);
  a.severity = sev;
  return a;
}

inline Alarm make_log(std::string alarm_id, std::string eid, Severity sev = Severity::Critical) {
  Alarm a = make_alarm(std::move(alarm_id), std::move(eid), sev);
  a.state = AlarmState::Msg;
  return a;
}

// A store that fails the next `fail_next` batches (and applies nothing of them), as a full disk
// would, and passes everything else to an in-memory store.
class FailingStore final : public AlarmStore {
 public:
  StoredState load() override { return inner.load(); }
  void submit(WriteBatch batch, CommitCallback done) override {
    if (fail_next > 0) {
      --fail_next;
      if (done) done(StoreStatus{false, "test.db: commit: database or disk is full"});
      return;
    }
    inner.submit(std::move(batch), std::move(done));
  }
  void submit_at(core::LogPosition at, WriteBatch batch, CapturedCallback done) override {
    if (fail_next > 0) {
      --fail_next;
      if (done) done(StoreStatus{false, "test.db: commit: database or disk is full"}, std::string());
      return;
    }
    inner.submit_at(at, std::move(batch), std::move(done));
  }
  // Replication passes straight through: only commits fail on demand.
  std::string_view replica_kind() const override { return inner.replica_kind(); }
  core::LogPosition position() override { return inner.position(); }
  void apply_changeset(core::LogPosition at, std::string changeset,
                       std::function<void(const core::ReplicaStatus&)> done) override {
    inner.apply_changeset(at, std::move(changeset), std::move(done));
  }
  Snapshot snapshot() override { return inner.snapshot(); }
  void install_snapshot(Snapshot snapshot, std::function<void(const core::ReplicaStatus&)> done) override {
    inner.install_snapshot(std::move(snapshot), std::move(done));
  }
  MemoryAlarmStore inner;
  int fail_next = 0;
};

using roost::testing::TempDir;  // tests/support/temp_dir.h

}  // namespace roost::fm::testing
