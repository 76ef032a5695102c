// The dc-manager driven by hand: audit timing, offline/online with 280.001, sync with 280.002, manage/unmanage,
// deploy phases, 10,000 subclouds on one manager, and the registry kept in its store across a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "tests/dc/dc_test_support.h"

namespace {

using namespace roost;
using namespace roost::dc;
using roost::testing::ManagerRig;

TEST(DcManager, AuditsSpreadEvenlyOverTheIntervalAndRepeatExactly) {
  ManagerRig rig(4);
  rig.run(core::milliseconds(2999));
  ASSERT_EQ(rig.audits.size(), 12u);
  for (std::size_t k = 0; k < rig.audits.size(); ++k) {
    EXPECT_EQ(rig.audits[k].first, core::TimePoint(core::milliseconds(250 * static_cast<std::int64_t>(k)))) << k;
    EXPECT_EQ(rig.audits[k].second, "sc" + std::to_string(k % 4 + 1) + ".controller-0");
  }
  // Everyone answered: all online, in sync, no alarm.
  for (const Subcloud* s : rig.manager->registry().subclouds()) {
    EXPECT_EQ(s->availability, Availability::Online) << s->name;
    EXPECT_EQ(s->overall_sync(), SyncStatus::InSync) << s->name;
  }
  EXPECT_TRUE(rig.active.empty());
  EXPECT_EQ(rig.events("dc.availability").size(), 4u);
}

TEST(DcManager, OfflineAtTheSecondFailedAuditAndOnlineAtTheNextSuccess) {
  ManagerRig rig(4);
  rig.run(core::milliseconds(1100));  // sc2 (offset 250 ms) audited OK at 0.25 and 1.25 s? not yet: 1.1 s
  rig.down.insert("sc2.controller-0");  // dies just after its successful audit at 0.25 s
  rig.run(core::milliseconds(1200));   // failed audits at 1.25 and 2.25 s
  const auto offline = rig.events("dc.availability");
  ASSERT_EQ(offline.size(), 5u);
  EXPECT_EQ(ManagerRig::field(offline.back(), "subcloud"), "sc2");
  EXPECT_EQ(ManagerRig::field(offline.back(), "availability"), "offline");
  EXPECT_EQ(ManagerRig::field(offline.back(), "fails"), "2");
  EXPECT_TRUE(rig.has_alarm("280.001", "subcloud=sc2"));
  EXPECT_EQ(rig.active.at("280.001 subcloud=sc2"), fm::Severity::Critical);
  const Subcloud* sc2 = rig.manager->registry().find("sc2");
  EXPECT_EQ(sc2->availability, Availability::Offline);
  EXPECT_EQ(sc2->overall_sync(), SyncStatus::Unknown);  // offline: every endpoint unknown
  // The failed audits were at exactly 1.25 and 2.25 s; the second one took it offline (no timeout here:
  // unreachable fails at once).
  EXPECT_EQ(rig.events("dc.audit_failed").size(), 2u);
  rig.down.clear();
  rig.run(core::milliseconds(1000));  // next audit 3.25 s succeeds
  const auto back = rig.events("dc.availability");
  ASSERT_EQ(back.size(), 6u);
  EXPECT_EQ(ManagerRig::field(back.back(), "availability"), "online");
  EXPECT_EQ(ManagerRig::field(back.back(), "fails"), "0");
  EXPECT_FALSE(rig.has_alarm("280.001", "subcloud=sc2"));
  EXPECT_EQ(rig.manager->registry().find("sc2")->audit_fail_count, 0u);
  // A single failure is not enough.
  rig.down.insert("sc3.controller-0");
  rig.run(core::milliseconds(1000));
  rig.down.clear();
  rig.run(core::milliseconds(1000));
  EXPECT_EQ(rig.manager->registry().find("sc3")->availability, Availability::Online);
  EXPECT_EQ(rig.events("dc.availability").size(), 6u);
}

TEST(DcManager, FailuresCountWhenTheyArriveAndStaleRepliesAreIgnored) {
  ManagerRig rig(1, {{"audit_timeout_ms", 400}});
  rig.run(core::milliseconds(10));
  ASSERT_EQ(rig.manager->registry().find("sc1")->availability, Availability::Online);
  // Hold the audits at 1, 2 and 3 s unanswered; the test plays the runtime's outcomes.
  rig.run(core::milliseconds(985));
  std::vector<roost::testing::ManualEnv::Call> held;
  for (int round = 0; round < 3; ++round) {
    rig.env.advance(core::milliseconds(5));
    for (auto& c : rig.env.calls) held.push_back(std::move(c));
    rig.env.calls.clear();
    rig.env.advance(core::milliseconds(995));
  }
  ASSERT_EQ(held.size(), 3u);
  for (const auto& c : held) EXPECT_EQ(c.timeout, core::milliseconds(400));
  // The audit of 2 s fails first; the older one of 1 s then answers: stale, it changes nothing.
  held[1].done(core::CallFailure{core::CallError::Timeout, "no reply"});
  EXPECT_EQ(rig.manager->registry().find("sc1")->audit_fail_count, 1u);
  dc::AuditReply ok;
  ok.agent_instance = 7;
  held[0].done(core::envelope(ok));
  EXPECT_EQ(rig.manager->registry().find("sc1")->audit_fail_count, 1u);
  EXPECT_EQ(rig.manager->registry().find("sc1")->availability, Availability::Online);
  // The third fails: the second consecutive failure takes it offline.
  held[2].done(core::CallFailure{core::CallError::Timeout, "no reply"});
  EXPECT_EQ(rig.manager->registry().find("sc1")->availability, Availability::Offline);
  rig.pump();
  EXPECT_TRUE(rig.has_alarm("280.001", "subcloud=sc1"));
  const auto failed = rig.events("dc.audit_failed");
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(ManagerRig::field(failed[0], "error"), "timeout: no reply");
}

TEST(DcManager, OutOfSyncRaises280002PushesTheRevisionAndClears) {
  ManagerRig rig(2, {{"revision_bumps", {{{"at_ms", 1500}, {"endpoint", "identity"}}}}});
  rig.down.insert("sc2.controller-0");  // never seen: stays offline, never out-of-sync
  rig.run(core::milliseconds(1400));
  EXPECT_EQ(rig.manager->registry().find("sc1")->overall_sync(), SyncStatus::InSync);
  // At 1.5 s the identity revision moves: sc1 goes out-of-sync at once, gets the push, is back in sync.
  rig.env.advance(core::milliseconds(100));
  EXPECT_EQ(rig.manager->registry().find("sc1")->sync[*endpoint_index("identity")], SyncStatus::OutOfSync);
  std::size_t pushes = 0;
  for (const auto& c : rig.env.calls) pushes += c.request.type == SyncRequest::kType;
  EXPECT_EQ(pushes, 1u);  // pushed at once, not at the next audit
  rig.pump();
  EXPECT_EQ(rig.syncs.size(), 1u);
  EXPECT_EQ(rig.syncs[0].second, "sc1.controller-0 identity");
  EXPECT_EQ(rig.manager->registry().find("sc1")->sync[*endpoint_index("identity")], SyncStatus::InSync);
  EXPECT_FALSE(rig.has_alarm("280.002", "subcloud=sc1.resource=identity"));
  std::vector<std::string> seen;
  for (const auto& r : rig.events("dc.alarm"))
    seen.push_back(ManagerRig::field(r, "alarm_id") + " " + ManagerRig::field(r, "entity") + " " + ManagerRig::field(r, "severity"));
  EXPECT_EQ(seen, (std::vector<std::string>{"280.002 subcloud=sc1.resource=identity major",
                                            "280.002 subcloud=sc1.resource=identity clear"}));
  const auto sync_events = rig.events("dc.sync");
  int notable = 0;
  for (const auto& r : sync_events)
    if (r.level == core::LogLevel::Info) ++notable;
  EXPECT_EQ(notable, 2);  // out-of-sync, then in-sync
  // An audit that reports an older revision (the agent restarted) makes it out-of-sync again and re-pushes.
  rig.held["sc1.controller-0"][*endpoint_index("identity")] = 1;
  rig.run(core::milliseconds(1000));
  EXPECT_EQ(rig.syncs.size(), 2u);
  EXPECT_EQ(rig.manager->registry().find("sc1")->overall_sync(), SyncStatus::InSync);
  EXPECT_EQ(rig.manager->registry().find("sc2")->overall_sync(), SyncStatus::Unknown);
}

TEST(DcManager, UnmanagedSubcloudsAreAuditedButNotSynced) {
  ManagerRig rig(1);
  rig.run(core::milliseconds(10));
  auto r = rig.manager->set_management("sc1", ManagementState::Unmanaged);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value()->overall_sync(), SyncStatus::Unknown);
  rig.manager->bump_revision("platform");
  rig.run(core::milliseconds(2000));
  EXPECT_EQ(rig.audits.size(), 3u);  // still audited for availability
  EXPECT_TRUE(rig.syncs.empty());
  EXPECT_TRUE(rig.active.empty());
  // Delete needs unmanaged and offline.
  EXPECT_EQ(rig.manager->delete_subcloud("sc1").error().message, "subcloud 'sc1' is online: only an offline subcloud can be deleted");
  // Manage again: out-of-sync on platform, pushed, in sync.
  ASSERT_TRUE(rig.manager->set_management("sc1", ManagementState::Managed));
  rig.pump();
  EXPECT_EQ(rig.syncs.size(), 1u);
  EXPECT_EQ(rig.manager->registry().find("sc1")->overall_sync(), SyncStatus::InSync);
  // Managing an offline subcloud is refused.
  rig.down.insert("sc1.controller-0");
  rig.run(core::milliseconds(2000));
  ASSERT_TRUE(rig.manager->set_management("sc1", ManagementState::Unmanaged));
  EXPECT_EQ(rig.manager->set_management("sc1", ManagementState::Managed).error().http_status, 409);
  EXPECT_TRUE(rig.manager->delete_subcloud("sc1"));
  rig.pump();
  EXPECT_FALSE(rig.has_alarm("280.001", "subcloud=sc1"));  // its alarms go with it
  const auto before = rig.audits.size();
  rig.run(core::milliseconds(3000));
  EXPECT_EQ(rig.audits.size(), before);  // and its audits
}

