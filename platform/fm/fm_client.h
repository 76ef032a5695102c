// FmClient: how every service raises and clears alarms and writes customer logs. raise(), clear() and
// log() never block and never wait for the fault manager: each change goes into a bounded queue that
// one ordered in-flight window drains into the FM node (SetFaults / ClearFault calls), retried every
// `retry_interval` until the FM acknowledges it (acknowledged = durable there). Changes reach the FM in
// the order they were made (consecutive raises travel together in one SetFaults, all or nothing).
//
// While the FM is unreachable the queue holds up to `queue_capacity` changes; past that the oldest
// change that is not a critical raise is dropped (warn log "fm_client.dropped"), and once the FM
// answers again the client raises alarm 100.900 (host=<node>.fm-client=<node>) so operators know
// alarms were lost. A change the FM refuses (unknown alarm id, bad severity: it will never succeed) is
// dropped with a warn log "fm_client.refused" rather than retried forever.
//
// Lives inside a node (a member of it) and runs on the node's thread like everything else there.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/core/node.h"
#include "platform/fm/alarm.h"
#include "platform/fm/messages.h"

namespace roost::fm {

struct FmClientConfig {
  std::string fm_node;                                  // the FM node's name (required)
  core::Network network = core::Network::Management;
  std::size_t queue_capacity = 1000;                    // changes held while the FM is unreachable
  core::Duration retry_interval = core::milliseconds(200);
  core::Duration call_timeout = core::seconds(2);
  std::size_t max_batch = 64;                           // consecutive raises per SetFaults

  // Keys: fm_node, network, queue_capacity (>= 1), retry_ms, timeout_ms, max_batch (>= 1).
  // Throws std::invalid_argument naming the bad key.
  static FmClientConfig from_json(const nlohmann::json& j);
};

class FmClient {
 public:
  FmClient(core::Node& node, FmClientConfig config);
  ~FmClient();
  FmClient(const FmClient&) = delete;
  FmClient& operator=(const FmClient&) = delete;

  // Raises (or updates) an alarm. Unset timestamp_us is stamped now (the node's wall clock).
  void raise(Alarm alarm);
  // Clears `alarm_id` at or below `entity_instance_id` ("" alarm id: every alarm there).
  void clear(std::string alarm_id, std::string entity_instance_id);
  // Writes a customer log (state msg) to the event log.
  void log(Alarm event);

  struct Stats {
    std::uint64_t submitted = 0;     // raise/clear/log calls
    std::uint64_t acknowledged = 0;  // changes the FM made durable
    std::uint64_t dropped = 0;       // changes dropped because the queue was full
    std::uint64_t refused = 0;       // changes the FM refused (never retried)
    std::uint64_t retries = 0;       // failed attempts that were retried
  };
  const Stats& stats() const { return stats_; }
  std::size_t queued() const { return queue_.size(); }  // waiting or in flight
  bool idle() const { return queue_.empty(); }
  const FmClientConfig& config() const { return config_; }

 private:
  struct Entry {
    enum class Kind : std::uint8_t { Set, Clear } kind = Kind::Set;
    Alarm alarm;           // Set: the alarm or log
    std::string alarm_id;  // Clear
    std::string entity;    // Clear
    WireStamp at;
  };

  void push(Entry e);
  void pump();
  void sent_ok(std::size_t n);
  void failed(std::size_t n, const std::string& why, bool permanent);
  void schedule_retry();
  void raise_overflow_alarm();

  core::Node& node_;
  FmClientConfig config_;
  std::deque<Entry> queue_;
  std::size_t in_flight_ = 0;       // the first in_flight_ entries of queue_ are being sent
  bool retry_scheduled_ = false;
  bool single_ = false;             // a batch was refused: send one by one until the bad one is found
  bool overflowed_ = false;         // dropped changes since the FM last answered
  bool unreachable_logged_ = false;
  Stats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roost::fm
