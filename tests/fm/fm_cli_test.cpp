// The `roost alarm | event | suppression` CLI against an fm node in a running roostd: tables, JSON,
// filters, ROOST_FM_URL, and the exit codes for an unreachable server (3) and an error answer (1).
#include <gtest/gtest.h>


#include "tests/fm/fm_lab.h"
#include "tests/support/cli_run.h"

namespace roost::fm::testing {
namespace {

using roost::testing::LabNode;
using roost::testing::RealLab;
using namespace std::chrono_literals;

using roost::testing::CliRun;

class FmCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    lab_ = make_lab({LabNode{"controller-0", "fm", "fm", {{"rest_port", kRestPort}}}}, *data_).release();
    lab_->start();
    lab_->expect({.event = "fm.ready", .node = "controller-0"}, 10s);
    url_ = "http://" + lab_->address("controller-0", core::Network::Oam) + ":" + std::to_string(kRestPort);
    backends::BlockingHttpClient http(rest_url(*lab_, "controller-0"));
    for (int i = 0; i < 3; ++i) {
      auto r = http.request("POST", "/v1/alarms", alarm_body("200.006", "host=cli-" + std::to_string(i) + ".process=sshd",
                                                             i == 0 ? "critical" : "major"));
      ASSERT_EQ(r.status, 201) << r.body;
      uuids_.push_back(body_json(r)["uuid"]);
    }
  }
  static void TearDownTestSuite() {
    delete lab_;
    delete data_;
  }

  // Runs `roost <args>` (with `env` prepended to the shell command), capturing stdout and stderr.
  static CliRun roost(const std::string& args, const std::string& env = "") {
    const std::string err_file = data_->file("stderr.txt");
    return roost::testing::run_cli(env + " " + ROOST_CLI_PATH + " " + args, err_file);
  }
  static std::string url() { return " --url " + url_; }

  static inline TempDir* data_ = nullptr;
  static inline RealLab* lab_ = nullptr;
  static inline std::string url_;
  static inline std::vector<std::string> uuids_;
};

TEST_F(FmCli, AlarmListShowSummary) {
  auto table = roost("alarm list" + url());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("ALARM ID"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("host=cli-1.process=sshd"), std::string::npos) << table.out;

  auto json = roost("alarm list --format json --severity critical" + url());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j.size(), 1u) << json.out;
  EXPECT_EQ(j[0]["entity_instance_id"], "host=cli-0.process=sshd");

  auto limited = roost("alarm list --format json --limit 2 --entity host=cli-1" + url());
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_EQ(nlohmann::json::parse(limited.out).size(), 1u);

  auto show = roost("alarm show " + uuids_[1] + url());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(uuids_[1]), std::string::npos);

  auto summary = roost("alarm summary --format json" + url());
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  auto s = nlohmann::json::parse(summary.out);
  EXPECT_EQ(s["critical"], 1);
  EXPECT_EQ(s["major"], 2);

  // ROOST_FM_URL instead of --url.
  auto env = roost("alarm summary", "ROOST_FM_URL=" + url_);
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_NE(env.out.find("critical"), std::string::npos) << env.out;
}

TEST_F(FmCli, EventListAndSuppression) {
  auto events = roost("event list --format json --entity host=cli-2" + url());
  ASSERT_EQ(events.exit_code, 0) << events.err;
  auto rows = nlohmann::json::parse(events.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "set");

  auto sup = roost("suppression suppress 200.006 --format json" + url());
  ASSERT_EQ(sup.exit_code, 0) << sup.err;
  EXPECT_EQ(nlohmann::json::parse(sup.out)[0]["suppression_status"], "suppressed");
  auto hidden = roost("alarm list --format json --alarm-id 200.006" + url());
  EXPECT_TRUE(nlohmann::json::parse(hidden.out).empty());
  auto list = roost("suppression list" + url());
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("suppressed"), std::string::npos);
  auto unsup = roost("suppression unsuppress 200.006" + url());
  ASSERT_EQ(unsup.exit_code, 0) << unsup.err;
  auto back = roost("alarm list --format json --alarm-id 200.006" + url());
  EXPECT_EQ(nlohmann::json::parse(back.out).size(), 3u);

  auto refused = roost("suppression suppress 100.114" + url());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("409"), std::string::npos) << refused.err;
}

TEST_F(FmCli, DeleteAndErrors) {
  backends::BlockingHttpClient http(rest_url(*lab_, "controller-0"));
  auto r = http.request("POST", "/v1/alarms", alarm_body("200.005", "host=cli-del", "major"));
  ASSERT_EQ(r.status, 201);
  const std::string uuid = body_json(r)["uuid"];
  auto del = roost("alarm delete " + uuid + url());
  ASSERT_EQ(del.exit_code, 0) << del.err;
  auto again = roost("alarm delete " + uuid + url());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("404"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find(uuid), std::string::npos) << again.err;  // the server's detail names it

  const std::string nothing = "http://" + lab_->address("controller-0", core::Network::Oam) + ":18099";
  auto down = roost("alarm list --url " + nothing);
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_NE(down.err.find("cannot reach"), std::string::npos) << down.err;
  auto bad = roost("alarm list --url ftp://x");
  EXPECT_EQ(bad.exit_code, 2);
  auto usage = roost("alarm");
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace roost::fm::testing
