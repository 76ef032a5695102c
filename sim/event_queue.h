// A site's agenda: timers, message arrivals and node lifecycle steps, ordered by integer-nanosecond time
// and then by a sequence number, so that equal-time events run in the order they were scheduled and a
// run is repeatable bit for bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/packet.h"

namespace roost::sim {

struct Event {
  enum class Kind : std::uint8_t {
    Timer,    // node, incarnation, id = timer id
    Deliver,  // packet
    Crash,    // node
    Restart,  // node
    Boot,     // node, id = boot token
    BmcPower,     // node = the BMC's host, id = core::PowerAction, by = the node that asked
    BmcCycleOn,   // node: the power comes back at the end of a power cycle
    BmcSensor,    // node, id = index of the change in its BmcSpec::changes
    Reboot,       // node, incarnation: the node asked for a reboot (Env::reboot)
    ProcessKill,  // node, id = index of the process-kill fault (sim_processes.h)
  };
  std::int64_t t = 0;
  std::uint64_t seq = 0;
  Kind kind = Kind::Timer;
  NodeId node = 0;
  std::uint32_t incarnation = 0;
  std::uint64_t id = 0;
  NodeId by = 0;
  std::unique_ptr<Packet> packet;
};

class EventQueue {
 public:
  void push(Event e) {
    e.seq = next_seq_++;
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::int64_t next_time() const { return heap_.front().t; }
  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Event e = std::move(heap_.back());
    heap_.pop_back();
    return e;
  }
  void clear() { heap_.clear(); }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
  };
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace roost::sim
