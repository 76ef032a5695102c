// Inventory: validation of what operators add and change, ids and uuids, persistence through the
// HostStore (and what a store failure leaves behind), state changes and their logs, the listener.
#include <gtest/gtest.h>

#include "platform/inv/host_record.h"
#include "platform/inv/inventory.h"
#include "tests/inv/inv_test_support.h"

namespace roost::inv {
namespace {

using nlohmann::json;
using testing::field;
using testing::Fixture;
using testing::input;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(Inventory, LoadCreatesTheSystemOnceAndKeepsIt) {
  Fixture f;
  System initial;
  initial.name = "lab";
  initial.system_mode = "simplex";
  Inventory inv(f.deps());
  inv.load(initial);
  EXPECT_EQ(inv.system().uuid, "uuid-1");
  EXPECT_EQ(inv.system().name, "lab");
  EXPECT_EQ(inv.system().created_at_us, f.now_us);
  ASSERT_TRUE(f.store->inner.load_system());

  Inventory again(f.deps());
  System other;
  other.name = "ignored";
  again.load(other);  // the store has a system: `initial` is not used
  EXPECT_EQ(again.system().uuid, "uuid-1");
  EXPECT_EQ(again.system().name, "lab");
}

TEST(Inventory, AddGivesIdsUuidsAndTheInitialStates) {
  Fixture f;
  std::vector<std::string> added;
  auto inv = f.make({.on_added = [&](const Host& h) { added.push_back(h.hostname); }});
  f.now_us += 5;
  auto a = inv->add(input("controller-0", Personality::Controller));
  ASSERT_TRUE(a) << a.error().message;
  HostInput unlocked = input("worker-0");
  unlocked.administrative = AdminState::Unlocked;
  auto b = inv->add(unlocked);
  ASSERT_TRUE(b);

  EXPECT_EQ(a.value().id, 1u);
  EXPECT_EQ(b.value().id, 2u);
  EXPECT_EQ(a.value().uuid, "uuid-2");  // uuid-1 is the system's
  EXPECT_EQ(a.value().administrative, AdminState::Locked);
  EXPECT_EQ(a.value().operational, OperState::Disabled);
  EXPECT_EQ(a.value().availability, AvailState::Offline);
  EXPECT_EQ(a.value().invprovision, InvProvision::Unprovisioned);
  EXPECT_EQ(a.value().subfunctions, std::vector<std::string>{"controller"});
  EXPECT_EQ(a.value().created_at_us, f.now_us);
  EXPECT_EQ(a.value().updated_at_us, f.now_us);
  EXPECT_EQ(b.value().administrative, AdminState::Unlocked);
  EXPECT_EQ(b.value().operational, OperState::Disabled);
  EXPECT_EQ(added, (std::vector<std::string>{"controller-0", "worker-0"}));

  const auto stored = f.store->inner.load_hosts();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_TRUE(same_host(stored[0], a.value()));
  const auto logs = f.log.with_event("host.added");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(field(logs[0], "host"), "controller-0");
  EXPECT_EQ(field(logs[0], "uuid"), "uuid-2");
  EXPECT_EQ(field(logs[1], "administrative"), "unlocked");
}

TEST(Inventory, HostnamesMustBeValidAndUnique) {
  Fixture f;
  auto inv = f.make();
  for (const std::string& bad : std::vector<std::string>{"", "Worker-1", "worker_1", "worker.1", "-worker",
                                                         "worker-", "123", std::string(64, 'a'), "a..b", ".a", "a.",
                                                         "sc-1.-c0", std::string(64, 'a') + ".b"}) {
    auto r = inv->add(input(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().http_status, 400) << bad;
    EXPECT_TRUE(contains(r.error().message, "hostname: '" + bad + "' is not a valid host name")) << r.error().message;
  }
  ASSERT_TRUE(inv->add(input(std::string(63, 'a'))));
  ASSERT_TRUE(inv->add(input("worker-1")));
  ASSERT_TRUE(inv->add(input("subcloud-0007.controller-0")));  // a fleet's host names: dot-separated labels
  ASSERT_TRUE(inv->add(input("0worker")));
  auto dup = inv->add(input("worker-1", Personality::Storage));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().http_status, 409);
  EXPECT_EQ(dup.error().message, "hostname: host 'worker-1' already exists (id 2)");
  EXPECT_EQ(inv->hosts().size(), 4u);
}

TEST(Inventory, MacAddressesAreCheckedNormalizedAndUnique) {
  Fixture f;
  auto inv = f.make();
  HostInput a = input("worker-0");
  a.mgmt_mac = "08:00:27:AA:bb:CC";
  auto r = inv->add(a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().mgmt_mac, "08:00:27:aa:bb:cc");

  HostInput b = input("worker-1");
  b.mgmt_mac = "08:00:27:aa:BB:cc";
  auto dup = inv->add(b);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().http_status, 409);
  EXPECT_EQ(dup.error().message, "host worker-1: mgmt_mac: 08:00:27:aa:bb:cc is already used by host 'worker-0'");

