// FM requests between nodes (type ids 0x01xx): what an FM client on any node sends the fault manager's
// node. Each request carries the sender's Stamp, as platform code has no wall clock to stamp it with.
// Replies carry the outcome: error_code 0 for success, else an ErrorCode and its message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/core/codec.h"
#include "platform/fm/alarm.h"
#include "platform/fm/outcome.h"

namespace roost::fm {

// A Stamp on the wire (visit() needs a plain struct).
struct WireStamp {
  core::TimePoint time{};
  std::int64_t wall_us = 0;
  template <class V>
  void visit(V& v) { v("time", time); v("wall_us", wall_us); }
  Stamp stamp() const { return Stamp{time, wall_us}; }
  static WireStamp of(const Stamp& s) { return WireStamp{s.time, s.wall_us}; }
};

struct FmReply {
  static constexpr core::MessageTypeId kType = 0x0100;
  static constexpr std::string_view kName = "fm.reply";
  std::uint8_t error_code = 0;       // 0: ok; else an ErrorCode
  std::string error;                 // the error's message
  std::vector<std::string> uuids;    // set: the alarm (or log row) uuid per alarm; clear: the uuids cleared
  template <class V>
  void visit(V& v) { v("error_code", error_code); v("error", error); v("uuids", uuids); }
};

struct SetFaults {
  static constexpr core::MessageTypeId kType = 0x0101;
  static constexpr std::string_view kName = "fm.set_faults";
  using Response = FmReply;
  std::vector<Alarm> alarms;  // one (set_fault) or several (set_fault_list, all or nothing)
  bool keep_existing = false;
  WireStamp at;
  template <class V>
  void visit(V& v) { v("alarms", alarms); v("keep_existing", keep_existing); v("at", at); }
};

struct ClearFault {
  static constexpr core::MessageTypeId kType = 0x0102;
  static constexpr std::string_view kName = "fm.clear_fault";
  using Response = FmReply;
  std::string alarm_id;       // "" clears every alarm at or below the entity (clear_all)
  std::string entity_instance_id;
  WireStamp at;
  template <class V>
  void visit(V& v) { v("alarm_id", alarm_id); v("entity_instance_id", entity_instance_id); v("at", at); }
};

struct GetFaults {
  static constexpr core::MessageTypeId kType = 0x0103;
  static constexpr std::string_view kName = "fm.get_faults";
  struct Response {
    static constexpr core::MessageTypeId kType = 0x0104;
    static constexpr std::string_view kName = "fm.faults";
    std::uint8_t error_code = 0;
    std::string error;
    std::vector<Alarm> alarms;
    template <class V>
    void visit(V& v) { v("error_code", error_code); v("error", error); v("alarms", alarms); }
  };
  std::string alarm_id;            // "" any
  std::string entity_instance_id;  // "" any; else at or below this entity
  template <class V>
  void visit(V& v) { v("alarm_id", alarm_id); v("entity_instance_id", entity_instance_id); }
};

// A fault change, broadcast by the manager to subscribers (the distributed-cloud audit, the HA
// manager...) once it is durable.
struct FaultEvent {
  static constexpr core::MessageTypeId kType = 0x0105;
  static constexpr std::string_view kName = "fm.fault_event";
  EventRecord event;
  template <class V>
  void visit(V& v) { v("event", event); }
};

}  // namespace roost::fm
