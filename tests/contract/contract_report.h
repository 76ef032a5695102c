// What a runtime contract test observed in each of its three situations (A, B, C) on one runtime, and
// the comparison of the simulation's observation with the real runtime's. Each test gives its own rule
// for which events may come in either order. (tests/contract/situations.h produces the observations.)
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace roost::contract {

struct Situation {
  std::vector<std::string> events;  // "worker-1 mgmt minor", "mnfa_enter mgmt", ...
  double detection_s = -1;          // fault start -> the situation's key event
};

struct Observation {
  Situation a, b, c;
};

// Adds `text` to `s`, and takes the first occurrence of `key` as the detection time.
inline void note(Situation& s, const std::string& text, double offset, const std::string& key) {
  s.events.push_back(text);
  if (text == key && s.detection_s < 0) s.detection_s = offset;
}

// `events` with each run of consecutive `loose` events sorted: events whose order between hosts is the
// network's business (reply arrival), not the node logic's, compare as a set.
inline std::vector<std::string> canonical(std::vector<std::string> events,
                                          const std::function<bool(const std::string&)>& loose) {
  for (auto it = events.begin(); it != events.end();) {
    if (!loose(*it)) {
      ++it;
      continue;
    }
    auto end = std::find_if_not(it, events.end(), loose);
    std::sort(it, end);
    it = end;
  }
  return events;
}

inline std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

inline bool has(const Situation& s, const std::string& event) {
  return std::find(s.events.begin(), s.events.end(), event) != s.events.end();
}

// Each situation must log the same events on both runtimes (up to `loose` runs), and detect within 10%
// of the simulation. Prints the detection times.
inline void expect_same_situations(const Observation& sim, const Observation& real,
                                   const std::function<bool(const std::string&)>& loose) {
  const std::vector<std::pair<const char*, std::pair<const Situation*, const Situation*>>> situations{
      {"A (host stopped)", {&sim.a, &real.a}},
      {"B (cluster-host cut)", {&sim.b, &real.b}},
      {"C (mgmt of two hosts cut)", {&sim.c, &real.c}}};
  for (const auto& [name, pair] : situations) {
    const auto& [s, r] = pair;
    EXPECT_EQ(canonical(s->events, loose), canonical(r->events, loose))
        << name << "\nsim:\n" << join(s->events) << "real:\n" << join(r->events);
    ASSERT_GT(s->detection_s, 0) << name << "\nsim:\n" << join(s->events);
    ASSERT_GT(r->detection_s, 0) << name << "\nreal:\n" << join(r->events);
    EXPECT_NEAR(r->detection_s, s->detection_s, 0.10 * s->detection_s) << name;
    std::printf("%-28s detection sim %.3f s, real %.3f s (%+.1f%%)\n", name, s->detection_s, r->detection_s,
                100.0 * (r->detection_s - s->detection_s) / s->detection_s);
  }
}

}  // namespace roost::contract
