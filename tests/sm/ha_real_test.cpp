// The controller pair on the real runtime (scenarios/ha-lab.json for real): controller-0 and controller-1
// (role sm-controller, services fm + mtce) each in its own roostd, worker-0 (host agent and witness) in a
// third, the floating name "controller" on mgmt, cluster-host and oam (tests/support/sm_lab.h). Checked
// where clients look: the FM REST API and the SM REST API on the floating OAM address.
//   a) kill -9 of the active's roostd: the standby takes over, and every alarm the floating FM REST API
//      acknowledged (2xx), before and during the kill, is there afterwards;
//   b) a cut of the active's cluster-host address (nftables): 400.005 for that network, no failover; healed:
//      cleared;
//   c) ten swacts back and forth while a client polls the floating FM REST API every 50 ms: each swact
//      moves activity, and the client sees no error.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "backends/blocking_http.h"
#include "tests/support/network_cut.h"
#include "tests/support/real_lab.h"
#include "tests/support/sm_lab.h"

namespace roost::testing {
namespace {

using namespace std::chrono;
using core::Network;
using Clock = steady_clock;

double since(Clock::time_point t0) { return duration<double>(Clock::now() - t0).count(); }

// Posts alarms to the floating FM REST API one after another until stopped; a 2xx answer is an
// acknowledgement, everything else is counted as a failed write (expected while no controller is active).
class AlarmWriter {
 public:
  explicit AlarmWriter(std::string address) : address_(std::move(address)), thread_([this] { run(); }) {}
  ~AlarmWriter() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  struct Ack {
    std::string entity;
    Clock::time_point at;
  };
  std::vector<Ack> acked() const {
    std::lock_guard lock(mu_);
    return acked_;
  }
  std::size_t failed() const { return failed_; }
  std::string first_failures() const {
    std::lock_guard lock(mu_);
    return failures_;
  }

