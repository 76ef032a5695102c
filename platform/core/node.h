// Node: one management process (a controller, a worker's agent, a subcloud's controller...).
// A runtime creates it from a NodeSpec through the RoleRegistry, hands it an Env, calls start(),
// then feeds it datagrams and calls. Services inside a node register typed handlers on it.
// A crash destroys the Node object (all volatile state is gone); a restart creates a new one.
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/codec.h"
#include "platform/core/env.h"
#include "platform/core/message.h"

namespace roost::core {

struct NodeSpec {
  std::string name;            // unique in the fleet, e.g. "controller-0" or "subcloud-17.controller-0"
  std::string role;            // a key of the RoleRegistry
  std::string site;            // the site (system controller's or a subcloud's) the node stands in
  nlohmann::json config = nlohmann::json::object();  // role-specific settings
};

// The answer side of a call. Copyable (a handler may answer later, from a timer or another call);
// the first answer wins; if every copy is dropped unanswered, the caller gets Rejected.
class Reply {
 public:
  using Sink = std::function<void(CallOutcome)>;
  explicit Reply(Sink sink) : state_(std::make_shared<State>(std::move(sink))) {}

  void ok(Envelope e) { state_->answer(std::move(e)); }
  void fail(CallError code, std::string detail) { state_->answer(CallFailure{code, std::move(detail)}); }
  bool answered() const { return state_->done; }

 private:
  struct State {
    explicit State(Sink s) : sink(std::move(s)) {}
    ~State() {
      if (!done && sink) sink(CallFailure{CallError::Rejected, "the handler dropped the request"});
    }
    void answer(CallOutcome o) {
      if (done) return;
      done = true;
      if (sink) sink(std::move(o));
    }
    Sink sink;
    bool done = false;
  };
  std::shared_ptr<State> state_;
};

template <Message R>
class Responder {
 public:
  explicit Responder(Reply r) : reply_(std::move(r)) {}
  void operator()(const R& m) { reply_.ok(envelope(m)); }
  void fail(std::string detail) { reply_.fail(CallError::Rejected, std::move(detail)); }

 private:
  Reply reply_;
};

template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(CallFailure f) : v_(std::move(f)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  const T* operator->() const { return &value(); }
  const CallFailure& failure() const { return std::get<1>(v_); }

 private:
  std::variant<T, CallFailure> v_;
};

class Node {
 public:
  Node(Env& env, NodeSpec spec) : env_(env), spec_(std::move(spec)) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Called once by the runtime after construction.
  virtual void start() {}

  // Runtime -> node.
  void deliver(const Peer& from, const Envelope& e);
  void serve(const Peer& from, const Envelope& e, Reply reply);

  // Whether this node registered a handler for the type (a host of nested nodes routes by it).
  bool handles_datagram(MessageTypeId t) const { return find(datagram_handlers_, t) != nullptr; }
  bool handles_call(MessageTypeId t) const { return find(call_handlers_, t) != nullptr; }
  // How many handlers every node of this process registered so far (they are never removed): a host of
  // nested nodes that caches its routing knows the cache may be stale when the count moves. One counter for
  // all nodes, not one per part, so that checking it costs the host one load instead of a cache miss per part.
  static std::uint64_t registrations() { return registrations_.load(std::memory_order_relaxed); }

  const std::string& name() const { return spec_.name; }
  const NodeSpec& spec() const { return spec_; }
  Env& env() { return env_; }
  TimePoint now() const { return env_.now(); }
  TimerId after(Duration d, std::function<void()> fn) { return env_.after(d, std::move(fn)); }
  void cancel(TimerId id) { env_.cancel(id); }
  Logger& log() { return env_.log(); }
  Rng& rng() { return env_.rng(); }

  template <Message M>
  void on(std::function<void(const Peer&, const M&)> fn) {
    const bool fresh = !handles_datagram(M::kType);
    assert(fresh && "one datagram handler per message type per node");
    if (!fresh) return;  // the first one stays
    auto handler = [this, fn = std::move(fn)](const Peer& p, const Envelope& e) {
      M m{};
      if (auto err = decode(e.body, m)) return malformed(p, M::kName, *err);
      fn(p, m);
    };
    datagram_handlers_.push_back({M::kType, std::make_unique<DatagramHandlerOf<decltype(handler)>>(std::move(handler))});
    registrations_.fetch_add(1, std::memory_order_relaxed);
  }

