// What a runtime contract test observed in each of its three situations (A, B, C) on one runtime, and
// the comparison of the simulation's observation with the real runtime's. (tests/contract/situations.h produces the observations.)
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
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

// Each subject's own sequence of events: a host's ("worker-0 ..."), or MNFA's on a network ("mnfa_enter
// mgmt", "mnfa_exit mgmt"). How the sequences of different subjects interleave is the network's business,
// not the node logic's: a real cut lands at an arbitrary point of the pulse cycle, so two hosts' last
// replies can straddle it and one host reaches a threshold one period after the other (and recoveries
// follow reply arrival). Each subject's sequence must be the same on both runtimes.
inline std::map<std::string, std::vector<std::string>> by_subject(const std::vector<std::string>& events) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& e : events) {
    const auto space = e.find(' ');
    std::string subject = e.substr(0, space);
    if (subject.rfind("mnfa_", 0) == 0) subject = "mnfa" + (space == std::string::npos ? "" : e.substr(space));
    out[subject].push_back(e);
  }
  return out;
}

inline std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

inline bool has(const Situation& s, const std::string& event) {
  return std::find(s.events.begin(), s.events.end(), event) != s.events.end();
}

// Each situation must log the same events per subject on both runtimes (by_subject), and detect within
// 10% of the simulation. Prints the detection times.
inline void expect_same_situations(const Observation& sim, const Observation& real) {
  const std::vector<std::pair<const char*, std::pair<const Situation*, const Situation*>>> situations{
      {"A (host stopped)", {&sim.a, &real.a}},
      {"B (cluster-host cut)", {&sim.b, &real.b}},
      {"C (mgmt of two hosts cut)", {&sim.c, &real.c}}};
  for (const auto& [name, pair] : situations) {
    const auto& [s, r] = pair;
    EXPECT_EQ(by_subject(s->events), by_subject(r->events))
        << name << "\nsim:\n" << join(s->events) << "real:\n" << join(r->events);
    ASSERT_GT(s->detection_s, 0) << name << "\nsim:\n" << join(s->events);
    ASSERT_GT(r->detection_s, 0) << name << "\nreal:\n" << join(r->events);
    EXPECT_NEAR(r->detection_s, s->detection_s, 0.10 * s->detection_s) << name;
    std::printf("%-28s detection sim %.3f s, real %.3f s (%+.1f%%)\n", name, s->detection_s, r->detection_s,
                100.0 * (r->detection_s - s->detection_s) / s->detection_s);
  }
}

}  // namespace roost::contract
