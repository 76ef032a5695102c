// The sites' agenda (sim/scheduler.h): timers, message arrivals and node lifecycle steps, ordered by
// integer-nanosecond time and then by a sequence number, so that equal-time events run in the order they
// were scheduled and a run is repeatable bit for bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
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
  std::uint64_t id = 0;
  std::unique_ptr<Packet> packet;
  NodeId node = 0;
  std::uint32_t incarnation = 0;
  NodeId by = 0;
  SiteId site = 0;  // whose event it is (set by Scheduler::schedule)
  Kind kind = Kind::Timer;
};

// A 4-ary min-heap of small keys (time, then sequence number and the event's slot packed in one word)
// over a slab of events: the heap moves 16-byte keys rather than whole events, and a 4-ary heap is half as
// deep as a binary one; with hundreds of thousands of pending events this is most of the queue's cost.
class EventQueue {
 public:
  void push(Event e) {
    if (next_seq_ > kMaxSeq) throw std::length_error("event queue: more than 2^40 events scheduled in one run");
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
      slab_[slot] = std::move(e);
    } else {
      if (slab_.size() > kSlotMask)
        throw std::length_error("event queue: more than 2^24 events pending at once");
      slot = static_cast<std::uint32_t>(slab_.size());
      slab_.push_back(std::move(e));
    }
    Event& stored = slab_[slot];
    stored.seq = next_seq_++;
    heap_.push_back(Key{stored.t, (stored.seq << kSlotBits) | slot});
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::int64_t next_time() const { return heap_.front().t; }
  Event pop() {
    const auto slot = static_cast<std::uint32_t>(heap_.front().order & kSlotMask);
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    Event e = std::move(slab_[slot]);
    free_.push_back(slot);
    return e;
  }
  void clear() {
    heap_.clear();
    slab_.clear();
    free_.clear();
  }

 private:
  static constexpr unsigned kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << (64 - kSlotBits)) - 1;
  struct Key {
    std::int64_t t;
    std::uint64_t order;  // sequence number << kSlotBits | slot: orders equal times by scheduling order
    bool before(const Key& o) const { return t != o.t ? t < o.t : order < o.order; }
  };
  void sift_up(std::size_t i) {
    const Key k = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!k.before(heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = k;
  }
  void sift_down(std::size_t i) {
    const Key k = heap_[i];
    const std::size_t n = heap_.size();
    while (true) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t last = std::min(first + 4, n);
      for (std::size_t c = first + 1; c < last; ++c)
        if (heap_[c].before(heap_[best])) best = c;
      if (!heap_[best].before(k)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = k;
  }

  std::vector<Key> heap_;
  std::vector<Event> slab_;           // events by slot
  std::vector<std::uint32_t> free_;  // free slots
  std::uint64_t next_seq_ = 0;
};

}  // namespace roost::sim
