#include "platform/dc/audit_slots.h"

#include <stdexcept>

namespace roost::dc {

AuditSlots::AuditSlots(core::Duration interval) : interval_(interval.count()) {
  if (interval_ <= 0) throw std::invalid_argument("audit interval must be positive");
}

void AuditSlots::place_evenly(const std::vector<std::uint64_t>& ids) {
  if (!by_id_.empty()) throw std::logic_error("AuditSlots::place_evenly on a non-empty schedule");
  const auto n = static_cast<std::int64_t>(ids.size());
  for (std::int64_t i = 0; i < n; ++i) {
    // i * interval / n without overflow for any realistic interval (ns) and n.
    const std::int64_t o = static_cast<std::int64_t>((static_cast<__int128>(i) * interval_) / n);
    by_id_[ids[static_cast<std::size_t>(i)]] = o;
    offsets_.insert(o);
  }
  for (auto it = offsets_.begin(); it != offsets_.end(); ++it) {
    auto next = std::next(it);
    const std::int64_t end = next == offsets_.end() ? *offsets_.begin() + interval_ : *next;
    gaps_.insert({end - *it, *it});
  }
}

core::Duration AuditSlots::place(std::uint64_t id) {
  if (by_id_.count(id)) return core::Duration(by_id_.at(id));
  std::int64_t o = 0;
  if (!gaps_.empty()) {
    auto g = gaps_.begin();
    const auto [len, start] = *g;
    gaps_.erase(g);
    o = (start + len / 2) % interval_;
    gaps_.insert({len / 2, start});
    gaps_.insert({len - len / 2, o});
    offsets_.insert(o);
  } else {
    add_offset(0);
  }
  by_id_[id] = o;
  return core::Duration(o);
}

void AuditSlots::add_offset(std::int64_t o) {
  offsets_.insert(o);
  gaps_.insert({interval_, o});
}

void AuditSlots::remove(std::uint64_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  const std::int64_t o = it->second;
  by_id_.erase(it);
  if (offsets_.count(o) > 1) {  // a shared offset: drop the zero-length gap one copy made
    offsets_.erase(offsets_.find(o));
    gaps_.erase(gaps_.find({0, o}));
    return;
  }
  if (offsets_.size() == 1) {
    offsets_.clear();
    gaps_.clear();
    return;
  }
  auto at = offsets_.find(o);
  const std::int64_t prev = at == offsets_.begin() ? *offsets_.rbegin() : *std::prev(at);
  const std::int64_t next = std::next(at) == offsets_.end() ? *offsets_.begin() : *std::next(at);
  auto len = [&](std::int64_t from, std::int64_t to) {
    const std::int64_t d = ((to - from) % interval_ + interval_) % interval_;
    return d == 0 ? interval_ : d;
  };
  gaps_.erase(gaps_.find({len(prev, o), prev}));
  gaps_.erase(gaps_.find({len(o, next), o}));
  offsets_.erase(at);
  gaps_.insert({len(prev, next), prev});
}

core::Duration AuditSlots::offset(std::uint64_t id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) throw std::out_of_range("no audit slot for subcloud " + std::to_string(id));
  return core::Duration(it->second);
}

core::Duration AuditSlots::largest_gap() const {
  return core::Duration(gaps_.empty() ? interval_ : gaps_.begin()->first);
}

}  // namespace roost::dc