TEST(DcManager, DeployWalksThePhasesAndFailsInThePhaseThatFailed) {
  ManagerRig rig(0);
  rig.fail_phase = static_cast<int>(DeployPhase::Config);
  SubcloudInput in;
  in.name = "new1";
  in.management_subnet = "10.99.0.0/24";
  in.deploy = true;
  auto added = rig.manager->add_subcloud(in);
  ASSERT_TRUE(added);
  rig.run(core::milliseconds(5));
  std::vector<std::string> statuses;
  for (const auto& r : rig.events("dc.deploy")) statuses.push_back(ManagerRig::field(r, "deploy_status"));
  EXPECT_EQ(statuses, (std::vector<std::string>{"pre-install", "installing", "install-complete", "bootstrapping",
                                                "bootstrap-complete", "configuring", "config-failed"}));
  EXPECT_EQ(rig.manager->registry().find("new1")->error_description, "config failed: simulated");
  rig.run(core::milliseconds(3000));
  EXPECT_TRUE(rig.audits.empty());  // a subcloud whose deploy failed is not audited
  rig.fail_phase = 0;
  in.name = "new2";
  in.management_subnet = "10.98.0.0/24";
  ASSERT_TRUE(rig.manager->add_subcloud(in));
  rig.run(core::milliseconds(2000));
  EXPECT_EQ(rig.manager->registry().find("new2")->deploy_status, DeployStatus::Complete);
  EXPECT_EQ(rig.manager->registry().find("new2")->availability, Availability::Online);
}

