// The service manager's REST router (platform/sm/rest_api) with hooks the test controls: status and
// servicenode reads, swact requests answered now or later, refusals, and bad requests named.
#include <gtest/gtest.h>

#include <optional>

#include "platform/sm/rest_api.h"

namespace roost::sm {
namespace {

struct SwactCall {
  std::string host;
  bool force = false;
  std::function<void(bool, std::string, std::string)> done;
};

class SmRestTest : public ::testing::Test {
 protected:
  SmRestTest() {
    hooks.status = [this] { return status; };
    hooks.swact = [this](std::string host, bool force, std::function<void(bool, std::string, std::string)> done) {
      swacts.push_back({std::move(host), force, std::move(done)});
    };
  }

  // Dispatches one request; the answer, if one came (a swact answers when the hook calls back).
  std::optional<core::HttpResponse> request(const std::string& method, const std::string& target,
                                            const std::string& body = "") {
    if (!router) router = make_sm_router(hooks);
    core::HttpRequest req;
    req.method = method;
    req.target = target;
    core::split_target(target, req.path, req.query);
    req.body = body;
    last.reset();
    router->dispatch(req, [this](core::HttpResponse r) { last = std::move(r); });
    return last;
  }
  static nlohmann::json json(const core::HttpResponse& r) { return nlohmann::json::parse(r.body); }

  nlohmann::json status = nlohmann::json::parse(R"({
    "node": "controller-0", "role": "active", "term": 4,
    "peer": {"name": "controller-1", "role": "standby", "interfaces": {"mgmt": "ok", "oam": "lost"}},
    "sync": {"state": "in-sync", "position": {"term": 4, "seq": 120}},
    "groups": [{"name": "controller-services", "redundancy": "1+1", "state": "active", "status": "none",
                "services": [{"name": "fm", "state": "enabled-active"}]}]})");
  SmApiHooks hooks;
  std::shared_ptr<core::HttpRouter> router;
  std::vector<SwactCall> swacts;
  std::optional<core::HttpResponse> last;
};

TEST_F(SmRestTest, StatusIsTheHooksJson) {
  auto r = request("GET", "/v1/sm/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json(*r), status);
  status["role"] = "standby";  // read on every request, not cached
  EXPECT_EQ(json(*request("GET", "/v1/sm/status"))["role"], "standby");
}

TEST_F(SmRestTest, ServiceNodesAreThisNodeAndItsPeer) {
  auto r = request("GET", "/v1/servicenode");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto nodes = json(*r)["nodes"];
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0]["name"], "controller-0");
  EXPECT_EQ(nodes[0]["role"], "active");
  EXPECT_EQ(nodes[0]["term"], 4);
  EXPECT_EQ(nodes[1]["name"], "controller-1");
  EXPECT_EQ(nodes[1]["interfaces"]["oam"], "lost");
  EXPECT_EQ(json(*request("GET", "/v1/servicenode/controller-1"))["role"], "standby");
  auto missing = request("GET", "/v1/servicenode/controller-9");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json(*missing)["detail"], "no service node named 'controller-9' (this node and its peer)");
  // No peer known yet: only this node.
  status.erase("peer");
  EXPECT_EQ(json(*request("GET", "/v1/servicenode"))["nodes"].size(), 1u);
}

TEST_F(SmRestTest, SwactAnswersWhenTheHookDoes) {
  EXPECT_FALSE(request("PATCH", "/v1/servicenode/controller-0", R"({"action": "swact"})"));
  ASSERT_EQ(swacts.size(), 1u);
  EXPECT_EQ(swacts[0].host, "controller-0");
  EXPECT_FALSE(swacts[0].force);
  swacts[0].done(true, "", "controller-1");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(json(*last), (nlohmann::json{{"ok", true}, {"new_active", "controller-1"}}));

  request("PATCH", "/v1/servicenode/controller-0", R"({"action": "swact-force"})");
  ASSERT_EQ(swacts.size(), 2u);
  EXPECT_TRUE(swacts[1].force);
}

TEST_F(SmRestTest, ARefusedSwactIs409WithTheReason) {
  hooks.swact = [](std::string, bool, std::function<void(bool, std::string, std::string)> done) {
    done(false, "the standby is not in sync", "");
  };
  auto r = request("PATCH", "/v1/servicenode/controller-0", R"({"action": "swact"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(json(*r)["error"], "swact-refused");
  EXPECT_EQ(json(*r)["detail"], "the standby is not in sync");
}

TEST_F(SmRestTest, BadRequestsSayWhatIsWrong) {
  auto detail = [&](const std::string& body) {
    auto r = request("PATCH", "/v1/servicenode/controller-0", body);
    EXPECT_TRUE(r);
    if (!r) return std::string("no answer");
    EXPECT_EQ(r->status, 400) << body;
    return json(*r)["detail"].get<std::string>();
  };
  EXPECT_EQ(detail(""), "the request has no body; expected {\"action\": \"swact\" | \"swact-force\"}");
  EXPECT_EQ(detail("{\"action\": "), "the body is not valid JSON: parse error at line 1, column 12: syntax error "
                                     "while parsing value - unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(detail("[1]"), "the body must be an object {\"action\": ...}, got array");
  EXPECT_EQ(detail("{}"), "action: required (swact or swact-force)");
  EXPECT_EQ(detail(R"({"action": 3})"), "action: must be a string (swact or swact-force), got 3");
  EXPECT_EQ(detail(R"({"action": "lock"})"),
            "action: 'lock' is not supported here (swact or swact-force; lock and unlock are the inventory's: "
            "PATCH /v1/ihosts/{host})");
  EXPECT_EQ(detail(R"({"action": "swact", "when": "now"})"), "when: unknown key (known: action)");
  EXPECT_TRUE(swacts.empty());
  EXPECT_EQ(request("PATCH", "/v1/servicenode/c0", std::string(20000, ' '))->status, 413);
  EXPECT_EQ(request("DELETE", "/v1/servicenode/c0")->status, 405);
  EXPECT_EQ(request("GET", "/v1/sm")->status, 404);
}

TEST_F(SmRestTest, MissingHooksAre503) {
  hooks = {};
  EXPECT_EQ(request("GET", "/v1/sm/status")->status, 503);
  EXPECT_EQ(request("PATCH", "/v1/servicenode/c0", R"({"action": "swact"})")->status, 503);
}

}  // namespace
}  // namespace roost::sm
