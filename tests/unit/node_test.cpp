#include <gtest/gtest.h>

#include "platform/core/node.h"
#include "platform/roles.h"
#include "tests/unit/manual_env.h"

namespace roost::core {
namespace {

struct Ping {
  static constexpr MessageTypeId kType = 0x7f10;
  static constexpr std::string_view kName = "test.ping";
  std::string text;
  template <class V>
  void visit(V& v) { v("text", text); }
};
struct Echo {
  static constexpr MessageTypeId kType = 0x7f11;
  static constexpr std::string_view kName = "test.echo";
  using Response = Ping;
  std::string text;
  template <class V>
  void visit(V& v) { v("text", text); }
};

class EchoNode : public Node {
 public:
  EchoNode(Env& env, NodeSpec spec) : Node(env, std::move(spec)) {
    on<Ping>([this](const Peer& p, const Ping& m) { pings.push_back(p.node + ":" + m.text); });
    on_call<Echo>([](const Peer&, const Echo& m, Responder<Ping> reply) {
      if (m.text == "drop") return;  // never answers: the caller must still hear back
      if (m.text == "bad") return reply.fail("refusing 'bad'");
      reply(Ping{m.text + "!"});
    });
  }
  std::vector<std::string> pings;
};

TEST(Node, DispatchesDatagramsByType) {
  testing::ManualEnv env;
  EchoNode n(env, {"n", "echo", "lab", {}});
  n.deliver({"peer", Network::Management}, envelope(Ping{"hi"}));
  ASSERT_EQ(n.pings.size(), 1u);
  EXPECT_EQ(n.pings[0], "peer:hi");
}

TEST(Node, MalformedDatagramIsLoggedNotDelivered) {
  testing::ManualEnv env;
  EchoNode n(env, {"n", "echo", "lab", {}});
  n.deliver({"peer", Network::Oam}, Envelope{Ping::kType, "\xff"});
  EXPECT_TRUE(n.pings.empty());
  ASSERT_EQ(env.logger.with_event("message.malformed").size(), 1u);
}

TEST(Node, CallsAreAnsweredExactlyOnce) {
  testing::ManualEnv env;
  EchoNode n(env, {"n", "echo", "lab", {}});
  std::vector<CallOutcome> outcomes;
  auto sink = [&](CallOutcome o) { outcomes.push_back(std::move(o)); };
  n.serve({"c", Network::Management}, envelope(Echo{"x"}), Reply(sink));
  n.serve({"c", Network::Management}, envelope(Echo{"bad"}), Reply(sink));
  n.serve({"c", Network::Management}, envelope(Echo{"drop"}), Reply(sink));
  n.serve({"c", Network::Management}, envelope(Ping{"no handler"}), Reply(sink));
  ASSERT_EQ(outcomes.size(), 4u);
  Ping reply;
  ASSERT_FALSE(decode(std::get<Envelope>(outcomes[0]).body, reply));
  EXPECT_EQ(reply.text, "x!");
  EXPECT_EQ(std::get<CallFailure>(outcomes[1]).code, CallError::Rejected);
  EXPECT_EQ(std::get<CallFailure>(outcomes[2]).code, CallError::Rejected);
  EXPECT_EQ(std::get<CallFailure>(outcomes[3]).code, CallError::NoHandler);
}

TEST(Node, TypedCallDecodesTheReply) {
  testing::ManualEnv env;
  EchoNode n(env, {"n", "echo", "lab", {}});
  std::optional<Result<Ping>> got;
  n.call<Echo>("other", Network::Management, Echo{"q"}, milliseconds(100), [&](Result<Ping> r) { got = r; });
  ASSERT_EQ(env.calls.size(), 1u);
  env.calls[0].done(envelope(Ping{"answer"}));
  ASSERT_TRUE(got && got->ok());
  EXPECT_EQ(got->value().text, "answer");

  n.call<Echo>("other", Network::Management, Echo{"q"}, milliseconds(100), [&](Result<Ping> r) { got = r; });
  env.calls[1].done(envelope(Echo{"wrong type"}));
  ASSERT_FALSE(got->ok());
  EXPECT_EQ(got->failure().code, CallError::Malformed);
}

TEST(RoleRegistry, UnknownRoleNamesTheKnownOnes) {
  testing::ManualEnv env;
  try {
    platform::roles().make(env, {"x", "no-such-role", "lab", {}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pulse-controller"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace roost::core
