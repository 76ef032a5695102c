// The only source of randomness management logic may use. The runtime seeds one per node
// (derived from the scenario seed and the node name), so a simulation seed reproduces a run.
// The engine is std::mt19937_64, whose output sequence the standard fixes; the mapping to ranges
// is our own because std::uniform_*_distribution differs between standard libraries.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "platform/core/time.h"

namespace roost::core {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }

  // Uniform in [0, n); n == 0 yields 0. Rejection sampling keeps it unbiased.
  std::uint64_t below(std::uint64_t n) {
    if (n == 0) return 0;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do x = engine_(); while (x >= limit);
    return x % n;
  }
  // Uniform in [lo, hi] (inclusive).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return p > 0 && (p >= 1 || unit() < p); }
  Duration between(Duration lo, Duration hi) { return Duration(between(lo.count(), hi.count())); }
  // Triangular distribution (min, mode, max): durations of installs, boots, BMC resets.
  double triangular(double lo, double mode, double hi);

  // An independent stream derived from this seed and a label (e.g. a node name).
  static std::uint64_t derive(std::uint64_t seed, std::string_view label);

 private:
  std::mt19937_64 engine_;
};

}  // namespace roost::core
