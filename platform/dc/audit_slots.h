// AuditSlots: where in the audit interval each subcloud is audited, so that audits spread evenly over the
// interval and a subcloud keeps its slot for life (adding or removing others never moves it).
//
// The subclouds a manager starts with get slot i * interval / N (exactly even). A subcloud added later takes
// the middle of the largest free gap (the earliest such gap on a tie), so after any sequence of adds no gap is
// more than twice the smallest; a removal merges its two neighbouring gaps. O(log N) per add and remove.
#pragma once

#include <cstdint>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "platform/core/time.h"

namespace roost::dc {

class AuditSlots {
 public:
  explicit AuditSlots(core::Duration interval);

  // Only while empty: ids[i] at i * interval / ids.size().
  void place_evenly(const std::vector<std::uint64_t>& ids);
  // The new subcloud's offset in [0, interval).
  core::Duration place(std::uint64_t id);
  void remove(std::uint64_t id);
  core::Duration offset(std::uint64_t id) const;
  std::size_t size() const { return by_id_.size(); }
  // The largest gap between two neighbouring slots (the interval when there is at most one).
  core::Duration largest_gap() const;

 private:
  struct GapOrder {  // largest first; among equals the earliest start
    bool operator()(const std::pair<std::int64_t, std::int64_t>& a, const std::pair<std::int64_t, std::int64_t>& b) const {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    }
  };
  void add_offset(std::int64_t o);

  std::int64_t interval_;
  std::unordered_map<std::uint64_t, std::int64_t> by_id_;
  std::multiset<std::int64_t> offsets_;
  std::multiset<std::pair<std::int64_t, std::int64_t>, GapOrder> gaps_;  // {length, start}
};

}  // namespace roost::dc