  for (const std::string bad : {"08:00:27:aa:bb", "08-00-27-aa-bb-cc", "08:00:27:aa:bb:cg", "0800.27aa.bbcc",
                                "08:00:27:aa:bb:cc:dd", "8:0:27:aa:bb:cc"}) {
    b.mgmt_mac = bad;
    auto e = inv->add(b);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().http_status, 400);
    EXPECT_EQ(e.error().message, "host worker-1: mgmt_mac: '" + bad + "' is not a MAC address (like 08:00:27:aa:bb:cc)");
  }
  b.mgmt_mac = "";  // no MAC yet: allowed (controller-0 is often added that way)
  EXPECT_TRUE(inv->add(b));
}

TEST(Inventory, BoardManagementNeedsAddressAndUserAndTheAddressMustParse) {
  Fixture f;
  auto inv = f.make();
  HostInput h = input("worker-0");
  h.bm_type = BmType::Ipmi;
  auto e = inv->add(h);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().http_status, 400);
  EXPECT_EQ(e.error().message, "host worker-0: bm_ip: required when bm_type is ipmi");
  h.bm_ip = "10.0.0.10";
  h.bm_type = BmType::Redfish;
  e = inv->add(h);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "host worker-0: bm_username: required when bm_type is redfish");

  h.bm_username = "admin";
  for (const std::string bad : {"10.0.0.300", "10.0.0", "010.0.0.1", "bmc_1.lab", "-bmc.lab", "fe80:::1",
                                "1:2:3:4:5:6:7:8:9", "10.0.0.1.", "bmc..lab"}) {
    h.bm_ip = bad;
    auto r = inv->add(h);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, "host worker-0: bm_ip: '" + bad + "' is not an IPv4 or IPv6 address or a DNS name");
  }
  int n = 0;
  for (const std::string good : {"10.0.0.10", "fe80::1", "::ffff:10.0.0.1", "2001:db8:0:0:0:0:0:1", "::",
                                 "bmc-1.lab.example", "bmc1", "bmc.lab."}) {
    h.hostname = "worker-" + std::to_string(n++);
    h.bm_ip = good;
    auto r = inv->add(h);
    EXPECT_TRUE(r) << good << ": " << r.error().message;
  }
  // A bm_ip without a bm_type is kept (the type may come later).
  HostInput later = input("storage-0", Personality::Storage);
  later.bm_ip = "10.0.0.99";
  EXPECT_TRUE(inv->add(later));
}

TEST(Inventory, OtherFieldRules) {
  Fixture f;
  auto inv = f.make();
  HostInput h = input("worker-0");
  h.mgmt_ip = "192.168.204.300";
  EXPECT_EQ(inv->add(h).error().message, "host worker-0: mgmt_ip: '192.168.204.300' is not an IPv4 or IPv6 address");
  h.mgmt_ip = "192.168.204.10";
  h.subfunctions = {"worker", "gpu"};
  EXPECT_EQ(inv->add(h).error().message,
            "host worker-0: subfunctions: 'gpu' is not one of controller, worker, storage, lowlatency");
  h.subfunctions = {"controller"};
  EXPECT_EQ(inv->add(h).error().message, "host worker-0: subfunctions: must include the personality 'worker'");
  h.subfunctions = {"worker", "lowlatency"};
  h.install_output = "serial";
  EXPECT_EQ(inv->add(h).error().message, "host worker-0: install_output: 'serial' is not one of text, graphical");
  h.install_output = "graphical";
  h.location = json::array();
  EXPECT_EQ(inv->add(h).error().message, "host worker-0: location: expected an object");
  h.location = {{"locality", "rack 1"}};
  auto ok = inv->add(h);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value().subfunctions, (std::vector<std::string>{"worker", "lowlatency"}));
  EXPECT_EQ(inv->hosts().size(), 1u);
}