TEST(DcManager, TenThousandSubcloudsOneAuditEachPerIntervalEvenlySpread) {
  const auto wall0 = std::chrono::steady_clock::now();
  ManagerRig rig(10000, {{"audit_interval_ms", 10000}});
  rig.run(core::seconds(20) - core::milliseconds(1));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  ASSERT_EQ(rig.audits.size(), 20000u);
  // One audit per millisecond: subcloud i at i ms, then again 10 s later.
  for (std::size_t k = 0; k < rig.audits.size(); k += 997)
    EXPECT_EQ(rig.audits[k].first, core::TimePoint(core::milliseconds(static_cast<std::int64_t>(k)))) << k;
  std::size_t online = 0;
  for (const Subcloud* s : rig.manager->registry().subclouds()) online += s->availability == Availability::Online;
  EXPECT_EQ(online, 10000u);
  EXPECT_LT(wall, 20.0) << "the audit loop must stay cheap";
  RecordProperty("wall_s", std::to_string(wall));
}

TEST(DcManager, ClearsWhatAnEarlierIncarnationRaisedOnceThatNoLongerHolds) {
  ManagerRig rig(3, {}, {{"280.001 subcloud=sc1", fm::Severity::Critical},
                         {"280.002 subcloud=sc2.resource=platform", fm::Severity::Major},
                         {"280.001 subcloud=gone", fm::Severity::Critical},
                         {"280.001 subcloud=sc3", fm::Severity::Critical}});
  rig.down.insert("sc3.controller-0");  // still unreachable: its alarm stays
  rig.run(core::milliseconds(1500));
  EXPECT_EQ(rig.active, (std::map<std::string, fm::Severity>{{"280.001 subcloud=sc3", fm::Severity::Critical}}));
  std::size_t clears = 0;
  for (const auto& r : rig.events("dc.alarm")) clears += ManagerRig::field(r, "severity") == "clear";
  EXPECT_EQ(clears, 2u);  // sc1's 280.001 and sc2's 280.002 (the unknown subcloud's is cleared without a record)
  rig.down.clear();
  rig.run(core::milliseconds(1000));
  EXPECT_TRUE(rig.active.empty());
}

