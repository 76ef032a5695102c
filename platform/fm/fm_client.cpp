#include "platform/fm/fm_client.h"

#include <stdexcept>

namespace roost::fm {
namespace {

std::uint64_t positive(const nlohmann::json& v, const std::string& key) {
  if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) throw std::invalid_argument(key + ": must be a positive integer");
  return v.get<std::uint64_t>();
}

}  // namespace

FmClientConfig FmClientConfig::from_json(const nlohmann::json& j) {
  FmClientConfig c;
  if (!j.is_object()) throw std::invalid_argument("the FM client's config must be an object with at least fm_node");
  for (const auto& [k, v] : j.items()) {
    if (k == "fm_node") {
      if (!v.is_string() || v.get<std::string>().empty()) throw std::invalid_argument("fm_node: must be a node name");
      c.fm_node = v.get<std::string>();
    } else if (k == "network") {
      const auto net = v.is_string() ? core::parse_network(v.get<std::string>()) : std::nullopt;
      if (!net) throw std::invalid_argument("network: must be one of mgmt, cluster-host, oam, wan");
      c.network = *net;
    } else if (k == "queue_capacity") {
      c.queue_capacity = positive(v, k);
    } else if (k == "retry_ms") {
      c.retry_interval = core::milliseconds(static_cast<std::int64_t>(positive(v, k)));
    } else if (k == "timeout_ms") {
      c.call_timeout = core::milliseconds(static_cast<std::int64_t>(positive(v, k)));
    } else if (k == "max_batch") {
      c.max_batch = positive(v, k);
    } else {
      throw std::invalid_argument(k + ": unknown key (expected fm_node, network, queue_capacity, retry_ms, timeout_ms, max_batch)");
    }
  }
  if (c.fm_node.empty()) throw std::invalid_argument("fm_node: required (the FM node's name)");
  return c;
}

FmClient::FmClient(core::Node& node, FmClientConfig config) : node_(node), config_(std::move(config)) {}

FmClient::~FmClient() { *alive_ = false; }

void FmClient::raise(Alarm alarm) {
  alarm.state = AlarmState::Set;
  Entry e;
  e.at = WireStamp{node_.now(), node_.env().wall_time_us()};
  if (alarm.timestamp_us == 0) alarm.timestamp_us = e.at.wall_us;
  e.alarm = std::move(alarm);
  push(std::move(e));
}

void FmClient::log(Alarm event) {
  if (event.state != AlarmState::Log) event.state = AlarmState::Msg;
  Entry e;
  e.at = WireStamp{node_.now(), node_.env().wall_time_us()};
  if (event.timestamp_us == 0) event.timestamp_us = e.at.wall_us;
  e.alarm = std::move(event);
  push(std::move(e));
}

void FmClient::clear(std::string alarm_id, std::string entity_instance_id) {
  Entry e;
  e.kind = Entry::Kind::Clear;
  e.alarm_id = std::move(alarm_id);
  e.entity = std::move(entity_instance_id);
  e.at = WireStamp{node_.now(), node_.env().wall_time_us()};
  push(std::move(e));
}

void FmClient::push(Entry e) {
  ++stats_.submitted;
  if (queue_.size() >= config_.queue_capacity) {
    // Drop the oldest change not in flight that is not a critical raise; failing that, the oldest not
    // in flight; failing that (everything is in flight), the new one.
    auto victim = queue_.end();
    for (auto it = queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_); it != queue_.end(); ++it)
      if (!(it->kind == Entry::Kind::Set && it->alarm.severity == Severity::Critical)) {
        victim = it;
        break;
      }
    if (victim == queue_.end() && in_flight_ < queue_.size()) victim = queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_);
    const Entry& d = victim == queue_.end() ? e : *victim;
    ++stats_.dropped;
    overflowed_ = true;
    node_.log().warn("fm_client.dropped",
                     {{"alarm_id", d.kind == Entry::Kind::Set ? d.alarm.alarm_id : d.alarm_id},
                      {"entity_instance_id", d.kind == Entry::Kind::Set ? d.alarm.entity_instance_id : d.entity},
                      {"change", d.kind == Entry::Kind::Set ? "set" : "clear"},
                      {"queue_capacity", config_.queue_capacity},
                      {"dropped_total", stats_.dropped}});
    if (victim == queue_.end()) return;
    queue_.erase(victim);
  }
  queue_.push_back(std::move(e));
  pump();
}

