// The fault manager: StarlingX FM's logic without its I/O. It keeps the active alarms, the event log
// (a bounded ring) and the per-id suppression rows in memory, serves every read from there, and sends
// every change to an AlarmStore as one atomic batch per operation.
//
// Sans-I/O: no clock (each change carries a Stamp), no thread (one caller at a time: the node's
// thread), randomness only from the core::Rng it is given (uuids), no files (the catalogue is embedded,
// the store is an interface).
//
// Durability. Every mutating operation returns at once with what the manager now serves, and, when
// given an `ack`, calls it exactly once: with an error straight away if the request is invalid, or once
// the change and everything before it is durable in the store, or with ErrorCode::StoreFailed if the
// store could not commit it. After a store failure the manager reloads the store's committed state, so
// what it serves never runs ahead of the disk for long and nothing acknowledged is ever lost. A REST
// handler answers from `ack`; simulated nodes on a MemoryAlarmStore get `ack` before the call returns.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/rng.h"
#include "platform/fm/alarm.h"
#include "platform/fm/alarm_store.h"
#include "platform/fm/catalogue.h"
#include "platform/fm/outcome.h"
#include "platform/fm/query.h"
#include "platform/fm/views.h"

namespace roost::fm {

struct FmConfig {
  std::size_t event_log_max_size = 4000;  // StarlingX's event_log_max_size

  // Keys: event_log_max_size (integer >= 1). Throws std::invalid_argument naming the bad key.
  static FmConfig from_json(const nlohmann::json& j);
};

struct SetOptions {
  bool keep_existing = false;  // if the alarm (alarm_id + entity) is active, leave it and return its uuid
};

struct SetResult {
  enum class Action : std::uint8_t { Created, Updated, KeptExisting, Logged };
  std::string uuid;  // the alarm's uuid; for a log, the event row's uuid
  Action action = Action::Created;
  bool operator==(const SetResult&) const = default;
};
std::string_view to_string(SetResult::Action a);

struct ClearResult {
  std::vector<std::string> cleared;  // uuids of the alarms cleared, in (entity, alarm id) order
  bool operator==(const ClearResult&) const = default;
};

template <class T>
using Ack = std::function<void(const Outcome<T>&)>;

class FaultManager {
 public:
  // `catalogue`, `store` and `rng` must outlive the manager.
  FaultManager(const Catalogue& catalogue, AlarmStore& store, core::Rng& rng, FmConfig config = {});
  ~FaultManager();
  FaultManager(const FaultManager&) = delete;
  FaultManager& operator=(const FaultManager&) = delete;

  // Loads what the store holds and adds a suppression row for every catalogue alarm that has none.
  // Call once before anything else. Throws StoreError.
  void load();

  // --- changes -------------------------------------------------------------------------------
  // Raises or updates the alarm keyed by (alarm_id, entity_instance_id), or, for state msg/log, writes
  // a customer log to the event log only. Refused (InvalidArgument) when the id is not in the
  // catalogue, the severity is not one the catalogue allows, the state does not fit the entry's kind
  // (alarm: set; log: msg or log), an id is malformed, or the type / probable cause contradict the
  // catalogue. Unset fields are filled from the catalogue (see Alarm); every set and log writes an
  // event-log row, except a keep_existing set that found the alarm (nothing changed).
  Outcome<SetResult> set(Alarm alarm, const Stamp& at, SetOptions options = {}, Ack<SetResult> ack = {});
  // Several at once, all or nothing: one invalid alarm refuses the whole list; one store batch.
  Outcome<std::vector<SetResult>> set_list(std::vector<Alarm> alarms, const Stamp& at, SetOptions options = {},
                                           Ack<std::vector<SetResult>> ack = {});
  // Clears the alarms with `alarm_id` at or below `entity_prefix` (whole path segments). Clearing
  // nothing is not an error (raisers clear blindly).
  Outcome<ClearResult> clear(std::string_view alarm_id, std::string_view entity_prefix, const Stamp& at,
                             Ack<ClearResult> ack = {});
  // Clears every alarm at or below `entity_prefix` (StarlingX's hierarchical clear_all).
  Outcome<ClearResult> clear_all(std::string_view entity_prefix, const Stamp& at, Ack<ClearResult> ack = {});
  // Clears one alarm by uuid (REST DELETE /v1/alarms/{uuid}); NotFound if it is not active.
  Outcome<ClearResult> clear_uuid(std::string_view uuid, const Stamp& at, Ack<ClearResult> ack = {});
  // Suppresses or unsuppresses an alarm id; `id` is the alarm id or the suppression row's uuid.
  // Suppressing an id the catalogue marks not suppressible is refused.
  Outcome<SuppressionView> set_suppression(std::string_view id, bool suppressed, Ack<SuppressionView> ack = {});

