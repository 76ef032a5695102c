// The inventory's REST API driven through its router: every route, its success shape and its errors.
// A real Inventory on a (failable) memory store; maintenance is a fake HostActions that applies
// lifecycle.h's rules and the obvious state change, and records what it was asked.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "platform/core/http.h"
#include "platform/inv/bulk.h"
#include "platform/inv/lifecycle.h"
#include "platform/inv/rest_api.h"
#include "tests/inv/inv_test_support.h"

namespace roost::inv {
namespace {

using nlohmann::json;

class FakeActions final : public HostActions {
 public:
  explicit FakeActions(Inventory& inv) : inv_(inv) {}

  Outcome<Host> perform(std::string_view ref, HostAction action) override {
    calls.emplace_back(std::string(ref), action);
    const Host* h = inv_.find(ref);
    if (!h) return InvError{404, "host '" + std::string(ref) + "' not found"};
    if (refuse_with) return *refuse_with;
    const LifecycleContext ctx{inv_.system(), inv_.hosts(), self};
    if (auto refusal = check_action(*h, action, ctx)) return *refusal;
    const std::string name = h->hostname;
    switch (action) {
      case HostAction::Lock:
      case HostAction::ForceLock:
        inv_.set_states(name, AdminState::Locked, OperState::Disabled, h->availability, "");
        break;
      case HostAction::Unlock:
        inv_.set_states(name, AdminState::Unlocked, OperState::Disabled, h->availability, "Rebooting");
        break;
      case HostAction::PowerOn:
        inv_.set_task(name, "Powering-on");
        break;
      case HostAction::Delete: return inv_.remove(ref);
      default:
        inv_.set_task(name, "Rebooting");
        break;
    }
    return *inv_.find(name);
  }

  std::vector<std::pair<std::string, HostAction>> calls;
  std::optional<InvError> refuse_with;
  std::string self;

 private:
  Inventory& inv_;
};

class InvRest : public ::testing::Test {
 protected:
  InvRest() : inv(fx.make()), actions(*inv), api(*inv, actions) { api.add_routes(router); }

  core::HttpResponse call(std::string method, std::string target, std::string body = "",
                          std::string content_type = "application/json") {
    core::HttpRequest req;
    req.method = std::move(method);
    req.target = target;
    core::split_target(target, req.path, req.query);
    req.body = std::move(body);
    if (!content_type.empty()) req.headers["content-type"] = std::move(content_type);
    std::optional<core::HttpResponse> answer;
    router.dispatch(std::move(req), [&](core::HttpResponse r) {
      if (!answer) answer = std::move(r);
    });
    EXPECT_TRUE(answer.has_value()) << "the handler did not answer at once";
    return answer.value_or(core::HttpResponse{});
  }
  static json body(const core::HttpResponse& r) { return json::parse(r.body); }
  static std::string detail(const core::HttpResponse& r) { return json::parse(r.body).value("detail", ""); }

  // Adds through the API; the host's JSON.
  json add(const json& host) {
    auto r = call("POST", "/v1/ihosts", host.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r);
  }
  // A host whose agent is heard (availability online), as maintenance would leave it.
  void online(const std::string& name, AdminState admin = AdminState::Locked,
              OperState oper = OperState::Disabled, AvailState avail = AvailState::Online) {
    inv->set_states(name, admin, oper, avail, "");
  }

