// FM's REST API served by an "fm" node in a real roostd, over real HTTP: every endpoint and every
// error path, and the daemon still serving afterwards.
#include <gtest/gtest.h>

#include "tests/fm/fm_lab.h"

namespace roost::fm::testing {
namespace {

using backends::BlockingHttpClient;
using roost::testing::LabNode;
using roost::testing::RealLab;

class FmHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    lab_ = make_lab({LabNode{"controller-0", "fm", "fm", {{"rest_port", kRestPort}}}}, *data_).release();
    lab_->start();
    lab_->expect({.event = "fm.ready", .node = "controller-0"}, std::chrono::seconds(10));
  }
  static void TearDownTestSuite() {
    delete lab_;
    delete data_;
  }
  void SetUp() override { http_ = std::make_unique<BlockingHttpClient>(rest_url(*lab_, "controller-0")); }

  // POSTs an alarm and returns its uuid (asserting 201).
  std::string raise(const std::string& id, const std::string& entity, const std::string& sev) {
    auto r = http_->request("POST", "/v1/alarms", alarm_body(id, entity, sev));
    EXPECT_EQ(r.status, 201) << r.body;
    return body_json(r).value("uuid", "");
  }

  void expect_error(const backends::HttpClientResult& r, int status) {
    EXPECT_EQ(r.failure, backends::HttpClientResult::Failure::None) << backends::describe_failure(r);
    EXPECT_EQ(r.status, status) << r.body;
    const auto j = body_json(r);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_TRUE(j.contains("error") && j["error"].is_string()) << r.body;
    EXPECT_TRUE(j.contains("detail") && j["detail"].is_string() && !j["detail"].get<std::string>().empty()) << r.body;
  }

  static inline TempDir* data_ = nullptr;
  static inline RealLab* lab_ = nullptr;
  std::unique_ptr<BlockingHttpClient> http_;
};

TEST_F(FmHttp, RaiseGetListAndClear) {
  const std::string uuid = raise("200.006", "host=worker-1.process=sshd", "major");
  ASSERT_FALSE(uuid.empty());

  auto one = http_->get("/v1/alarms/" + uuid);
  ASSERT_EQ(one.status, 200) << one.body;
  auto a = body_json(one);
  EXPECT_EQ(a["alarm_id"], "200.006");
  EXPECT_EQ(a["entity_instance_id"], "host=worker-1.process=sshd");
  EXPECT_EQ(a["severity"], "major");
  EXPECT_FALSE(a["reason_text"].get<std::string>().empty());  // filled from the catalogue

  // Raising the same (id, entity) again updates it in place: same uuid, 200.
  auto again = http_->request("POST", "/v1/alarms", alarm_body("200.006", "host=worker-1.process=sshd", "critical"));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body_json(again)["uuid"], uuid);

  auto list = http_->get("/v1/alarms?q.field=entity_instance_id&q.op=eq&q.value=host%3Dworker-1");
  ASSERT_EQ(list.status, 200) << list.body;
  auto alarms = body_json(list)["alarms"];
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0]["uuid"], uuid);
  EXPECT_EQ(alarms[0]["severity"], "critical");

  auto del = http_->request("DELETE", "/v1/alarms/" + uuid);
  EXPECT_EQ(del.status, 204) << del.body;
  expect_error(http_->get("/v1/alarms/" + uuid), 404);
  expect_error(http_->request("DELETE", "/v1/alarms/" + uuid), 404);

  // The event log has the set, the update and the clear, newest first.
  auto events = http_->get("/v1/event_log?q.field=entity_instance_id&q.op=eq&q.value=host%3Dworker-1.process%3Dsshd");
  ASSERT_EQ(events.status, 200) << events.body;
  auto rows = body_json(events)["event_logs"];
  ASSERT_EQ(rows.size(), 3u) << events.body;
  EXPECT_EQ(rows[0]["state"], "clear");
  EXPECT_EQ(rows[2]["state"], "set");
  auto row = http_->get("/v1/event_log/" + rows[0]["uuid"].get<std::string>());
  ASSERT_EQ(row.status, 200) << row.body;
  EXPECT_EQ(body_json(row)["event_log_id"], "200.006");
  expect_error(http_->get("/v1/event_log/no-such-uuid"), 404);
}