  template <CallMessage Req>
  void on_call(std::function<void(const Peer&, const Req&, Responder<typename Req::Response>)> fn) {
    const bool fresh = !handles_call(Req::kType);
    assert(fresh && "one call handler per request type per node");
    if (!fresh) return;  // the first one stays
    auto handler = [this, fn = std::move(fn)](const Peer& p, const Envelope& e, Reply r) {
      Req m{};
      if (auto err = decode(e.body, m)) {
        malformed(p, Req::kName, *err);
        return r.fail(CallError::Malformed, std::string(Req::kName) + ": " + *err);
      }
      fn(p, m, Responder<typename Req::Response>(std::move(r)));
    };
    call_handlers_.push_back({Req::kType, std::make_unique<CallHandlerOf<decltype(handler)>>(std::move(handler))});
    registrations_.fetch_add(1, std::memory_order_relaxed);
  }

  template <Message M>
  void send(const std::string& to, Network net, const M& m) {
    env_.send(to, net, envelope(m));
  }

  template <CallMessage Req>
  void call(const std::string& to, Network net, const Req& req, Duration timeout,
            std::function<void(Result<typename Req::Response>)> done) {
    using Resp = typename Req::Response;
    env_.call(to, net, envelope(req), timeout, [done = std::move(done)](CallOutcome o) {
      if (auto* f = std::get_if<CallFailure>(&o)) return done(std::move(*f));
      const auto& e = std::get<Envelope>(o);
      if (e.type != Resp::kType)
        return done(CallFailure{CallError::Malformed, "reply has type " + std::to_string(e.type) + ", expected " +
                                                          std::string(Resp::kName)});
      Resp r{};
      if (auto err = decode(e.body, r)) return done(CallFailure{CallError::Malformed, *err});
      done(std::move(r));
    });
  }

 protected:
  // What deliver()/serve() do with a type no handler of this node takes. Defaults: a debug log record;
  // answer NoHandler. A node that hosts other nodes' logic (sm::ControllerNode) passes them on.
  virtual void unhandled_datagram(const Peer& from, const Envelope& e);
  virtual void unhandled_call(const Peer& from, const Envelope& e, Reply reply);

 private:
  void malformed(const Peer& from, std::string_view type, const std::string& err);

  // A registered handler: one heap object each, so that a handler registering another one (the arrays
  // grow) never moves the handler that is running.
  struct DatagramHandler {
    virtual ~DatagramHandler() = default;
    virtual void operator()(const Peer& from, const Envelope& e) = 0;
  };
  struct CallHandler {
    virtual ~CallHandler() = default;
    virtual void operator()(const Peer& from, const Envelope& e, Reply reply) = 0;
  };
  template <class F>
  struct DatagramHandlerOf final : DatagramHandler {
    explicit DatagramHandlerOf(F g) : f(std::move(g)) {}
    void operator()(const Peer& from, const Envelope& e) override { f(from, e); }
    F f;
  };
  template <class F>
  struct CallHandlerOf final : CallHandler {
    explicit CallHandlerOf(F g) : f(std::move(g)) {}
    void operator()(const Peer& from, const Envelope& e, Reply reply) override { f(from, e, std::move(reply)); }
    F f;
  };

  template <class H>
  struct Entry {
    MessageTypeId type;
    std::unique_ptr<H> handler;
  };
  template <class H>
  static H* find(const std::vector<Entry<H>>& entries, MessageTypeId t) {
    for (const auto& e : entries)
      if (e.type == t) return e.handler.get();
    return nullptr;
  }

  Env& env_;
  NodeSpec spec_;
  // Handlers by message type as flat arrays: a node has a handful, and a delivery scans a few contiguous
  // entries instead of hashing into a map (the simulation delivers millions of messages per wall second,
  // and a map's buckets and nodes cost it a cache miss each).
  std::vector<Entry<DatagramHandler>> datagram_handlers_;
  std::vector<Entry<CallHandler>> call_handlers_;
  // Relaxed: a host only compares it for its own parts, which register on its own thread.
  static inline std::atomic<std::uint64_t> registrations_{0};
};

// Role name -> how to build a node of that role. Both runtimes build nodes only through this.
class RoleRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Node>(Env&, const NodeSpec&)>;

  void add(std::string role, Factory f) { roles_[std::move(role)] = std::move(f); }
  bool has(const std::string& role) const { return roles_.count(role) != 0; }
  std::vector<std::string> roles() const;
  // Throws std::invalid_argument naming the unknown role and the known ones.
  std::unique_ptr<Node> make(Env& env, const NodeSpec& spec) const;

 private:
  std::map<std::string, Factory> roles_;
};

}  // namespace roost::core