  testing::Fixture fx;
  std::unique_ptr<Inventory> inv;
  FakeActions actions;
  InventoryRestApi api;
  core::HttpRouter router;
};

const json kWorker = {{"hostname", "worker-0"}, {"personality", "worker"}, {"mgmt_mac", "08:00:27:AA:BB:01"}};
const json kBmcWorker = {{"hostname", "worker-1"}, {"personality", "worker"}, {"bm_type", "ipmi"},
                         {"bm_ip", "10.0.0.21"},   {"bm_username", "admin"},  {"bm_password", "s3cret"}};

// --- the system ------------------------------------------------------------------------------------------

TEST_F(InvRest, SystemsListHasTheOneSystem) {
  auto r = call("GET", "/v1/isystems");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = body(r);
  ASSERT_EQ(j["isystems"].size(), 1u);
  EXPECT_EQ(j["isystems"][0]["uuid"], inv->system().uuid);
  EXPECT_EQ(j["isystems"][0]["name"], "roost");
}

TEST_F(InvRest, SystemShowByUuidAndUnknownUuid) {
  auto r = call("GET", "/v1/isystems/" + inv->system().uuid);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["system_mode"], "duplex");
  r = call("GET", "/v1/isystems/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body(r)["error"], "not-found");
  EXPECT_NE(detail(r).find("'nope'"), std::string::npos) << r.body;
}

TEST_F(InvRest, SystemPatchMergesFieldsAndAcceptsJsonPatch) {
  const std::string path = "/v1/isystems/" + inv->system().uuid;
  auto r = call("PATCH", path, R"({"name":"lab-7","contact":"ops@example.com"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["name"], "lab-7");
  EXPECT_EQ(inv->system().contact, "ops@example.com");
  r = call("PATCH", path, R"([{"op":"replace","path":"/system_mode","value":"simplex"}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(inv->system().system_mode, "simplex");
  EXPECT_EQ(inv->system().name, "lab-7");  // untouched fields stay
}

TEST_F(InvRest, SystemPatchErrorsNameTheField) {
  const std::string path = "/v1/isystems/" + inv->system().uuid;
  auto r = call("PATCH", path, R"({"software_version":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("software_version"), std::string::npos) << r.body;
  r = call("PATCH", path, R"({"system_mode":"triplex"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("triplex"), std::string::npos) << r.body;
  r = call("PATCH", path, "{");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("not valid JSON"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/isystems/other", R"({"name":"x"})");
  EXPECT_EQ(r.status, 404);
}

TEST_F(InvRest, SystemPatchStoreFailureIs500AndChangesNothing) {
  fx.store->fail_next = 1;
  auto r = call("PATCH", "/v1/isystems/" + inv->system().uuid, R"({"name":"lab-7"})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(body(r)["error"], "internal-error");
  EXPECT_EQ(inv->system().name, "roost");
}

// --- adding, listing, showing --------------------------------------------------------------------------

TEST_F(InvRest, AddAnswers201WithTheHostLockedAndNoPassword) {
  auto r = call("POST", "/v1/ihosts", kBmcWorker.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const json h = body(r);
  EXPECT_EQ(h["hostname"], "worker-1");
  EXPECT_EQ(h["administrative"], "locked");
  EXPECT_EQ(h["operational"], "disabled");
  EXPECT_EQ(h["availability"], "offline");
  EXPECT_EQ(h["bm_type"], "ipmi");
  EXPECT_FALSE(h.contains("bm_password"));
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(inv->find("worker-1")->bm_password, "s3cret");  // kept, only never shown
  EXPECT_TRUE(actions.calls.empty());
}

TEST_F(InvRest, AddRejectsBadInputNamingTheField) {
  auto r = call("POST", "/v1/ihosts", R"({"hostname":"w-9"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("personality"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", R"({"hostname":"w-9","personality":"worker","bm_type":"ipmx"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("bm_type"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", R"({"hostname":"w-9","personality":"worker","colour":"red"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("colour"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", R"({"hostname":"W 9","personality":"worker"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("hostname"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", R"({"hostname":"w-9","personality":"worker","bm_type":"ipmi"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("bm_ip"), std::string::npos) << r.body;
  EXPECT_TRUE(inv->hosts().empty());
}

TEST_F(InvRest, AddRejectsMalformedEmptyAndOversizedBodies) {
  auto r = call("POST", "/v1/ihosts", "{\"hostname\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("line 1, column"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("no body"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", std::string(InventoryRestApi::kMaxBodyBytes + 1, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(body(r)["error"], "body-too-large");
  r = call("POST", "/v1/ihosts", "[1,2]");
  EXPECT_EQ(r.status, 400);
}

TEST_F(InvRest, AddDuplicatesAre409) {
  add(kWorker);
  auto r = call("POST", "/v1/ihosts", kWorker.dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(body(r)["error"], "conflict");
  EXPECT_NE(detail(r).find("already exists"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts", R"({"hostname":"worker-5","personality":"worker","mgmt_mac":"08:00:27:aa:bb:01"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(detail(r).find("mgmt_mac"), std::string::npos) << r.body;
}

TEST_F(InvRest, AddStoreFailureIs500) {
  fx.store->fail_next = 1;
  auto r = call("POST", "/v1/ihosts", kWorker.dump());
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_TRUE(inv->hosts().empty());
}

TEST_F(InvRest, AddWithPowerOnAsksMaintenance) {
  json h = kBmcWorker;
  h["power_on"] = true;
  auto r = call("POST", "/v1/ihosts", h.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(actions.calls.size(), 1u);
  EXPECT_EQ(actions.calls[0].second, HostAction::PowerOn);
  EXPECT_EQ(body(r)["task"], "Powering-on");
  EXPECT_FALSE(body(r).contains("warning"));
  // Without a BMC the host is still added; the answer says why it is not powered on.
  r = call("POST", "/v1/ihosts", R"({"hostname":"worker-2","personality":"worker","power_on":true})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(body(r).value("warning", "").find("board management"), std::string::npos) << r.body;
}

TEST_F(InvRest, ListShowsEveryHostInIdOrder) {
  add(kWorker);
  add({{"hostname", "controller-0"}, {"personality", "controller"}});
  auto r = call("GET", "/v1/ihosts");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = body(r);
  ASSERT_EQ(j["ihosts"].size(), 2u);
  EXPECT_EQ(j["ihosts"][0]["hostname"], "worker-0");
  EXPECT_EQ(j["ihosts"][1]["hostname"], "controller-0");
  EXPECT_EQ(j["ihosts"][1]["id"], 2);
}

TEST_F(InvRest, ListFilters) {
  add(kWorker);
  add({{"hostname", "controller-0"}, {"personality", "controller"}});
  add({{"hostname", "controller-1"}, {"personality", "controller"}});
  online("controller-1", AdminState::Unlocked, OperState::Enabled, AvailState::Available);
  auto names = [&](const std::string& q) {
    auto r = call("GET", "/v1/ihosts?" + q);
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
    std::vector<std::string> out;
    const json j = body(r);
    for (const auto& h : j["ihosts"]) out.push_back(h["hostname"]);
    return out;
  };
  EXPECT_EQ(names("personality=controller"), (std::vector<std::string>{"controller-0", "controller-1"}));
  EXPECT_EQ(names("personality=controller&availability=available"), (std::vector<std::string>{"controller-1"}));
  EXPECT_EQ(names("administrative=locked"), (std::vector<std::string>{"worker-0", "controller-0"}));
  EXPECT_EQ(names("operational=enabled"), (std::vector<std::string>{"controller-1"}));
  EXPECT_EQ(names("personality=storage"), std::vector<std::string>{});
}

TEST_F(InvRest, ListRejectsBadFilters) {
  auto r = call("GET", "/v1/ihosts?personality=compute");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("personality: 'compute' is not one of"), std::string::npos) << r.body;
  r = call("GET", "/v1/ihosts?availability=gone");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("availability"), std::string::npos) << r.body;
  r = call("GET", "/v1/ihosts?administrative=maybe");
  EXPECT_EQ(r.status, 400);
  r = call("GET", "/v1/ihosts?limit=3");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("unknown query parameter 'limit'"), std::string::npos) << r.body;
}

TEST_F(InvRest, ShowByHostnameUuidOrId) {
  const json added = add(kWorker);
  for (const std::string& ref : {std::string("worker-0"), added["uuid"].get<std::string>(), std::string("1")}) {
    auto r = call("GET", "/v1/ihosts/" + ref);
    ASSERT_EQ(r.status, 200) << ref << ": " << r.body;
    EXPECT_EQ(body(r)["hostname"], "worker-0");
  }
  auto r = call("GET", "/v1/ihosts/worker-9");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(detail(r).find("'worker-9'"), std::string::npos) << r.body;
}

// --- PATCH: fields ---------------------------------------------------------------------------------------

TEST_F(InvRest, PatchChangesFields) {
  add(kWorker);
  auto r = call("PATCH", "/v1/ihosts/worker-0", R"({"location":{"locality":"rack 3"},"console":"ttyS0,115200"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["location"]["locality"], "rack 3");
  EXPECT_EQ(inv->find("worker-0")->console, "ttyS0,115200");
  EXPECT_TRUE(actions.calls.empty());
  // StarlingX's JSON-patch list form.
  r = call("PATCH", "/v1/ihosts/worker-0", R"([{"op":"replace","path":"/boot_device","value":"/dev/sdb"}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(inv->find("worker-0")->boot_device, "/dev/sdb");
}

TEST_F(InvRest, PatchRefusesStatesUnknownFieldsAndRenamesWhileUnlocked) {
  add(kWorker);
  auto r = call("PATCH", "/v1/ihosts/worker-0", R"({"administrative":"unlocked"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("administrative"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"colour":"red"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("colour"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("nothing to change"), std::string::npos) << r.body;
  online("worker-0", AdminState::Unlocked, OperState::Enabled, AvailState::Available);
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"hostname":"worker-7"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(detail(r).find("locked"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-9", R"({"console":"x"})");
  EXPECT_EQ(r.status, 404);
}

TEST_F(InvRest, PatchRejectsBadJsonPatchEntries) {
  add(kWorker);
  auto r = call("PATCH", "/v1/ihosts/worker-0", R"([{"op":"remove","path":"/console"}])");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("[0].op: 'remove' is not supported"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"([{"op":"replace","path":"/location/locality","value":"x"}])");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("[0].path"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"([{"op":"replace","path":"/console"}])");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("[0].value: required"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"("lock")");
  EXPECT_EQ(r.status, 400);
}

// --- PATCH: actions --------------------------------------------------------------------------------------

TEST_F(InvRest, PatchActionGoesToMaintenance) {
  add(kWorker);
  online("worker-0", AdminState::Unlocked, OperState::Enabled, AvailState::Available);
  auto r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"lock"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["administrative"], "locked");
  ASSERT_EQ(actions.calls.size(), 1u);
  EXPECT_EQ(actions.calls[0], (std::pair<std::string, HostAction>{"worker-0", HostAction::Lock}));
  // The JSON-patch list form, by id.
  r = call("PATCH", "/v1/ihosts/1", R"([{"path":"/action","value":"unlock","op":"replace"}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["administrative"], "unlocked");
  EXPECT_EQ(body(r)["task"], "Rebooting");
  EXPECT_EQ(actions.calls.back().second, HostAction::Unlock);
}

TEST_F(InvRest, PatchEveryActionNameReachesMaintenance) {
  add(kBmcWorker);
  const std::vector<std::pair<std::string, HostAction>> names{
      {"lock", HostAction::Lock},           {"force-lock", HostAction::ForceLock}, {"force_lock", HostAction::ForceLock},
      {"unlock", HostAction::Unlock},       {"reboot", HostAction::Reboot},        {"reset", HostAction::Reset},
      {"power-on", HostAction::PowerOn},    {"power-off", HostAction::PowerOff},   {"power-cycle", HostAction::PowerCycle}};
  actions.refuse_with = InvError{409, "busy"};  // only what was asked matters here
  for (const auto& [name, action] : names) {
    auto r = call("PATCH", "/v1/ihosts/worker-1", json{{"action", name}}.dump());
    EXPECT_EQ(r.status, 409) << name << ": " << r.body;
    ASSERT_FALSE(actions.calls.empty());
    EXPECT_EQ(actions.calls.back().second, action) << name;
  }
  EXPECT_EQ(actions.calls.size(), names.size());
}

TEST_F(InvRest, PatchActionRefusalsCarryMaintenancesStatusAndMessage) {
  add(kWorker);  // locked, offline, no BMC
  auto r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"unlock"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(body(r)["error"], "conflict");
  EXPECT_NE(detail(r).find("power it on first"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"reset"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("board management controller"), std::string::npos) << r.body;
  actions.refuse_with = InvError{500, "host worker-0: the inventory store failed"};
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"reboot"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(body(r)["error"], "internal-error");
}

TEST_F(InvRest, PatchActionErrors) {
  add(kWorker);
  auto r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"swact"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("action: 'swact' is not one of lock, force-lock, unlock"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"delete"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("DELETE"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":"lock","console":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("cannot be combined"), std::string::npos) << r.body;
  r = call("PATCH", "/v1/ihosts/worker-0", R"({"action":7})");
  EXPECT_EQ(r.status, 400);
  r = call("PATCH", "/v1/ihosts/nobody", R"({"action":"lock"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(actions.calls.empty());
}

// --- DELETE ----------------------------------------------------------------------------------------------

TEST_F(InvRest, DeleteRemovesALockedHost) {
  add(kWorker);
  auto r = call("DELETE", "/v1/ihosts/worker-0");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(inv->find("worker-0"), nullptr);
  ASSERT_EQ(actions.calls.size(), 1u);
  EXPECT_EQ(actions.calls[0].second, HostAction::Delete);
  EXPECT_EQ(call("GET", "/v1/ihosts/worker-0").status, 404);
}

TEST_F(InvRest, DeleteRefusedForUnlockedOrUnknownHosts) {
  add(kWorker);
  online("worker-0", AdminState::Unlocked, OperState::Enabled, AvailState::Available);
  auto r = call("DELETE", "/v1/ihosts/worker-0");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(detail(r).find("lock it first"), std::string::npos) << r.body;
  EXPECT_NE(inv->find("worker-0"), nullptr);
  EXPECT_EQ(call("DELETE", "/v1/ihosts/worker-9").status, 404);
}

// --- routes ----------------------------------------------------------------------------------------------

TEST_F(InvRest, UnknownRoutesAre404AndWrongMethods405) {
  auto r = call("PUT", "/v1/ihosts");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(body(r)["error"], "method-not-allowed");
  EXPECT_EQ(call("POST", "/v1/ihosts/worker-0").status, 405);
  EXPECT_EQ(call("DELETE", "/v1/isystems").status, 405);
  EXPECT_EQ(call("GET", "/v1/ihosts/bulk").status, 404);  // a host named "bulk": none here
  EXPECT_EQ(call("GET", "/v1/iwidgets").status, 404);
  EXPECT_EQ(call("GET", "/v1/ihosts/worker-0/isensors").status, 404);
}

// --- bulk add --------------------------------------------------------------------------------------------

constexpr const char* kBulkXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<hosts>
  <host>
    <hostname>controller-1</hostname>
    <personality>controller</personality>
    <mgmt_mac>08:00:27:00:00:11</mgmt_mac>
  </host>
  <host>
    <hostname>worker-0</hostname>
    <personality>worker</personality>
    <mgmt_mac>08:00:27:00:00:20</mgmt_mac>
    <bm_ip>10.10.10.20</bm_ip>
    <bm_type>ipmi</bm_type>
    <bm_username>admin</bm_username>
    <bm_password>secret</bm_password>
    <location>rack 3</location>
    <power_on/>
  </host>
  <host>
    <hostname>storage-0</hostname>
    <personality>storage</personality>
  </host>
</hosts>
)";

TEST_F(InvRest, BulkXmlAddsEveryHostAndPowersOnWhenAsked) {
  auto r = call("POST", "/v1/ihosts/bulk", kBulkXml, "application/xml");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = body(r);
  EXPECT_EQ(j["added"], json::array({"controller-1", "worker-0", "storage-0"}));
  EXPECT_TRUE(j["failed"].empty());
  EXPECT_FALSE(j.contains("warnings"));
  ASSERT_EQ(inv->hosts().size(), 3u);
  EXPECT_EQ(inv->find("worker-0")->location["locality"], "rack 3");
  ASSERT_EQ(actions.calls.size(), 1u);
  EXPECT_EQ(actions.calls[0], (std::pair<std::string, HostAction>{"worker-0", HostAction::PowerOn}));
}

TEST_F(InvRest, BulkTellsXmlFromJsonByContent) {
  // No XML content type: the leading '<' says XML; anything else is JSON.
  auto r = call("POST", "/v1/ihosts/bulk", std::string("\n  ") + kBulkXml, "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["added"].size(), 3u);
  r = call("POST", "/v1/ihosts/bulk",
           R"({"hosts":[{"hostname":"worker-5","personality":"worker"},{"hostname":"worker-6","personality":"worker"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["added"], json::array({"worker-5", "worker-6"}));
  r = call("POST", "/v1/ihosts/bulk", R"([{"hostname":"worker-7","personality":"worker"}])", "text/plain");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(inv->hosts().size(), 6u);
}

TEST_F(InvRest, BulkPartialFailureIs200ListingWhy) {
  add({{"hostname", "worker-0"}, {"personality", "worker"}});
  auto r = call("POST", "/v1/ihosts/bulk", kBulkXml, "text/xml");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = body(r);
  EXPECT_EQ(j["added"], json::array({"controller-1", "storage-0"}));
  ASSERT_EQ(j["failed"].size(), 1u);
  EXPECT_EQ(j["failed"][0]["hostname"], "worker-0");
  EXPECT_EQ(j["failed"][0]["status"], 409);
  EXPECT_NE(j["failed"][0]["error"].get<std::string>().find("already exists"), std::string::npos);
  EXPECT_TRUE(actions.calls.empty());  // the failed host's <power_on/> is not acted on
}

TEST_F(InvRest, BulkThatAddsNothingIs422) {
  call("POST", "/v1/ihosts/bulk", kBulkXml, "application/xml");
  auto r = call("POST", "/v1/ihosts/bulk", kBulkXml, "application/xml");
  ASSERT_EQ(r.status, 422) << r.body;
  const json j = body(r);
  EXPECT_EQ(j["error"], "unprocessable");
  EXPECT_NE(j["detail"].get<std::string>().find("none of the 3 hosts"), std::string::npos);
  EXPECT_TRUE(j["added"].empty());
  EXPECT_EQ(j["failed"].size(), 3u);
}

TEST_F(InvRest, BulkPowerOnRefusalIsAWarning) {
  auto r = call("POST", "/v1/ihosts/bulk",
                "<hosts><host><hostname>worker-3</hostname><personality>worker</personality><power_on/></host></hosts>",
                "application/xml");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = body(r);
  EXPECT_EQ(j["added"], json::array({"worker-3"}));
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_EQ(j["warnings"][0]["hostname"], "worker-3");
  EXPECT_NE(j["warnings"][0]["warning"].get<std::string>().find("not powered on"), std::string::npos);
}

TEST_F(InvRest, BulkRejectsBadFilesWholeNamingThePlace) {
  auto r = call("POST", "/v1/ihosts/bulk", "<hosts>\n<host><hostname>a</hostname>\n</hosts>", "application/xml");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("line "), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts/bulk",
           "<hosts><host><hostname>w-1</hostname><personality>worker</personality></host>"
           "<host><hostname>w-2</hostname><personality>worker</personality><bm_type>ipmx</bm_type></host></hosts>",
           "application/xml");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("host[2] (w-2): bm_type"), std::string::npos) << r.body;
  EXPECT_TRUE(inv->hosts().empty());  // nothing added from a file that does not parse
  r = call("POST", "/v1/ihosts/bulk", R"({"hosts":[{"hostname":"w-1"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("hosts[0]"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts/bulk", R"({"hosts": [)");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("not valid JSON"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts/bulk", "<hosts/>", "application/xml");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("no <host>"), std::string::npos) << r.body;
  r = call("POST", "/v1/ihosts/bulk", "  ");
  EXPECT_EQ(r.status, 400);
  r = call("POST", "/v1/ihosts/bulk", std::string(InventoryRestApi::kMaxBulkBodyBytes + 1, ' '));
  EXPECT_EQ(r.status, 413);
}

// --- export ----------------------------------------------------------------------------------------------

TEST_F(InvRest, ExportXmlByDefaultWithoutPasswordsAndReadsBack) {
  ASSERT_EQ(call("POST", "/v1/ihosts/bulk", kBulkXml, "application/xml").status, 200);
  auto r = call("GET", "/v1/ihosts/export");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_NE(r.body.find("<hostname>worker-0</hostname>"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
  // host-bulk-export's output is host-bulk-add's input: a fresh inventory takes it whole.
  testing::Fixture fx2;
  auto inv2 = fx2.make();
  FakeActions actions2(*inv2);
  InventoryRestApi api2(*inv2, actions2);
  core::HttpRouter router2;
  api2.add_routes(router2);
  core::HttpRequest req;
  req.method = "POST";
  req.path = req.target = "/v1/ihosts/bulk";
  req.body = r.body;
  std::optional<core::HttpResponse> answer;
  router2.dispatch(req, [&](core::HttpResponse a) { answer = std::move(a); });
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  ASSERT_EQ(inv2->hosts().size(), 3u);
  for (const Host* h : inv->hosts()) {
    const Host* copy = inv2->find(h->hostname);
    ASSERT_NE(copy, nullptr) << h->hostname;
    HostInput want = host_input_of(*h);
    want.bm_password.clear();
    EXPECT_EQ(host_input_json(host_input_of(*copy)), host_input_json(want)) << h->hostname;
  }
}

TEST_F(InvRest, ExportJsonAndBadFormat) {
  add(kBmcWorker);
  auto r = call("GET", "/v1/ihosts/export?format=json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const auto hosts = parse_bulk_json(body(r));
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].hostname, "worker-1");
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos);
  r = call("GET", "/v1/ihosts/export?format=yaml");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(detail(r).find("format: 'yaml'"), std::string::npos) << r.body;
  r = call("GET", "/v1/ihosts/export?fmt=xml");
  EXPECT_EQ(r.status, 400);
}

TEST_F(InvRest, ExportOfNoHostsIsAnEmptyList) {
  auto r = call("GET", "/v1/ihosts/export");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<hosts"), std::string::npos) << r.body;
  EXPECT_TRUE(parse_bulk_xml(r.body).empty());
}

// --- machine inventory -----------------------------------------------------------------------------------

TEST_F(InvRest, MachineInventoryIs404UntilTheAgentReports) {
  add(kWorker);
  for (const char* part : {"inventory", "icpus", "imemorys", "idisks", "ports"}) {
    auto r = call("GET", std::string("/v1/ihosts/worker-0/") + part);
    EXPECT_EQ(r.status, 404) << part;
    EXPECT_NE(detail(r).find("has not reported"), std::string::npos) << part << ": " << r.body;
  }
  auto r = call("GET", "/v1/ihosts/worker-9/icpus");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(detail(r).find("'worker-9' not found"), std::string::npos) << r.body;
}

TEST_F(InvRest, MachineInventoryAndItsParts) {
  const json h = add(kWorker);
  inv->set_machine_inventory("worker-0", testing::sample_machine("worker-0", 8));
  auto r = call("GET", "/v1/ihosts/worker-0/inventory");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body(r);
  EXPECT_EQ(j["kernel"], "Linux 6.1.0-13-amd64");
  EXPECT_EQ(j["cpus"].size(), 8u);
  EXPECT_EQ(j["sockets"], 4);
  EXPECT_EQ(j["cores"], 8);
  EXPECT_EQ(j["ihost_uuid"], h["uuid"]);
  EXPECT_EQ(j["memory_total_kib"], 16u << 20);

  r = call("GET", "/v1/ihosts/worker-0/icpus");
  ASSERT_EQ(r.status, 200) << r.body;
  j = body(r);
  ASSERT_EQ(j["icpus"].size(), 8u);
  EXPECT_EQ(j["icpus"][3]["cpu"], 3);
  EXPECT_EQ(j["icpus"][3]["socket"], 1);
  EXPECT_EQ(j["icpus"][3]["ihost_uuid"], h["uuid"]);
  r = call("GET", "/v1/ihosts/1/imemorys");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["imemorys"][0]["total_kib"], 16u << 20);
  r = call("GET", "/v1/ihosts/worker-0/idisks");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["idisks"][0]["device"], "/dev/sda");
  r = call("GET", "/v1/ihosts/worker-0/ports");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["ports"][0]["name"], "eth0");
  EXPECT_EQ(body(r)["ports"][0]["link_up"], true);
  // The host record itself does not carry the machine inventory.
  EXPECT_FALSE(body(call("GET", "/v1/ihosts/worker-0")).contains("inventory"));
}

// --- helpers ---------------------------------------------------------------------------------------------

TEST(InvRestHelpers, PatchObjectReadsJsonPatchLists) {
  EXPECT_EQ(patch_object(json{{"a", 1}}), (json{{"a", 1}}));
  EXPECT_EQ(patch_object(json::parse(R"([{"op":"add","path":"/a","value":1},{"op":"replace","path":"/b","value":"x"}])")),
            (json{{"a", 1}, {"b", "x"}}));
  auto error = [](const char* text) {
    try {
      patch_object(json::parse(text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error(R"([{"op":"replace","path":"/a","value":1},{"op":"replace","path":"/a","value":2}])"),
            "[1].path: /a is changed twice");
  EXPECT_EQ(error(R"([{"op":"replace","path":"a","value":1}])"),
            "[0].path: 'a' is not a top-level field such as /action");
  EXPECT_EQ(error(R"([{"op":"replace","path":"/a","value":1,"from":"/b"}])"), "[0].from: unknown key (op, path, value)");
  EXPECT_EQ(error(R"([7])"), "[0]: expected {\"op\", \"path\", \"value\"}");
  EXPECT_EQ(error(R"("x")"), "expected an object of changes or a JSON-patch list, got string");
}

TEST(InvRestHelpers, ErrorResponseMapsStatusToCode) {
  EXPECT_EQ(json::parse(error_response(InvError{409, "m"}).body), (json{{"error", "conflict"}, {"detail", "m"}}));
  EXPECT_EQ(error_response(InvError{400, "m"}).status, 400);
  EXPECT_EQ(json::parse(error_response(InvError{404, "m"}).body)["error"], "not-found");
  EXPECT_EQ(json::parse(error_response(InvError{500, "m"}).body)["error"], "internal-error");
}

}  // namespace
}  // namespace roost::inv