 private:
  void run() {
    backends::BlockingHttpClient http(backends::HttpUrl{address_, sm_lab::kFmRestPort, ""}, core::seconds(2));
    for (int n = 0; !stop_; ++n) {
      const std::string entity = "probe=ha-real.write=" + std::to_string(n);
      const nlohmann::json body = {{"alarm_id", sm_lab::kProbeAlarm},
                                   {"entity_instance_id", entity},
                                   {"severity", "major"},
                                   {"reason_text", "ha_real_test write " + std::to_string(n)}};
      const auto r = http.request("POST", "/v1/alarms", body.dump());
      if (r.status >= 200 && r.status < 300) {
        std::lock_guard lock(mu_);
        acked_.push_back({entity, Clock::now()});
      } else {
        ++failed_;
        std::lock_guard lock(mu_);
        if (failed_ <= 5)
          failures_ += entity + ": " +
                       (r.status ? std::to_string(r.status) + " " + r.body : backends::describe_failure(r)) + "\n";
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  std::string address_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Ack> acked_;
  std::atomic<std::size_t> failed_{0};
  std::string failures_;
  std::thread thread_;
};

bool is_cluster_host_400_005(const nlohmann::json& a) {
  const std::string entity = a.value("entity_instance_id", "");
  const std::string suffix = ".network=cluster-host";
  return a.value("alarm_id", "") == "400.005" && entity.rfind("host=", 0) == 0 && entity.size() > suffix.size() &&
         entity.compare(entity.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// a) kill -9 of the active: the standby goes active (no witness hears the dead one), and the floating FM
// REST API keeps every alarm it acknowledged, before the kill and while the kill happened.
TEST(HaReal, KillOfTheActiveKeepsEveryAcknowledgedAlarm) {
  SmRealLab lab;
  const std::string active = lab.wait_pair_ready();
  const std::string standby = sm_lab_peer(active);

  AlarmWriter writer(lab.floating_oam);
  const auto acks_by = [&](std::size_t n, milliseconds limit) {
    const auto end = Clock::now() + limit;
    while (writer.acked().size() < n && Clock::now() < end) std::this_thread::sleep_for(milliseconds(10));
    return writer.acked().size() >= n;
  };
  ASSERT_TRUE(acks_by(20, seconds(5))) << "the floating FM REST API acknowledged " << writer.acked().size()
                                       << " writes in 5 s; failures:\n" << writer.first_failures();

  const double kill_wall = RealLab::wall_now();
  const auto killed_at = Clock::now();
  const std::size_t acked_before = writer.acked().size();
  lab.lab.kill(sm_lab_process(active));  // SIGKILL by PID, reaped

  const auto took_over = lab.lab.expect(
      {.event = "sm.role", .node = standby, .fields = {{"role", "active"}}, .since_wall = kill_wall}, seconds(4));
  EXPECT_EQ(took_over.fields.value("rule", ""), "peer-dead") << took_over.describe();
  // Writes go on through the kill; wait for some acknowledged by the new active.
  ASSERT_TRUE(acks_by(acked_before + 20, seconds(5))) << "no writes acknowledged after the failover; failures:\n"
                                                      << writer.first_failures();
  writer.stop();

  const auto acks = writer.acked();
  double first_ack_after = -1;
  for (const auto& a : acks)
    if (a.at > killed_at) {
      first_ack_after = duration<double>(a.at - killed_at).count();
      break;
    }
  std::printf("kill -> %s active (%s) %.3f s; first acknowledged write after the kill %.3f s; acked %zu (%zu before "
              "the kill), failed writes %zu\n",
              standby.c_str(), took_over.fields.value("rule", "").c_str(), took_over.wall - kill_wall, first_ack_after,
              acks.size(), acked_before, writer.failed());
  std::printf("first failed writes:\n%s", writer.first_failures().c_str());

  std::set<std::string> present;
  for (const auto& a : lab.alarms())
    if (a.value("alarm_id", "") == sm_lab::kProbeAlarm) present.insert(a.value("entity_instance_id", ""));
  std::vector<std::string> missing;
  for (const auto& a : acks)
    if (!present.count(a.entity)) missing.push_back(a.entity);
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << acks.size() << " acknowledged alarms are missing, first "
                               << missing.front();

  const auto s = lab.status();
  ASSERT_TRUE(s) << "the floating SM API does not answer after the failover";
  EXPECT_EQ((*s)["node"], standby);
  EXPECT_EQ((*s)["role"], "active");

  // The killed controller comes back (its own durable store, behind by the writes since the kill): a standby,
  // caught up, and the new active stays.
  const double restart_wall = RealLab::wall_now();
  lab.lab.start(sm_lab_process(active));
  const auto ready = lab.lab.expect(
      {.event = "runtime.ready", .process = sm_lab_process(active), .since_wall = restart_wall}, seconds(1));
  // The active hears the new incarnation's hellos at once (a fresh instance id: nothing of it is a replay
  // of the killed one's), so its writes do not wait on an "away" standby.
  const auto heard = lab.lab.expect(
      {.event = "sm.interface", .node = standby, .fields = {{"status", "ok"}}, .since_wall = restart_wall}, seconds(3));
  EXPECT_LT(heard.wall - ready.wall, 0.5) << "the active heard the restarted " << active << " only "
                                          << heard.wall - ready.wall << " s after it was ready";
  EXPECT_EQ(lab.wait_pair_ready(), standby);
  if (const auto after = lab.status())
    std::printf("restarted %s heard by the active %.3f s after it was ready; the active's hello counters: %s\n",
                active.c_str(), heard.wall - ready.wall, (*after)["peer"]["hellos"].dump().c_str());
  const auto back = lab.lab.find({.event = "sm.role", .node = active, .since_wall = restart_wall});
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.back().fields.value("role", ""), "standby") << back.back().describe();
}

// b) one network of three lost between the controllers: an alarm (400.005 for that interface), never a
// failover; healed: the alarm is cleared.
TEST(HaReal, OneNetworkCutRaises400005WithoutFailover) {
  std::string why;
  ASSERT_TRUE(NetworkCut::available(&why)) << "real network cuts need nftables as root: " << why;
  SmRealLab lab;
  NetworkCut cut;
  const std::string active = lab.wait_pair_ready();

  // Polls the floating status every 100 ms for `d`: every answer must name `active` as active.
  std::vector<std::string> violations;
  const auto hold_active_for = [&](milliseconds d, const std::function<bool()>& also) {
    const auto end = Clock::now() + d;
    bool done = false;
    while (Clock::now() < end) {
      const auto s = lab.status();
      if (!s) violations.push_back("no answer at " + std::to_string(RealLab::wall_now()));
      else if ((*s)["node"] != active || (*s)["role"] != "active")
        violations.push_back("floating status names " + (*s)["node"].dump() + " " + (*s)["role"].dump());
      if (!done && also) done = also();
      std::this_thread::sleep_for(milliseconds(100));
    }
    return done;
  };
  const auto alarm_present = [&] {
    for (const auto& a : lab.alarms())
      if (is_cluster_host_400_005(a)) return true;
    return false;
  };

  const double cut_wall = RealLab::wall_now();
  const auto cut_at = Clock::now();
  cut.drop(lab.lab.address(active, Network::ClusterHost));
  double raised_after = -1;
  int absent_after_raised = 0;  // polls during the cut, after it was raised, that did not see it
  hold_active_for(milliseconds(3500), [&] {
    const bool present = alarm_present();
    if (present && raised_after < 0) raised_after = since(cut_at);
    if (!present && raised_after >= 0) ++absent_after_raised;
    return false;  // keep looking for the whole cut
  });
  const bool raised = raised_after >= 0;
  EXPECT_EQ(absent_after_raised, 0) << "400.005 for cluster-host went away during the cut";
  EXPECT_TRUE(raised) << "no 400.005 host=*.network=cluster-host at the floating FM REST API during the cut";
  std::vector<std::string> entities;
  for (const auto& a : lab.alarms())
    if (is_cluster_host_400_005(a)) entities.push_back(a["entity_instance_id"]);
  EXPECT_TRUE(lab.lab.wait_for({.event = "sm.interface", .fields = {{"network", "cluster-host"}, {"status", "lost"}},
                                .since_wall = cut_wall},
                               milliseconds(0)))
      << "no sm.interface lost for cluster-host";

  const double heal_wall = RealLab::wall_now();
  cut.restore_all();
  const auto healed_at = Clock::now();
  double cleared_after = -1, cleared_wall = 0;
  const bool cleared = hold_active_for(milliseconds(3000), [&] {
    if (alarm_present()) return false;
    cleared_after = since(healed_at);
    cleared_wall = RealLab::wall_now();
    return true;
  });
  EXPECT_TRUE(cleared) << "400.005 for cluster-host still active 3 s after the cut healed";
  // Cleared because the peer's hellos came back on cluster-host, not before.
  const auto back = lab.lab.wait_for(
      {.event = "sm.interface", .fields = {{"network", "cluster-host"}, {"status", "ok"}}, .since_wall = cut_wall},
      milliseconds(0));
  ASSERT_TRUE(back) << "no sm.interface ok for cluster-host after the heal";
  EXPECT_GE(back->wall, heal_wall) << "the peer was heard on cluster-host during the cut: " << back->describe();
  if (cleared) {
    EXPECT_LE(back->wall, cleared_wall) << "400.005 was gone before the interface came back";
  }
  EXPECT_TRUE(violations.empty()) << violations.size() << " status polls broke the rule, first: " << violations.front();
  EXPECT_EQ(lab.lab.count({.event = "sm.role", .since_wall = cut_wall}), 0u) << "a role changed during the cut";
  std::string list;
  for (const auto& e : entities) list += " " + e;
  std::printf("cluster-host cut of %s: 400.005 at the floating FM after %.3f s (%s), cleared %.3f s after the heal; "
              "%s active throughout\n",
              active.c_str(), raised_after, list.c_str(), cleared_after, active.c_str());
}

// Polls GET /v1/alarms at the floating address every `period` (one keep-alive client, as a dashboard
// would) until stopped. A failed poll is retried every 10 ms for up to `retry_bound` from its first
// attempt (what a client of a floating address must do while the address moves); a poll that still has no
// answer then is an error. Every retried poll is kept: when it failed (wall clock, to compare with the
// roostd logs), why, and how long until it got its answer.
class AlarmPoller {
 public:
  struct Retried {
    double first_wall = 0, failed_wall = 0;  // the first attempt began / its failure came back
    double answered_after = -1;              // s from the first attempt to the answer; -1: none within the bound
    int attempts = 0;
    std::string first_error;
    std::string describe() const {
      char buf[256];
      std::snprintf(buf, sizeof buf, "at %.4f: %s; %d attempts, answered after %.3f s", first_wall, first_error.c_str(),
                    attempts, answered_after);
      return buf;
    }
  };

  AlarmPoller(std::string address, milliseconds period, milliseconds retry_bound)
      : address_(std::move(address)), period_(period), retry_bound_(retry_bound), thread_([this] { run(); }) {}
  ~AlarmPoller() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::size_t polls() const { return polls_; }
  // Connections the keep-alive client opened: one at first, then one after each close by the server (the
  // old active closes its floating address's connections when it lets go of the name).
  std::size_t connections() const { return connections_; }
  std::vector<Retried> retried() const {
    std::lock_guard lock(mu_);
    return retried_;
  }

 private:
  static std::string error_of(const backends::HttpClientResult& r) {
    return r.status ? std::to_string(r.status) + " " + r.body : backends::describe_failure(r);
  }
  void run() {
    backends::BlockingHttpClient http(backends::HttpUrl{address_, sm_lab::kFmRestPort, ""}, core::seconds(1));
    while (!stop_) {
      const auto t = Clock::now();
      const double wall = RealLab::wall_now();
      auto r = http.get("/v1/alarms?limit=10");
      ++polls_;
      if (r.status != 200) {
        Retried x{wall, RealLab::wall_now(), -1, 1, error_of(r)};
        while (r.status != 200 && Clock::now() - t < retry_bound_) {
          std::this_thread::sleep_for(milliseconds(10));
          r = http.get("/v1/alarms?limit=10");
          ++x.attempts;
        }
        if (r.status == 200) x.answered_after = since(t);
        std::lock_guard lock(mu_);
        retried_.push_back(x);
      }
      connections_ = http.connections_opened();
      std::this_thread::sleep_until(t + period_);
    }
  }

  std::string address_;
  milliseconds period_, retry_bound_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> polls_{0};
  mutable std::mutex mu_;
  std::vector<Retried> retried_;
  std::thread thread_;
};

// c) ten swacts back and forth (PATCH /v1/servicenode/<active> on the floating address) while a client polls
// the floating FM REST API every 50 ms: every swact moves activity within 1 s; every poll is answered
// within the 1 s swact bound, and a poll that needed a retry failed only while no controller held the
// floating name (between one's floating.release and the other's floating.claim: nothing is bound to the
// address then, and on loopback, where the kernel owns all of 127/8, a connect there is refused at once).
TEST(HaReal, TenSwactsMoveActivityWithoutAClientError) {
  SmRealLab lab;
  std::string active = lab.wait_pair_ready();
  AlarmPoller poller(lab.floating_oam, milliseconds(50), milliseconds(1000));
  std::vector<double> moves;
  int refusals = 0;
  std::string last_refusal;
  for (int i = 0; i < 10; ++i) {
    const std::string peer = sm_lab_peer(active);
    // The pair must be ready again (the new standby in sync, groups stable): the active refuses before.
    lab.wait_pair_ready(milliseconds(5000));
    // The status shows the active's view of the replica; the standby's own "in sync" flag (in its hellos,
    // which the swact also checks) may lag it by a hello period: a refusal for that is retried.
    backends::BlockingHttpClient http(backends::HttpUrl{lab.floating_oam, sm_lab::kSmRestPort, ""}, core::seconds(3));
    const auto first_ask = Clock::now();
    auto asked = first_ask;
    auto r = http.request("PATCH", "/v1/servicenode/" + active, R"({"action": "swact"})");
    while (r.status == 409 && since(first_ask) < 3.0) {
      ++refusals;
      last_refusal = r.body;
      std::this_thread::sleep_for(milliseconds(50));
      asked = Clock::now();
      r = http.request("PATCH", "/v1/servicenode/" + active, R"({"action": "swact"})");
    }
    ASSERT_EQ(r.status, 200) << "swact " << i << " of " << active << ": " << backends::describe_failure(r) << " "
                             << r.body;
    const auto answer = nlohmann::json::parse(r.body);
    EXPECT_EQ(answer.value("new_active", ""), peer) << r.body;
    // Activity moved: the floating endpoint names the peer as active.
    std::optional<double> moved;
    while (!moved && since(asked) < 3.0) {
      if (auto s = lab.status(); s && (*s)["node"] == peer && (*s)["role"] == "active") moved = since(asked);
      else std::this_thread::sleep_for(milliseconds(5));
    }
    ASSERT_TRUE(moved) << "swact " << i << ": the floating endpoint does not name " << peer << " active 3 s later";
    EXPECT_LE(*moved, 1.0) << "swact " << i << " took " << *moved << " s";
    moves.push_back(*moved);
    active = peer;
  }
  std::this_thread::sleep_for(milliseconds(200));  // the last swact's window seen by a few more polls
  poller.stop();

  const auto windows = lab.unheld_windows();
  std::string gaps;
  for (const auto& [a, b] : windows) gaps += " " + std::to_string(1000 * (b - a)).substr(0, 4);
  std::string times;
  for (double m : moves) times += " " + std::to_string(m).substr(0, 5);
  const auto retried = poller.retried();
  std::printf("10 swacts, request -> floating names the new active (s):%s; %d refusals (%s) before they were "
              "accepted\nfloating name held by nobody for (ms):%s\npoller: %zu polls on %zu connections, %zu needed a "
              "retry\n",
              times.c_str(), refusals, last_refusal.c_str(), gaps.c_str(), poller.polls(), poller.connections(),
              retried.size());
  EXPECT_EQ(windows.size(), 10u) << "one release -> claim per swact";
  constexpr double kLogSlack = 0.002;  // a release is logged just after its sockets closed
  for (const auto& x : retried) {
    std::printf("  retried poll %s\n", x.describe().c_str());
    EXPECT_GE(x.answered_after, 0) << "a poll had no answer within the 1 s bound: " << x.describe();
    const bool in_window = std::any_of(windows.begin(), windows.end(), [&](const auto& w) {
      return x.first_wall <= w.second && x.failed_wall >= w.first - kLogSlack;
    });
    EXPECT_TRUE(in_window) << "a poll failed while a controller held the floating name: " << x.describe();
  }
}

}  // namespace
}  // namespace roost::testing
