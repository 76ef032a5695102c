// FM durability on real roostd processes:
// - Crash: a client streams alarm POSTs; roostd gets SIGKILL mid-stream and restarts on the same data
//   directory: every alarm whose POST was acknowledged (201) is there, and the event log agrees
//   (every active alarm has its set event; counts match).
// - Outage: the FM's roostd is down while an alarm-generator in another roostd raises 1,000 alarms;
//   once the FM is back, all 1,000 arrive, in order (the event log's order).
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "platform/fm/alarm_generator.h"
#include "tests/fm/fm_lab.h"

namespace roost::fm::testing {
namespace {

using backends::BlockingHttpClient;
using roost::testing::LabNode;
using roost::testing::RealLab;
using namespace std::chrono_literals;

// Every active alarm (all pages) whose entity is at or below `prefix`.
std::vector<nlohmann::json> all_alarms(BlockingHttpClient& http, const std::string& prefix) {
  std::vector<nlohmann::json> out;
  std::string marker;
  for (;;) {
    auto r = http.get("/v1/alarms?limit=1000&q.field=entity_instance_id&q.op=eq&q.value=" + prefix +
                      (marker.empty() ? "" : "&marker=" + marker));
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = body_json(r);
    if (!j.is_object()) return out;
    for (auto& a : j["alarms"]) out.push_back(a);
    marker = j["next_marker"];
    if (marker.empty()) return out;
  }
}

// Every event-log row about entities at or below `prefix`, oldest first (by row id).
std::vector<nlohmann::json> all_events(BlockingHttpClient& http, const std::string& prefix) {
  std::vector<nlohmann::json> out;
  std::string marker;
  for (;;) {
    auto r = http.get("/v1/event_log?limit=1000&sort_key=id&sort_dir=asc&q.field=entity_instance_id&q.op=eq&q.value=" +
                      prefix + (marker.empty() ? "" : "&marker=" + marker));
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = body_json(r);
    if (!j.is_object()) return out;
    for (auto& e : j["event_logs"]) out.push_back(e);
    marker = j["next_marker"];
    if (marker.empty()) return out;
  }
}

TEST(FmDurability, KillNineMidStreamKeepsEveryAcknowledgedAlarm) {
  TempDir data;
  auto lab = make_lab({LabNode{"controller-0", "fm", "fm", {{"rest_port", kRestPort}}}}, data);
  lab->start();
  lab->expect({.event = "fm.ready", .node = "controller-0"}, 10s);
  const auto url = rest_url(*lab, "controller-0");

  // Four streams of POSTs, each over its own keep-alive connection.
  std::mutex mu;
  std::map<std::string, std::string> acked;  // entity -> uuid
  std::atomic<int> acked_count{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> streams;
  for (int s = 0; s < 4; ++s)
    streams.emplace_back([&, s] {
      BlockingHttpClient http(url, core::seconds(5));
      for (int i = 0; !stop; ++i) {
        const std::string entity = "host=crash-" + std::to_string(s) + ".process=p" + std::to_string(i);
        auto r = http.request("POST", "/v1/alarms", alarm_body("200.006", entity, "major"));
        if (r.failure != backends::HttpClientResult::Failure::None) break;  // the server is gone
        if (r.status == 201) {
          std::lock_guard lock(mu);
          acked[entity] = body_json(r).value("uuid", "");
          ++acked_count;
        }
      }
    });
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (acked_count < 400 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  lab->kill("fm");  // SIGKILL while the streams are still posting
  stop = true;
  for (auto& t : streams) t.join();
  ASSERT_GE(acked_count.load(), 400) << "the streams did not get going: " << lab->stderr_tail("fm");

  lab->start("fm");
  lab->expect({.event = "fm.ready", .node = "controller-0", .where = [](const roost::testing::LabRecord& r) {
                 return r.fields.value("active_alarms", 0) > 0;
               }},
              10s);
  BlockingHttpClient http(url);
  std::map<std::string, std::string> present;  // entity -> uuid
  for (const auto& a : all_alarms(http, "host%3Dcrash-0") ) present[a["entity_instance_id"]] = a["uuid"];
  for (int s = 1; s < 4; ++s)
    for (const auto& a : all_alarms(http, "host%3Dcrash-" + std::to_string(s))) present[a["entity_instance_id"]] = a["uuid"];
  for (const auto& [entity, uuid] : acked) {
    auto it = present.find(entity);
    ASSERT_NE(it, present.end()) << "acknowledged alarm lost in the crash: " << entity;
    EXPECT_EQ(it->second, uuid) << entity;
  }
  std::cout << "acknowledged before the kill: " << acked.size() << ", present after the restart: " << present.size()
            << "\n";
  // At most the POSTs in flight at the kill (one per stream) may be there without an acknowledgement.
  EXPECT_LE(present.size(), acked.size() + 4);

  // The event log agrees with the alarms: one set row per active alarm, nothing else.
  std::map<std::string, int> sets;
  std::size_t rows = 0;
  for (int s = 0; s < 4; ++s)
    for (const auto& e : all_events(http, "host%3Dcrash-" + std::to_string(s))) {
      ++rows;
      EXPECT_EQ(e["state"], "set");
      ++sets[e["entity_instance_id"]];
    }
  EXPECT_EQ(rows, present.size());
  for (const auto& [entity, uuid] : present) EXPECT_EQ(sets[entity], 1) << entity;
}

TEST(FmDurability, AlarmsRaisedWhileTheFmIsDownAllArriveInOrder) {
  TempDir data;
  constexpr int kCount = 1000;
  auto lab = make_lab({LabNode{"controller-0", "fm", "fm", {{"rest_port", kRestPort}}},
                       LabNode{"gen-0", "alarm-generator", "gen",
                               {{"fm_node", "controller-0"}, {"count", kCount}, {"rate_per_s", 0}}}},
                      data);
  lab->start("fm");
  lab->expect({.event = "fm.ready", .node = "controller-0"}, 10s);
  ASSERT_EQ(lab->stop("fm"), 0);  // a clean stop: the FM is simply not there

  lab->start("gen");
  lab->expect({.event = "alarm_generator.raised", .node = "gen-0"}, 10s);
  lab->expect({.event = "fm_client.unreachable", .node = "gen-0"}, 10s);
  std::this_thread::sleep_for(1s);  // a few retries against nothing
  EXPECT_EQ(lab->count({.event = "alarm_generator.done"}), 0u);

  lab->start("fm");
  auto done = lab->expect({.event = "alarm_generator.done", .node = "gen-0"}, 60s);
  EXPECT_EQ(done.fields.value("acknowledged", -1), kCount);
  EXPECT_EQ(done.fields.value("dropped", -1), 0);
  EXPECT_EQ(done.fields.value("refused", -1), 0);

  BlockingHttpClient http(rest_url(*lab, "controller-0"));
  EXPECT_EQ(all_alarms(http, "host%3Dgen-0").size(), static_cast<std::size_t>(kCount));
  // In the event log, alarm i's first set row comes right after alarm i-1's.
  std::set<std::string> seen;
  int next = 0;
  for (const auto& e : all_events(http, "host%3Dgen-0")) {
    if (e["state"] != "set") continue;
    const std::string entity = e["entity_instance_id"];
    if (!seen.insert(entity).second) continue;  // a resend after a lost answer updates in place
    EXPECT_EQ(entity, fm::AlarmGenerator::entity("gen-0", static_cast<std::uint64_t>(next))) << "out of order";
    ++next;
  }
  EXPECT_EQ(next, kCount);
}

}  // namespace
}  // namespace roost::fm::testing