TEST(Inventory, BulkAddGoesOnPastErrors) {
  Fixture f;
  auto inv = f.make();
  HostInput bad_bmc = input("worker-1");
  bad_bmc.bm_type = BmType::Ipmi;
  const BulkResult r = inv->add_bulk({input("worker-0"), bad_bmc, input(""), input("worker-0"), input("worker-2")});
  EXPECT_EQ(r.added, (std::vector<std::string>{"worker-0", "worker-2"}));
  ASSERT_EQ(r.failed.size(), 3u);
  EXPECT_EQ(r.failed[0].first, "worker-1");
  EXPECT_EQ(r.failed[0].second.http_status, 400);
  EXPECT_EQ(r.failed[1].first, "#2");
  EXPECT_EQ(r.failed[2].first, "worker-0");
  EXPECT_EQ(r.failed[2].second.http_status, 409);
  EXPECT_EQ(inv->hosts().size(), 2u);
}

TEST(Inventory, AStoreFailureOnAddAnswers500AndChangesNothing) {
  Fixture f;
  int added = 0;
  auto inv = f.make({.on_added = [&](const Host&) { ++added; }});
  ASSERT_TRUE(inv->add(input("worker-0")));
  f.store->fail_next = 1;
  auto r = inv->add(input("worker-1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_EQ(r.error().message,
            "host worker-1: the inventory store failed: test.db: write a host: database or disk is full (SQLITE_FULL)");
  EXPECT_EQ(inv->find("worker-1"), nullptr);
  EXPECT_EQ(inv->hosts().size(), 1u);
  EXPECT_EQ(added, 1);
  EXPECT_EQ(f.store->inner.load_hosts().size(), 1u);
  // The id was not used up: the next host takes it, as if the failed add never happened.
  auto next = inv->add(input("worker-1"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next.value().id, 2u);
}

TEST(Inventory, FindsByHostnameUuidOrId) {
  Fixture f;
  auto inv = f.make();
  ASSERT_TRUE(inv->add(input("worker-0")));
  ASSERT_TRUE(inv->add(input("worker-1")));
  const Host* w1 = inv->find("worker-1");
  ASSERT_NE(w1, nullptr);
  EXPECT_EQ(inv->find(w1->uuid), w1);
  EXPECT_EQ(inv->find("2"), w1);
  EXPECT_EQ(inv->find("3"), nullptr);
  EXPECT_EQ(inv->find("worker-9"), nullptr);
  EXPECT_EQ(inv->find(""), nullptr);
  EXPECT_EQ(inv->find("99999999999999999999999"), nullptr);
  const auto all = inv->hosts();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->hostname, "worker-0");
}

TEST(Inventory, UpdateFieldsChangesEditableFieldsDurably) {
  Fixture f;
  auto inv = f.make();
  HostInput h = input("worker-0");
  h.bm_password = "old";
  ASSERT_TRUE(inv->add(h));
  f.now_us += 1000;
  auto r = inv->update_fields("worker-0", json{{"bm_type", "ipmi"},
                                               {"bm_ip", "10.0.0.5"},
                                               {"bm_username", "admin"},
                                               {"bm_password", "new-secret"},
                                               {"bm_port", 6230},
                                               {"location", {{"locality", "rack 9"}}},
                                               {"mgmt_mac", "08:00:27:00:00:0A"},
                                               {"subfunctions", "worker,lowlatency"},
                                               {"clock_synchronization", "ptp"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r.value().bm_type, BmType::Ipmi);
  EXPECT_EQ(r.value().bm_password, "new-secret");
  EXPECT_EQ(r.value().bm_port, 6230);
  EXPECT_EQ(r.value().mgmt_mac, "08:00:27:00:00:0a");
  EXPECT_EQ(r.value().updated_at_us, f.now_us);
  EXPECT_EQ(r.value().clock_synchronization, ClockSync::Ptp);
  const auto logs = f.log.with_event("host.updated");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(field(logs[0], "fields"),
            "bm_ip,bm_password,bm_port,bm_type,bm_username,clock_synchronization,location,mgmt_mac,subfunctions");
  for (const auto& rec : f.log.records) {
    for (const auto& fl : rec.fields) {
      if (const auto* s = std::get_if<std::string>(&fl.value)) {
        EXPECT_FALSE(contains(*s, "new-secret"));
      }
    }
  }

  Inventory reloaded(f.deps());
  reloaded.load(System{});
  ASSERT_NE(reloaded.find("worker-0"), nullptr);
  EXPECT_TRUE(same_host(*reloaded.find("worker-0"), r.value()));

  // Nothing changes: nothing is written.
  const int writes = f.store->host_writes;
  auto same = inv->update_fields("1", json{{"bm_ip", "10.0.0.5"}});
  ASSERT_TRUE(same);
  EXPECT_EQ(f.store->host_writes, writes);
  EXPECT_EQ(f.log.with_event("host.updated").size(), 1u);
}

TEST(Inventory, UpdateFieldsRefusesStatesActionsUnknownFieldsAndBadValues) {
  Fixture f;
  auto inv = f.make();
  HostInput w0 = input("worker-0");
  w0.mgmt_mac = "08:00:27:00:00:01";
  ASSERT_TRUE(inv->add(w0));
  ASSERT_TRUE(inv->add(input("worker-1")));
  const Host before = *inv->find("worker-1");
  const auto refuse = [&](const json& patch, int status, const std::string& message) {
    auto r = inv->update_fields("worker-1", patch);
    ASSERT_FALSE(r) << patch.dump();
    EXPECT_EQ(r.error().http_status, status) << patch.dump();
    EXPECT_EQ(r.error().message, message);
    EXPECT_TRUE(same_host(*inv->find("worker-1"), before));
  };
  refuse(json{{"administrative", "unlocked"}}, 400,
         "host worker-1: administrative: a state, not a field: maintenance changes it (use an action: lock, unlock, "
         "reboot, ...)");
  refuse(json{{"availability", "available"}}, 400,
         "host worker-1: availability: a state, not a field: maintenance changes it (use an action: lock, unlock, "
         "reboot, ...)");
  refuse(json{{"task", ""}}, 400,
         "host worker-1: task: a state, not a field: maintenance changes it (use an action: lock, unlock, reboot, ...)");
  refuse(json{{"action", "lock"}}, 400, "host worker-1: action: not a field: lifecycle actions go through maintenance");
  refuse(json{{"uuid", "x"}}, 400, "host worker-1: uuid: read-only");
  refuse(json{{"colour", "red"}}, 400, "host worker-1: unknown field 'colour'");
  refuse(json{{"bm_type", "ipmx"}}, 400, "host worker-1: bm_type: 'ipmx' is not one of none, dynamic, ipmi, redfish");
  refuse(json{{"bm_type", "ipmi"}}, 400, "host worker-1: bm_ip: required when bm_type is ipmi");
  refuse(json{{"mgmt_mac", "08:00:27:00:00:01"}}, 409,
         "host worker-1: mgmt_mac: 08:00:27:00:00:01 is already used by host 'worker-0'");
  refuse(json{{"hostname", "worker-0"}}, 409, "hostname: host 'worker-0' already exists (id 1)");
  refuse(json::array(), 400, "host worker-1: expected an object of fields to change");
  auto missing = inv->update_fields("worker-7", json{{"console", "tty0"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().http_status, 404);
  EXPECT_EQ(missing.error().message, "host 'worker-7' not found");
}

TEST(Inventory, HostnameAndPersonalityChangeOnlyWhileLocked) {
  Fixture f;
  std::vector<std::string> events;
  auto inv = f.make({.on_added = [&](const Host& h) { events.push_back("+" + h.hostname); },
                     .on_removed = [&](const Host& h) { events.push_back("-" + h.hostname); }});
  ASSERT_TRUE(inv->add(input("worker-0")));
  inv->set_states("worker-0", AdminState::Unlocked, OperState::Enabled, AvailState::Available, "");
  auto r = inv->update_fields("worker-0", json{{"hostname", "worker-9"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 409);
  EXPECT_EQ(r.error().message, "host worker-0: hostname: can only be changed while the host is locked");
  r = inv->update_fields("worker-0", json{{"personality", "storage"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 409);
  // Giving the current value is not a change.
  EXPECT_TRUE(inv->update_fields("worker-0", json{{"hostname", "worker-0"}, {"console", "ttyS0"}}));

  inv->set_states("worker-0", AdminState::Locked, OperState::Disabled, AvailState::Online, "");
  r = inv->update_fields("worker-0", json{{"hostname", "storage-0"}, {"personality", "storage"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r.value().hostname, "storage-0");
  EXPECT_EQ(r.value().personality, Personality::Storage);
  EXPECT_EQ(r.value().subfunctions, std::vector<std::string>{"storage"});  // follows the personality
  EXPECT_EQ(inv->find("worker-0"), nullptr);
  EXPECT_EQ(inv->find("storage-0")->id, 1u);
  EXPECT_EQ(events, (std::vector<std::string>{"+worker-0", "-worker-0", "+storage-0"}));
}

TEST(Inventory, AStoreFailureOnUpdateOrRemoveKeepsTheHostAsItWas) {
  Fixture f;
  int removed = 0;
  auto inv = f.make({.on_removed = [&](const Host&) { ++removed; }});
  ASSERT_TRUE(inv->add(input("worker-0")));
  const Host before = *inv->find("worker-0");
  f.store->fail_next = 1;
  auto u = inv->update_fields("worker-0", json{{"console", "ttyS1"}});
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().http_status, 500);
  EXPECT_TRUE(same_host(*inv->find("worker-0"), before));
  f.store->fail_next = 1;
  auto r = inv->remove("worker-0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_TRUE(contains(r.error().message, "host worker-0: the inventory store failed: test.db: remove a host"));
  EXPECT_NE(inv->find("worker-0"), nullptr);
  EXPECT_EQ(removed, 0);
}

TEST(Inventory, RemoveForgetsTheHostDurably) {
  Fixture f;
  std::vector<std::string> removed;
  auto inv = f.make({.on_removed = [&](const Host& h) { removed.push_back(h.hostname); }});
  ASSERT_TRUE(inv->add(input("worker-0")));
  ASSERT_TRUE(inv->add(input("worker-1")));
  auto r = inv->remove("1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().hostname, "worker-0");
  EXPECT_EQ(removed, std::vector<std::string>{"worker-0"});
  EXPECT_EQ(inv->find("worker-0"), nullptr);
  ASSERT_EQ(f.store->inner.load_hosts().size(), 1u);
  EXPECT_EQ(f.store->inner.load_hosts()[0].hostname, "worker-1");
  const auto logs = f.log.with_event("host.removed");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(field(logs[0], "host"), "worker-0");
  auto again = inv->remove("worker-0");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().http_status, 404);
  // The name is free again.
  EXPECT_TRUE(inv->add(input("worker-0")));
}

TEST(Inventory, SetStatesPersistsStampsAndLogsOnlyChanges) {
  Fixture f;
  auto inv = f.make();
  ASSERT_TRUE(inv->add(input("worker-0")));
  f.now_us += 42;
  inv->set_states("worker-0", AdminState::Unlocked, OperState::Enabled, AvailState::Available, "");
  const Host& h = *inv->find("worker-0");
  EXPECT_EQ(h.administrative, AdminState::Unlocked);
  EXPECT_EQ(h.updated_at_us, f.now_us);
  auto logs = f.log.with_event("host.state");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(field(logs[0], "host"), "worker-0");
  EXPECT_EQ(field(logs[0], "administrative"), "unlocked");
  EXPECT_EQ(field(logs[0], "operational"), "enabled");
  EXPECT_EQ(field(logs[0], "availability"), "available");
  EXPECT_EQ(field(logs[0], "task"), "");

  const int writes = f.store->host_writes;
  inv->set_states("worker-0", AdminState::Unlocked, OperState::Enabled, AvailState::Available, "");
  EXPECT_EQ(f.store->host_writes, writes);
  EXPECT_EQ(f.log.with_event("host.state").size(), 1u);

  inv->set_task("worker-0", "Rebooting");
  logs = f.log.with_event("host.state");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(field(logs[1], "task"), "Rebooting");
  EXPECT_EQ(field(logs[1], "availability"), "available");

  inv->set_uptime("worker-0", 3600);  // memory only
  EXPECT_EQ(inv->find("worker-0")->uptime_s, 3600);
  EXPECT_EQ(f.store->inner.load_hosts()[0].uptime_s, 0);

  inv->set_states("gone", AdminState::Locked, OperState::Disabled, AvailState::Offline, "");  // ignored
  inv->set_task("gone", "x");
  inv->set_uptime("gone", 1);

  Inventory reloaded(f.deps());
  reloaded.load(System{});
  const Host* r = reloaded.find("worker-0");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->administrative, AdminState::Unlocked);
  EXPECT_EQ(r->operational, OperState::Enabled);
  EXPECT_EQ(r->availability, AvailState::Available);
  EXPECT_EQ(r->task, "Rebooting");
}

TEST(Inventory, SetStatesKeepsMemoryWhenTheStoreFailsAndCatchesUpLater) {
  Fixture f;
  auto inv = f.make();
  ASSERT_TRUE(inv->add(input("worker-0")));
  f.store->fail_next = 1;
  inv->set_states("worker-0", AdminState::Locked, OperState::Disabled, AvailState::Online, "");
  EXPECT_EQ(inv->find("worker-0")->availability, AvailState::Online);
  const auto errors = f.log.with_event("host.store_failed");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].level, core::LogLevel::Error);
  EXPECT_TRUE(contains(field(errors[0], "error"), "test.db: write a host"));
  EXPECT_EQ(f.store->inner.load_hosts()[0].availability, AvailState::Offline);
  inv->set_task("worker-0", "Enabling");
  EXPECT_EQ(f.store->inner.load_hosts()[0].availability, AvailState::Online);
}

TEST(Inventory, MachineInventoryMakesTheHostInventoried) {
  Fixture f;
  auto inv = f.make();
  ASSERT_TRUE(inv->add(input("worker-0")));
  const auto m = testing::sample_machine("worker-0", 8);
  inv->set_machine_inventory("worker-0", m);
  EXPECT_EQ(inv->find("worker-0")->invprovision, InvProvision::Inventoried);
  EXPECT_EQ(inv->find("worker-0")->inventory, m);
  const auto logs = f.log.with_event("host.inventory");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(field(logs[0], "cpus"), "8");
  EXPECT_EQ(field(logs[0], "sockets"), "4");
  EXPECT_EQ(field(logs[0], "invprovision"), "inventoried");
  ASSERT_TRUE(f.store->inner.load_hosts()[0].inventory);
  EXPECT_EQ(*f.store->inner.load_hosts()[0].inventory, m);

  const int writes = f.store->host_writes;
  inv->set_machine_inventory("worker-0", m);  // the agent repeats itself: nothing to write
  EXPECT_EQ(f.store->host_writes, writes);
  auto changed = m;
  changed.kernel = "Linux 6.1.0-14-amd64";
  inv->set_machine_inventory("worker-0", changed);
  EXPECT_EQ(f.store->host_writes, writes + 1);
  EXPECT_EQ(f.log.with_event("host.inventory").size(), 2u);
  inv->set_machine_inventory("nobody", m);
}

TEST(Inventory, UpdateSystemTakesOnlyEditableFields) {
  Fixture f;
  auto inv = f.make();
  auto r = inv->update_system(json{{"name", "edge-1"}, {"contact", "noc"}, {"system_mode", "duplex-direct"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(inv->system().name, "edge-1");
  EXPECT_EQ(inv->system().system_mode, "duplex-direct");
  EXPECT_EQ(f.store->inner.load_system()->contact, "noc");

  auto bad = inv->update_system(json{{"system_type", "All-in-one"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_EQ(bad.error().message,
            "system: system_type: cannot be changed (editable: name, description, location, contact, system_mode)");
  bad = inv->update_system(json{{"system_mode", "triplex"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "system: system_mode: 'triplex' is not one of simplex, duplex, duplex-direct");
  f.store->fail_next = 1;
  bad = inv->update_system(json{{"name", "lost"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().http_status, 500);
  EXPECT_EQ(inv->system().name, "edge-1");
}

TEST(Inventory, IdsContinueAfterReload) {
  Fixture f;
  auto inv = f.make();
  ASSERT_TRUE(inv->add(input("worker-0")));
  ASSERT_TRUE(inv->add(input("worker-1")));
  ASSERT_TRUE(inv->add(input("worker-2")));
  ASSERT_TRUE(inv->remove("worker-1"));
  Inventory reloaded(f.deps());
  reloaded.load(System{});
  auto r = reloaded.add(input("worker-3"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().id, 4u);
}

}  // namespace
}  // namespace roost::inv
