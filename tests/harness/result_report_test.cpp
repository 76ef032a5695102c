// result.json and report.html from a hand-built run: the fields a reader relies on, the cap on
// copied records, detection latencies, and an HTML page that is self-contained and escapes its text.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/report.h"
#include "harness/result.h"
#include "harness/scenario.h"
#include "harness/version.h"
#include "platform/roles.h"

namespace roost::harness {
namespace {

using nlohmann::json;

sim::TraceRecord rec(double t, std::string node, std::string event, core::LogFields fields = {},
                     core::LogLevel level = core::LogLevel::Info) {
  return sim::TraceRecord{core::at_seconds(t), std::move(node), level, std::move(event), std::move(fields)};
}

RunOutput quickstart_run() {
  auto loaded = load_scenario(std::filesystem::path(ROOST_SOURCE_DIR) / "scenarios/quickstart.json", platform::roles());
  EXPECT_TRUE(loaded.ok());
  RunOutput run;
  run.scenario = *loaded.scenario;
  run.sim.trace = {
      rec(0, "controller-0", "pulse.monitor_started", {{"hosts", 4}}),
      rec(0.5, "worker-0", "debug.noise", {}, core::LogLevel::Debug),
      rec(10, "sim", "fault.start", {{"kind", "host-crash"}, {"label", "worker-1 crash"}, {"targets", "worker-1"}}),
      rec(11.0, "controller-0", "pulse.host_lost", {{"host", "worker-1"}, {"note", "<script>alert('x')</script> & co"}}),
      rec(23.1, "controller-0", "pulse.host_recovered", {{"host", "worker-1"}}),
      rec(31.1, "controller-0", "pulse.host_lost", {{"host", "worker-2"}}),
      rec(35.1, "controller-0", "pulse.host_recovered", {{"host", "worker-2"}}),
  };
  run.sim.trace_hash = "abc123";
  run.sim.stats.timer_events = 1000;
  run.sim.stats.local_messages = 500;
  run.sim.stats.dropped_messages = 7;
  run.sim.stats.sim_seconds = 45;
  run.sim.stats.wall_seconds = 0.5;
  for (int i = 1; i <= 10; ++i) run.samples.push_back({4.5 * i, 45, static_cast<std::uint64_t>(150 * i), 0.05 * i});
  run.outcomes = evaluate_all(run.scenario.expectations, run.scenario.config, run.sim.trace);
  run.peak_rss_mb = 12.5;
  return run;
}

TEST(Result, SummarisesTheRun) {
  const auto run = quickstart_run();
  const json r = result_json(run);
  EXPECT_EQ(r["roost_result"], 1);
  EXPECT_EQ(r["roost_version"], roost_version());
  EXPECT_EQ(r["scenario"]["name"], "quickstart");
  EXPECT_EQ(r["seed"], 42);
  EXPECT_EQ(r["duration_s"], 45.0);
  EXPECT_EQ(r["trace_hash"], "abc123");
  EXPECT_EQ(r["stats"]["events"], 1500);
  EXPECT_EQ(r["stats"]["messages"], 500);
  EXPECT_EQ(r["stats"]["dropped"], 7);
  EXPECT_DOUBLE_EQ(r["stats"]["ratio"].get<double>(), 90.0);
  EXPECT_DOUBLE_EQ(r["stats"]["peak_rss_mb"].get<double>(), 12.5);
  EXPECT_EQ(r["nodes"].size(), 5u);
  ASSERT_EQ(r["faults"].size(), 2u);
  EXPECT_EQ(r["faults"][0]["kind"], "host-crash");
  EXPECT_EQ(r["faults"][0]["until_s"], 20.0);
  EXPECT_EQ(r["faults"][1]["network"], "mgmt");
  // The hand-made trace reports fault 0 starting, but neither its end nor fault 1 at all.
  EXPECT_EQ(r["faults"][0]["started_s"], 10.0);
  EXPECT_TRUE(r["faults"][0]["ended_s"].is_null());
  EXPECT_TRUE(r["faults"][1]["started_s"].is_null());
  EXPECT_EQ(r["event_counts"]["pulse.host_lost"], 2);
  EXPECT_EQ(r["event_counts"]["debug.noise"], 1);
  EXPECT_EQ(r["activity"].size(), 10u);
}

TEST(Result, ExpectationsCarryTheirObservedValues) {
  const json r = result_json(quickstart_run());
  const json& ex = r["expectations"];
  ASSERT_EQ(ex.size(), 6u);
  // worker-2 lost at +1.1 s passes; worker-1's recovery at +3.1 s after the restart passes.
  EXPECT_TRUE(ex[0]["passed"]);
  EXPECT_DOUBLE_EQ(ex[0]["observed"]["first_delay_s"].get<double>(), 1.0);
  EXPECT_EQ(ex[0]["window_s"], json::array({10.9, 11.2}));
  EXPECT_TRUE(ex[1]["passed"]);
  EXPECT_TRUE(ex[2]["passed"]);
  EXPECT_TRUE(ex[3]["passed"]);
  EXPECT_TRUE(ex[4]["passed"]);
  EXPECT_EQ(ex[4]["fields"]["host"]["not_in"], json::array({"worker-1", "worker-2"}));
  EXPECT_TRUE(ex[5]["passed"]);
  EXPECT_TRUE(r["passed"]);
  EXPECT_EQ(ex[0]["description"].get<std::string>().rfind("worker-1 is declared lost about 1 s after it crashes", 0), 0u);
  EXPECT_NE(ex[0]["rule"].get<std::string>().find("within [0.9, 1.2] s after the start of fault 0"), std::string::npos);
}

TEST(Result, AFailedExpectationFailsTheRun) {
  auto run = quickstart_run();
  run.sim.trace.push_back(rec(40, "controller-0", "pulse.host_lost", {{"host", "worker-3"}}));
  run.outcomes = evaluate_all(run.scenario.expectations, run.scenario.config, run.sim.trace);
  EXPECT_FALSE(run.passed());
  const json r = result_json(run);
  EXPECT_FALSE(r["passed"]);
  EXPECT_FALSE(r["expectations"][4]["passed"]);
  EXPECT_EQ(r["expectations"][4]["observed"]["count"], 1);
  EXPECT_FALSE(r["expectations"][5]["passed"]);
}

TEST(Result, DetectionLatenciesPerFaultKind) {
  const json r = result_json(quickstart_run());
  const json& d = r["detection_latencies"];
  ASSERT_EQ(d.size(), 2u);  // host-crash and network-down, both detected by pulse.host_lost
  EXPECT_EQ(d[0]["fault_kind"], "host-crash");
  EXPECT_EQ(d[0]["event"], "pulse.host_lost");
  EXPECT_DOUBLE_EQ(d[0]["min_s"].get<double>(), 1.0);
  EXPECT_EQ(d[1]["fault_kind"], "network-down");
  EXPECT_NEAR(d[1]["max_s"].get<double>(), 1.1, 1e-9);
}

TEST(Result, NotableRecordsSkipDebugAndAreCapped) {
  const auto run = quickstart_run();
  json r = result_json(run);
  EXPECT_EQ(r["notable"]["total"], 6);  // all but the debug record
  EXPECT_FALSE(r["notable"]["capped"]);
  EXPECT_EQ(r["notable"]["records"][1]["node"], "sim");
  r = result_json(run, ResultOptions{3});
  EXPECT_EQ(r["notable"]["records"].size(), 3u);
  EXPECT_TRUE(r["notable"]["capped"]);
  EXPECT_EQ(r["notable"]["note"], "only the first 3 of 6 records are listed");
}

TEST(Result, EventTimelineBucketsCoverTheRun) {
  const json r = result_json(quickstart_run());
  const json& tl = r["event_timeline"];
  EXPECT_DOUBLE_EQ(tl["bucket_s"].get<double>(), 0.5);  // 45 s cut into <= 120 buckets of 1-2-5 steps
  EXPECT_EQ(tl["buckets"], 90);
  const json& lost = tl["series"]["pulse.host_lost"];
  ASSERT_EQ(lost.size(), 90u);
  EXPECT_EQ(lost[22], 1);  // 11.0 s
  EXPECT_EQ(lost[62], 1);  // 31.1 s
  std::uint64_t total = 0;
  for (const auto& n : lost) total += n.get<std::uint64_t>();
  EXPECT_EQ(total, 2u);
}

TEST(Report, IsSelfContainedAndEscapesText) {
  const std::string page = report_html(result_json(quickstart_run()));
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.find("<script"), std::string::npos) << "trace text must be escaped, and the page has no script";
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  // The only URL is the SVG namespace.
  std::size_t urls = 0;
  for (auto p = page.find("http"); p != std::string::npos; p = page.find("http", p + 1)) {
    EXPECT_EQ(page.compare(p, 26, "http://www.w3.org/2000/svg"), 0);
    ++urls;
  }
  EXPECT_EQ(urls, 3u);  // three figures
}

TEST(Report, ShowsSummaryExpectationsAndFigures) {
  auto run = quickstart_run();
  run.sim.trace.push_back(rec(40, "controller-0", "pulse.host_lost", {{"host", "worker-3"}}));
  run.outcomes = evaluate_all(run.scenario.expectations, run.scenario.config, run.sim.trace);
  const std::string page = report_html(result_json(run));
  EXPECT_NE(page.find("<title>quickstart · FAIL · Roost</title>"), std::string::npos);
  EXPECT_NE(page.find("FAIL 4/6"), std::string::npos);
  EXPECT_NE(page.find("abc123"), std::string::npos);
  EXPECT_NE(page.find("no other host is ever declared lost"), std::string::npos);
  EXPECT_NE(page.find("count 1"), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"Timeline of faults and notable events\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"Trace events over time\""), std::string::npos);
  EXPECT_NE(page.find("fault 0: host-crash &quot;worker-1 crash&quot;"), std::string::npos);
  EXPECT_NE(page.find("network-down"), std::string::npos);  // detection latency table
}

TEST(Report, TimelineHasOneRowPerFaultAndNode) {
  const json r = result_json(quickstart_run());
  const std::string svg = timeline_svg(r);
  auto count = [&](std::string_view needle) {
    std::size_t n = 0;
    for (auto p = svg.find(needle); p != std::string::npos; p = svg.find(needle, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<g class=\"fault\">"), 2u);
  EXPECT_EQ(count("class=\"lane\""), 6u);  // five nodes and the simulation's own row
  EXPECT_EQ(count("class=\"mark\""), 6u);  // one per notable record
}

TEST(Report, EmptyRunStillRenders) {
  auto loaded = parse_scenario(R"({"roost_scenario": 1, "name": "empty", "duration_s": 1,
      "sites": [{"name": "s", "nodes": [{"name": "h", "role": "pulse-host"}]}]})", "e.json", platform::roles());
  ASSERT_TRUE(loaded.ok());
  RunOutput run;
  run.scenario = *loaded.scenario;
  const std::string page = report_html(result_json(run));
  EXPECT_NE(page.find("PASS 0/0"), std::string::npos);
  EXPECT_NE(page.find("states no expectations"), std::string::npos);
}

}  // namespace
}  // namespace roost::harness