  // --- reads (never touch the store) -----------------------------------------------------------
  // Any active alarm, masked or suppressed included (REST GET answers 404 for a masked one, as StarlingX).
  std::optional<AlarmView> find(std::string_view uuid) const;
  std::optional<AlarmView> find(std::string_view alarm_id, std::string_view entity_instance_id) const;
  // StarlingX's get_faults(entity) and get_faults_by_id: every matching active alarm, (entity, id) order.
  std::vector<AlarmView> find_by_entity(std::string_view entity_prefix) const;
  std::vector<AlarmView> find_by_id(std::string_view alarm_id) const;
  Outcome<AlarmPage> list(const AlarmQuery& query) const;
  AlarmSummary summary(bool include_suppress = false) const;

  Outcome<EventPage> events(const EventQuery& query) const;
  std::optional<EventView> find_event(std::string_view uuid) const;

  std::vector<SuppressionView> suppressions() const;  // by alarm id
  std::optional<SuppressionView> find_suppression(std::string_view id) const;  // alarm id or uuid

  const Catalogue& catalogue() const { return catalogue_; }
  const FmConfig& config() const { return config_; }
  std::size_t active_count() const { return alarms_.size(); }
  std::size_t event_count() const { return events_.size(); }

  struct Stats {
    std::uint64_t batches = 0;         // batches submitted to the store
    std::uint64_t store_failures = 0;  // batches the store could not commit
    std::uint64_t resyncs = 0;         // reloads of the committed state after a failure
  };
  const Stats& stats() const { return stats_; }

 private:
  using EntityKey = std::pair<std::string, std::string>;  // (entity_instance_id, alarm_id)

  Outcome<Alarm> prepare(Alarm in, const Stamp& at) const;
  SetResult apply_set(Alarm a, const Stamp& at, const SetOptions& options, WriteBatch& batch);
  ClearResult clear_matching(std::string_view entity_prefix, std::string_view alarm_id, const Stamp& at,
                             WriteBatch& batch);
  void remove_alarm(const std::string& uuid, const Stamp& at, WriteBatch& batch);
  void append_event(EventRecord e, WriteBatch& batch);
  EventRecord event_for(const Alarm& a, AlarmState state, std::int64_t wall_us, core::TimePoint time);
  void index_inhibitor(const Alarm& a, int delta);
  bool is_masked(const Alarm& a) const;
  bool is_suppressed(std::string_view alarm_id) const;
  AlarmView view(const Alarm& a) const;
  SuppressionView view(const SuppressionRow& r) const;
  const SuppressionRow* find_row(std::string_view id) const;
  void install(StoredState state);
  void resync();

  template <class T>
  void commit(WriteBatch batch, const T& result, Ack<T> ack);

  const Catalogue& catalogue_;
  AlarmStore& store_;
  core::Rng& rng_;
  FmConfig config_;

  std::unordered_map<std::string, Alarm> alarms_;             // by uuid
  std::map<std::uint64_t, const Alarm*> by_id_;               // id -> alarm in alarms_ (nodes are stable)
  std::map<EntityKey, std::string> by_entity_;                // (entity, alarm id) -> uuid; prefix scans
  std::map<std::string, int, std::less<>> inhibitors_;        // entity -> active inhibiting alarms there
  std::deque<EventRecord> events_;                            // oldest first, at most event_log_max_size
  std::map<std::string, SuppressionRow, std::less<>> suppressions_;  // by alarm id
  std::set<std::string, std::less<>> suppressed_ids_;          // usually empty: reads skip the lookup
  std::uint64_t next_alarm_id_ = 1;
  std::uint64_t next_event_id_ = 1;
  // Batches submitted so far, and how many of them the last reload already reflects: a failed commit
  // often fails many batches at once, and one reload covers them all.
  std::uint64_t submitted_batches_ = 0;
  std::uint64_t resynced_through_ = 0;
  Stats stats_;
  // Store completions may arrive after the manager is gone (a node crashed with writes in flight);
  // they hold a weak reference to this and do nothing then.
  std::shared_ptr<FaultManager*> alive_;
};

}  // namespace roost::fm