// A store whose writes fail on demand: a full or broken disk under the manager.
class FailingStore final : public SubcloudStore {
 public:
  std::vector<SubcloudGroup> load_groups() override { return disk.load_groups(); }
  std::vector<Subcloud> load_subclouds() override { return disk.load_subclouds(); }
  void put_group(const SubcloudGroup& g) override { check(), disk.put_group(g); }
  void remove_group(std::uint64_t id) override { check(), disk.remove_group(id); }
  void put_subcloud(const Subcloud& s) override { check(), disk.put_subcloud(s); }
  void remove_subcloud(std::uint64_t id) override { check(), disk.remove_subcloud(id); }
  void check() const {
    if (fail) throw StoreError("dc.db: write a subcloud: database or disk is full");
  }
  MemorySubcloudStore disk;
  bool fail = false;
};

SubcloudInput input(const std::string& name, const std::string& subnet) {
  SubcloudInput in;
  in.name = name;
  in.management_subnet = subnet;
  return in;
}

TEST(DcManager, WhatOperatorsChangedOutlivesTheManagerInItsStore) {
  auto store = std::make_shared<MemorySubcloudStore>();
  {
    ManagerRig first(3, {}, {}, store);
    ASSERT_TRUE(first.manager->add_group(GroupInput{"edge", std::string("far away"), ApplyType::Serial, 4u}));
    auto in = input("sc9", "10.9.9.0/24");
    in.group = "edge";
    in.description = "added at run time";
    ASSERT_TRUE(first.manager->add_subcloud(in));
    ASSERT_TRUE(first.manager->set_management("sc2", ManagementState::Unmanaged));
    ASSERT_TRUE(first.manager->delete_subcloud("sc2"));  // unmanaged and (never audited) offline
    ASSERT_TRUE(first.manager->set_text("sc3", "location", "rack 7"));
    first.run(core::milliseconds(1500));                 // audited: online (not kept: audits find it again)
    EXPECT_EQ(first.manager->registry().find("sc1")->availability, Availability::Online);
  }
  // Restarted with another config: the store, once written, is what counts.
  ManagerRig again(5, {}, {}, store);
  const auto& reg = again.manager->registry();
  std::vector<std::string> names;
  for (const Subcloud* s : reg.subclouds()) names.push_back(s->name + "#" + std::to_string(s->id));
  EXPECT_EQ(names, (std::vector<std::string>{"sc1#1", "sc3#3", "sc9#4"}));
  EXPECT_EQ(reg.find("sc9")->description, "added at run time");
  EXPECT_EQ(reg.find("sc9")->group_id, reg.find_group("edge")->id);
  EXPECT_EQ(reg.find_group("edge")->max_parallel_subclouds, 4u);
  EXPECT_EQ(reg.find("sc3")->location, "rack 7");
  EXPECT_EQ(reg.find("sc1")->availability, Availability::Offline);  // until its first audit
  ASSERT_EQ(again.events("dc.restored").size(), 1u);
  EXPECT_EQ(ManagerRig::field(again.events("dc.restored")[0], "subclouds"), "3");
  // New ids go on after the stored ones; the restored subclouds are audited again.
  EXPECT_EQ(again.manager->add_subcloud(input("sc10", "10.10.10.0/24")).value()->id, 5u);
  again.run(core::milliseconds(1500));
  EXPECT_EQ(reg.find("sc9")->availability, Availability::Online);
  EXPECT_EQ(reg.find("sc1")->availability, Availability::Online);
}