TEST_F(FmHttp, PagingSortingAndSummary) {
  for (int i = 0; i < 5; ++i) raise("200.007", "host=page-" + std::to_string(i) + ".sensor=fan", i % 2 ? "minor" : "critical");
  const std::string only = "q.field=alarm_id&q.op=eq&q.value=200.007";
  std::vector<std::string> seen;
  std::string marker;
  for (int page = 0; page < 4; ++page) {
    auto r = http_->get("/v1/alarms?" + only + "&limit=2" + (marker.empty() ? "" : "&marker=" + marker));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = body_json(r);
    for (const auto& a : j["alarms"]) seen.push_back(a["entity_instance_id"]);
    marker = j["next_marker"];
    if (marker.empty()) break;
  }
  ASSERT_EQ(seen.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(seen[i], "host=page-" + std::to_string(i) + ".sensor=fan");

  auto sorted = http_->get("/v1/alarms?" + only + "&sort_key=severity&sort_dir=desc");
  ASSERT_EQ(sorted.status, 200);
  auto s = body_json(sorted)["alarms"];
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0]["severity"], "critical");
  EXPECT_EQ(s[4]["severity"], "minor");

  auto sum = http_->get("/v1/alarms/summary");
  ASSERT_EQ(sum.status, 200) << sum.body;
  auto j = body_json(sum);
  EXPECT_GE(j["critical"].get<int>(), 3);
  EXPECT_GE(j["minor"].get<int>(), 2);
  EXPECT_EQ(j["status"], "critical");
  expect_error(http_->get("/v1/alarms/summary?include_suppress=maybe"), 400);

  auto logs = http_->get("/v1/event_log?alarms=true&limit=3");
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(body_json(logs)["event_logs"].size(), 3u);
  auto none = http_->get("/v1/event_log?start=2099-01-01T00:00:00Z");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(body_json(none)["event_logs"].empty());
}

TEST_F(FmHttp, Suppression) {
  const std::string uuid = raise("200.005", "host=supp-0", "major");
  auto list = http_->get("/v1/event_suppression");
  ASSERT_EQ(list.status, 200) << list.body;
  std::string row, unsuppressible;
  const auto rows = body_json(list)["event_suppression"];
  for (const auto& r : rows) {
    if (r["alarm_id"] == "200.005") row = r["uuid"];
    if (r["alarm_id"] == "100.114") unsuppressible = r["uuid"];
  }
  ASSERT_FALSE(row.empty());
  ASSERT_FALSE(unsuppressible.empty());

  auto patch = http_->request("PATCH", "/v1/event_suppression/" + row, R"({"suppression_status":"suppressed"})");
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(body_json(patch)["suppression_status"], "suppressed");
  const std::string mine = "/v1/alarms?q.field=entity_instance_id&q.op=eq&q.value=host%3Dsupp-0";
  EXPECT_TRUE(body_json(http_->get(mine))["alarms"].empty());
  EXPECT_EQ(body_json(http_->get(mine + "&include_suppress=true"))["alarms"].size(), 1u);

  // StarlingX's JSON-patch form.
  auto back = http_->request("PATCH", "/v1/event_suppression/" + row,
                             R"([{"op":"replace","path":"/suppression_status","value":"unsuppressed"}])");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(body_json(http_->get(mine))["alarms"].size(), 1u);

  expect_error(http_->request("PATCH", "/v1/event_suppression/" + unsuppressible, R"({"suppression_status":"suppressed"})"), 409);
  expect_error(http_->request("PATCH", "/v1/event_suppression/no-such-row", R"({"suppression_status":"suppressed"})"), 404);
  expect_error(http_->request("PATCH", "/v1/event_suppression/" + row, R"({"suppression_status":"sometimes"})"), 400);
  expect_error(http_->request("PATCH", "/v1/event_suppression/" + row, "{not json"), 400);
  EXPECT_EQ(http_->request("DELETE", "/v1/alarms/" + uuid).status, 204);
}

TEST_F(FmHttp, ErrorPaths) {
  expect_error(http_->request("POST", "/v1/alarms", "{not json"), 400);
  expect_error(http_->request("POST", "/v1/alarms", ""), 400);
  expect_error(http_->request("POST", "/v1/alarms", R"({"alarm_id":"200.006","severity":"major"})"), 400);  // no entity
  expect_error(http_->request("POST", "/v1/alarms",
                              R"({"alarm_id":"200.006","entity_instance_id":"host=x","severity":"major","colour":"red"})"),
               400);  // unknown field
  expect_error(http_->request("POST", "/v1/alarms", alarm_body("999.999", "host=x", "major")), 422);  // unknown id
  expect_error(http_->request("POST", "/v1/alarms", alarm_body("200.006", "host=x", "warning")), 422);  // not allowed
  std::string huge = R"({"alarm_id":"200.006","entity_instance_id":"host=x","severity":"major","reason_text":")" +
                     std::string(70 * 1024, 'x') + "\"}";
  expect_error(http_->request("POST", "/v1/alarms", huge), 413);
  expect_error(http_->get("/v1/no-such-thing"), 404);
  expect_error(http_->request("PUT", "/v1/alarms", "{}"), 405);
  expect_error(http_->request("POST", "/v1/alarms/summary", "{}"), 405);
  expect_error(http_->get("/v1/alarms?q.field=colour&q.op=eq&q.value=red"), 400);
  expect_error(http_->get("/v1/alarms?limit=abc"), 400);
  expect_error(http_->get("/v1/alarms?sort_dir=sideways"), 400);
  expect_error(http_->get("/v1/event_log?start=yesterday"), 400);
  // Still serving, and nothing refused was stored.
  auto r = http_->get("/v1/alarms?q.field=entity_instance_id&q.op=eq&q.value=host%3Dx");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_json(r)["alarms"].empty());
  EXPECT_TRUE(lab_->running("fm"));
}

}  // namespace
}  // namespace roost::fm::testing
