// The in-memory store: what the simulation gives an FM node (the object outlives node crashes, like a
// disk) and what unit tests use. Every batch is "durable" the moment it is submitted.
#pragma once

#include <deque>
#include <map>

#include "platform/fm/alarm_store.h"

namespace roost::fm {

class MemoryAlarmStore final : public AlarmStore {
 public:
  StoredState load() override;
  void submit(WriteBatch batch, CommitCallback done) override;

  std::size_t batches() const { return batches_; }

 private:
  std::map<std::uint64_t, Alarm> alarms_;  // by id: load() returns them in id order
  std::deque<EventRecord> events_;
  std::map<std::string, SuppressionRow> suppressions_;
  std::size_t batches_ = 0;
};

}  // namespace roost::fm
