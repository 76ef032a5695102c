#include "platform/sm/replicated_alarm_store.h"

#include <stdexcept>

namespace roost::sm {

void ReplicatedAlarmStore::submit(fm::WriteBatch batch, fm::CommitCallback done) {
  auto shared = std::make_shared<fm::WriteBatch>(std::move(batch));
  replicator_.write(
      [local = local_, shared](core::LogPosition at, Replicator::Committed committed) {
        local->submit_at(at, std::move(*shared), [committed = std::move(committed)](const fm::StoreStatus& st, std::string changeset) {
          committed(st.ok, st.error, std::move(changeset));
        });
      },
      [done = std::move(done)](bool ok, const std::string& error) { done(fm::StoreStatus{ok, error}); });
}

void ReplicatedAlarmStore::submit_at(core::LogPosition, fm::WriteBatch, CapturedCallback) {
  throw std::logic_error("ReplicatedAlarmStore::submit_at: positions are the replicator's to give");
}

}  // namespace roost::sm
