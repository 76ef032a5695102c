// Time as management logic sees it: a monotonic clock that the runtime drives.
// On the real runtime it is steady_clock since process start; in the simulation it is
// SimGrid's clock. Integer nanoseconds so that a simulated run is exactly repeatable.
#pragma once

#include <chrono>
#include <cstdint>

namespace roost::core {

struct RuntimeClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<RuntimeClock>;
  static constexpr bool is_steady = true;
};

using Duration = RuntimeClock::duration;
using TimePoint = RuntimeClock::time_point;

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::microseconds;

inline double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e9; }
inline double to_seconds(TimePoint t) { return to_seconds(t.time_since_epoch()); }
inline double to_millis(Duration d) { return static_cast<double>(d.count()) / 1e6; }
inline Duration from_seconds(double s) { return Duration(static_cast<std::int64_t>(s * 1e9 + (s >= 0 ? 0.5 : -0.5))); }
inline TimePoint at_seconds(double s) { return TimePoint(from_seconds(s)); }

}  // namespace roost::core
