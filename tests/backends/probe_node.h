// Test-only role "probe" (message type ids 0x7fxx): a node that answers pings, serves echo calls, can
// be told to hold a call unanswered (to provoke timeouts), to refuse one, or to throw (to crash), and
// runs ping-pong and call chains whose round-trip times the tests measure.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/core/node.h"
#include "platform/roles.h"

namespace roost::testing {

struct Ping {
  static constexpr core::MessageTypeId kType = 0x7f01;
  static constexpr std::string_view kName = "test.ping";
  std::uint64_t seq = 0;
  template <class V>
  void visit(V& v) { v("seq", seq); }
};

struct Pong {
  static constexpr core::MessageTypeId kType = 0x7f02;
  static constexpr std::string_view kName = "test.pong";
  std::uint64_t seq = 0;
  template <class V>
  void visit(V& v) { v("seq", seq); }
};

struct Boom {  // a datagram whose handler throws
  static constexpr core::MessageTypeId kType = 0x7f03;
  static constexpr std::string_view kName = "test.boom";
  template <class V>
  void visit(V&) {}
};

struct EchoReply {
  static constexpr core::MessageTypeId kType = 0x7f10;
  static constexpr std::string_view kName = "test.echo_reply";
  std::string text;
  template <class V>
  void visit(V& v) { v("text", text); }
};

struct Echo {  // answered with "<text>@<node>"
  static constexpr core::MessageTypeId kType = 0x7f11;
  static constexpr std::string_view kName = "test.echo";
  using Response = EchoReply;
  std::string text;
  template <class V>
  void visit(V& v) { v("text", text); }
};

struct Stall {  // held unanswered until the node dies
  static constexpr core::MessageTypeId kType = 0x7f12;
  static constexpr std::string_view kName = "test.stall";
  using Response = EchoReply;
  template <class V>
  void visit(V&) {}
};

struct Refuse {  // answered with a failure (Rejected)
  static constexpr core::MessageTypeId kType = 0x7f13;
  static constexpr std::string_view kName = "test.refuse";
  using Response = EchoReply;
  template <class V>
  void visit(V&) {}
};

struct Unserved {  // no node serves it
  static constexpr core::MessageTypeId kType = 0x7f14;
  static constexpr std::string_view kName = "test.unserved";
  using Response = EchoReply;
  template <class V>
  void visit(V&) {}
};

class ProbeNode : public core::Node {
 public:
  struct Received {
    core::Peer from;
    std::uint64_t seq;
  };

  ProbeNode(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    on<Ping>([this](const core::Peer& p, const Ping& m) {
      pings.push_back({p, m.seq});
      send(p.node, p.network, Pong{m.seq});
    });
    on<Pong>([this](const core::Peer& p, const Pong& m) {
      pongs.push_back({p, m.seq});
      if (chain_left_ == 0 || m.seq != chain_seq_) return;
      if (--chain_left_ == 0) return void(chain_finished_ = now());
      next_ping();
    });
    on<Boom>([](const core::Peer&, const Boom&) { throw std::runtime_error("boom"); });
    on_call<Echo>([this](const core::Peer& p, const Echo& m, core::Responder<EchoReply> r) {
      callers.push_back(p);
      r(EchoReply{m.text + "@" + name()});
    });
    on_call<Stall>([this](const core::Peer&, const Stall&, core::Responder<EchoReply> r) { stalled.push_back(std::move(r)); });
    on_call<Refuse>([](const core::Peer&, const Refuse&, core::Responder<EchoReply> r) { r.fail("refused on purpose"); });
  }

  // Ping-pong `n` times with `peer`, one at a time; chain_done() tells when the last pong came.
  void ping_chain(std::string peer, core::Network net, int n) {
    chain_peer_ = std::move(peer);
    chain_net_ = net;
    chain_left_ = n;
    chain_started_ = now();
    chain_finished_ = {};
    next_ping();
  }
  bool chain_done() const { return chain_left_ == 0 && chain_finished_ != core::TimePoint{}; }
  core::Duration chain_elapsed() const { return chain_finished_ - chain_started_; }

  // `n` echo calls with `peer`, one after another; stops at the first failure.
  void call_chain(std::string peer, core::Network net, int n) {
    chain_peer_ = std::move(peer);
    chain_net_ = net;
    calls_left_ = n;
    chain_started_ = now();
    chain_finished_ = {};
    next_call();
  }
  bool calls_done() const { return calls_left_ == 0 && chain_finished_ != core::TimePoint{}; }
  std::vector<core::CallFailure> call_failures;

  std::vector<Received> pings, pongs;
  std::vector<core::Peer> callers;
  std::vector<core::Responder<EchoReply>> stalled;

 private:
  void next_ping() { send(chain_peer_, chain_net_, Ping{++chain_seq_}); }
  void next_call() {
    if (calls_left_ == 0) {
      chain_finished_ = now();
      return;
    }
    call(chain_peer_, chain_net_, Echo{"chain"}, core::seconds(2), [this](core::Result<EchoReply> r) {
      if (!r) {
        call_failures.push_back(r.failure());
        calls_left_ = 0;
        chain_finished_ = now();
        return;
      }
      --calls_left_;
      next_call();
    });
  }

  std::string chain_peer_;
  core::Network chain_net_ = core::Network::Management;
  int chain_left_ = 0;
  int calls_left_ = 0;
  std::uint64_t chain_seq_ = 1'000'000;  // apart from the tests' own ping numbers
  core::TimePoint chain_started_{}, chain_finished_{};
};

// The platform's roles plus "probe".
inline core::RoleRegistry test_roles() {
  core::RoleRegistry r;
  for (const auto& name : platform::roles().roles())
    r.add(name, [name](core::Env& env, const core::NodeSpec& spec) { return platform::roles().make(env, spec); });
  r.add("probe", [](core::Env& env, const core::NodeSpec& spec) { return std::make_unique<ProbeNode>(env, spec); });
  return r;
}

}  // namespace roost::testing