void FmClient::pump() {
  if (in_flight_ != 0 || retry_scheduled_ || queue_.empty()) return;
  std::weak_ptr<bool> alive = alive_;
  const Entry& head = queue_.front();
  if (head.kind == Entry::Kind::Clear) {
    in_flight_ = 1;
    ClearFault m{head.alarm_id, head.entity, head.at};
    node_.call<ClearFault>(config_.fm_node, config_.network, m, config_.call_timeout,
                           [this, alive](core::Result<FmReply> r) {
                             if (alive.expired()) return;
                             if (!r) return failed(1, r.failure().detail, false);
                             if (r->error_code != 0)
                               return failed(1, r->error, r->error_code == static_cast<std::uint8_t>(ErrorCode::InvalidArgument));
                             sent_ok(1);
                           });
    return;
  }
  SetFaults m;
  m.at = head.at;
  const std::size_t limit = single_ ? 1 : config_.max_batch;
  for (const auto& e : queue_) {
    if (e.kind != Entry::Kind::Set || m.alarms.size() >= limit) break;
    m.alarms.push_back(e.alarm);
  }
  in_flight_ = m.alarms.size();
  node_.call<SetFaults>(config_.fm_node, config_.network, m, config_.call_timeout,
                        [this, alive, n = in_flight_](core::Result<FmReply> r) {
                          if (alive.expired()) return;
                          if (!r) return failed(n, r.failure().detail, false);
                          if (r->error_code != 0)
                            return failed(n, r->error, r->error_code == static_cast<std::uint8_t>(ErrorCode::InvalidArgument));
                          sent_ok(n);
                        });
}

void FmClient::sent_ok(std::size_t n) {
  for (std::size_t i = 0; i < n && !queue_.empty(); ++i) queue_.pop_front();
  in_flight_ = 0;
  stats_.acknowledged += n;
  single_ = false;
  if (unreachable_logged_) {
    unreachable_logged_ = false;
    node_.log().info("fm_client.reachable", {{"fm_node", config_.fm_node}, {"queued", queue_.size()}});
  }
  if (overflowed_) raise_overflow_alarm();
  pump();
}

void FmClient::failed(std::size_t n, const std::string& why, bool permanent) {
  in_flight_ = 0;
  if (permanent) {
    if (n > 1) {  // one of the batch is bad: find it by sending them one at a time
      single_ = true;
      return pump();
    }
    const Entry& e = queue_.front();
    ++stats_.refused;
    node_.log().warn("fm_client.refused", {{"alarm_id", e.kind == Entry::Kind::Set ? e.alarm.alarm_id : e.alarm_id},
                                           {"entity_instance_id", e.kind == Entry::Kind::Set ? e.alarm.entity_instance_id : e.entity},
                                           {"error", why}});
    queue_.pop_front();
    return pump();
  }
  ++stats_.retries;
  if (!unreachable_logged_) {
    unreachable_logged_ = true;
    node_.log().warn("fm_client.unreachable", {{"fm_node", config_.fm_node}, {"error", why}, {"queued", queue_.size()}});
  }
  schedule_retry();
}

void FmClient::schedule_retry() {
  retry_scheduled_ = true;
  std::weak_ptr<bool> alive = alive_;
  node_.after(config_.retry_interval, [this, alive] {
    if (alive.expired()) return;
    retry_scheduled_ = false;
    pump();
  });
}

void FmClient::raise_overflow_alarm() {
  overflowed_ = false;
  Entry e;
  e.at = WireStamp{node_.now(), node_.env().wall_time_us()};
  e.alarm.alarm_id = "100.900";
  e.alarm.entity_type_id = "host";
  e.alarm.entity_instance_id = "host=" + node_.name() + ".fm-client=" + node_.name();
  e.alarm.severity = Severity::Major;
  e.alarm.reason_text = "FM client on " + node_.name() + " dropped " + std::to_string(stats_.dropped) +
                        " alarm changes while the fault manager was unreachable";
  e.alarm.timestamp_us = e.at.wall_us;
  node_.log().warn("fm_client.overflow_alarm", {{"dropped_total", stats_.dropped}});
  // Next to go, ahead of the backlog (it is about the backlog), past the capacity if need be.
  queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_), std::move(e));
  ++stats_.submitted;
}

}  // namespace roost::fm