TEST(DcManager, ADeployItWasRunningFailsWhenTheManagerRestarts) {
  auto store = std::make_shared<MemorySubcloudStore>();
  {
    ManagerRig first(0, {}, {}, store);
    auto in = input("new1", "10.99.0.0/24");
    in.deploy = true;
    ASSERT_TRUE(first.manager->add_subcloud(in));
    first.env.advance(core::Duration(0));  // the install phase is asked for, never answered
    EXPECT_EQ(first.manager->registry().find("new1")->deploy_status, DeployStatus::Installing);
  }
  ManagerRig again(0, {}, {}, store);
  const Subcloud* s = again.manager->registry().find("new1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->deploy_status, DeployStatus::InstallFailed);
  EXPECT_EQ(s->error_description, "installing interrupted: the system controller restarted");
  EXPECT_EQ(store->load_subclouds().at(0).deploy_status, DeployStatus::InstallFailed);  // and it is kept so
}

TEST(DcManager, AChangeTheStoreCannotKeepIsRefusedAndNothingChanges) {
  auto store = std::make_shared<FailingStore>();
  ManagerRig rig(2, {}, {}, store);
  store->fail = true;
  auto added = rig.manager->add_subcloud(input("sc9", "10.9.9.0/24"));
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().http_status, 500);
  EXPECT_EQ(added.error().message,
            "subcloud 'sc9' could not be written to the subcloud store (dc.db: write a subcloud: database or disk is "
            "full); nothing was changed");
  EXPECT_EQ(rig.manager->registry().find("sc9"), nullptr);
  EXPECT_FALSE(rig.manager->set_management("sc1", ManagementState::Unmanaged));
  EXPECT_EQ(rig.manager->registry().find("sc1")->management_state, ManagementState::Managed);
  EXPECT_FALSE(rig.manager->set_text("sc1", "description", "x"));
  EXPECT_EQ(rig.manager->registry().find("sc1")->description, "");
  EXPECT_FALSE(rig.manager->add_group(GroupInput{"edge", std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(rig.manager->registry().find_group("edge"), nullptr);
  store->fail = false;
  ASSERT_TRUE(rig.manager->add_group(GroupInput{"edge", std::nullopt, std::nullopt, std::nullopt}));
  ASSERT_TRUE(rig.manager->set_management("sc2", ManagementState::Unmanaged));
  store->fail = true;
  EXPECT_FALSE(rig.manager->set_group("sc1", "edge"));
  EXPECT_EQ(rig.manager->registry().find("sc1")->group_id, kDefaultGroupId);
  EXPECT_EQ(rig.manager->registry().member_count(kDefaultGroupId), 2u);
  EXPECT_FALSE(rig.manager->delete_subcloud("sc2"));
  EXPECT_NE(rig.manager->registry().find("sc2"), nullptr);
  EXPECT_FALSE(rig.manager->delete_group("edge"));
  EXPECT_NE(rig.manager->registry().find_group("edge"), nullptr);
  EXPECT_FALSE(rig.manager->update_group("edge", GroupInput{"", std::string("new"), std::nullopt, std::nullopt}));
  EXPECT_EQ(rig.manager->registry().find_group("edge")->description, "");
  EXPECT_EQ(rig.events("dc.store_failed").size(), 8u);
  // The disk holds what was accepted, and only that.
  store->fail = false;
  ManagerRig again(0, {}, {}, store);
  EXPECT_EQ(again.manager->registry().size(), 2u);
  EXPECT_EQ(again.manager->registry().find("sc2")->management_state, ManagementState::Unmanaged);
  EXPECT_NE(again.manager->registry().find_group("edge"), nullptr);
}

TEST(DcManager, ContradictingStoredRecordsStopTheManagerNamingThem) {
  auto store = std::make_shared<MemorySubcloudStore>();
  { ManagerRig first(2, {}, {}, store); }
  Subcloud twin = store->load_subclouds().at(0);
  twin.id = 7;  // same name as subcloud 1
  store->put_subcloud(twin);
  try {
    ManagerRig again(0, {}, {}, store);
    ADD_FAILURE() << "a store with two subclouds named sc1 was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "dc-manager: the subcloud store holds contradicting records: stored subcloud 7 ('sc1'): name 'sc1' is taken");
  }
}

TEST(DcManager, ConfigErrorsNameTheKey) {
  auto fails = [](nlohmann::json cfg, const std::string& expected) {
    roost::testing::ManualEnv env;
    try {
      dc::DcManager m(env, core::NodeSpec{"n", "dc-manager", "s", cfg});
      ADD_FAILURE() << "accepted " << cfg.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  fails(nlohmann::json::object(), "dc-manager config: fm_node: required");
  fails({{"fm_node", "f"}, {"audit_interval", 5}}, "dc-manager config: audit_interval: unknown key");
  fails({{"fm_node", "f"}, {"subclouds", {{{"name", "a"}, {"management_subnet", "10.0.0.0/24"}},
                                          {{"name", "b"}, {"management_subnet", "10.0.0.0/25"}}}}},
        "subclouds[1] (b): management-subnet: 10.0.0.0/25 overlaps the management subnet of subcloud 'a'");
  fails({{"fm_node", "f"}, {"subclouds", {{{"name", "a"}, {"management_subnet", "10.0.0.0/24"}, {"group", "east"}}}}},
        "subclouds[0] (a): group_id: no subcloud group 'east'");
  fails({{"fm_node", "f"}, {"revision_bumps", {{{"at_ms", 5}, {"endpoint", "dns"}}}}},
        "revision_bumps[0]: endpoint: 'dns' is not an endpoint type");
  // Groups first, then subclouds may use them.
  roost::testing::ManualEnv env;
  dc::DcManager ok(env, core::NodeSpec{"n", "dc-manager", "s",
                                       {{"fm_node", "f"}, {"groups", {{{"name", "east"}, {"update_apply_type", "serial"}}}},
                                        {"subclouds", {{{"name", "a"}, {"management_subnet", "10.0.0.0/24"}, {"group", "east"}}}}}});
  ok.start();
  EXPECT_EQ(ok.registry().find("a")->group_id, 2u);
}

TEST(DcManager, AnAdditionBeforeStartIsRefusedNotLost) {
  // Before start() the store is not open: an accepted addition would vanish or clash with the restore.
  roost::testing::ManualEnv env;
  dc::DcManager m(env, core::NodeSpec{"n", "dc-manager", "s", {{"fm_node", "f"}}});
  SubcloudInput in;
  in.name = "early";
  in.management_subnet = "10.9.0.0/24";
  auto refused = m.add_subcloud(in);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().http_status, 503);
  EXPECT_NE(refused.error().message.find("'early'"), std::string::npos) << refused.error().message;
  m.start();
  EXPECT_EQ(m.registry().size(), 0u);
  EXPECT_TRUE(m.add_subcloud(in));
}

}  // namespace
