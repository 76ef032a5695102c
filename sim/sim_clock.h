// SimGrid's clock (double seconds) as the runtime's integer nanoseconds, rounded to the nearest.
#pragma once

#include <cmath>
#include <cstdint>

#include <simgrid/s4u/Engine.hpp>

namespace roost::sim {

inline std::int64_t sim_clock_ns() { return std::llround(simgrid::s4u::Engine::get_clock() * 1e9); }
inline double ns_to_seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

}  // namespace roost::sim
