#include "tests/sim/test_roles.h"

#include <vector>

#include "platform/roles.h"

namespace roost::sim::testing {
namespace {

core::Network network_of(const nlohmann::json& cfg) {
  auto n = core::parse_network(cfg.value("network", std::string("mgmt")));
  if (!n) throw std::invalid_argument("test role: bad network");
  return *n;
}

class EchoServer : public core::Node {
 public:
  EchoServer(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    const double after_ms = this->spec().config.value("reply_after_ms", 0.0);
    on_call<Echo>([this, after_ms](const core::Peer&, const Echo& m, core::Responder<Echo::Response> reply) {
      if (after_ms <= 0) return reply(Echo::Response{m.n});
      after(core::from_seconds(after_ms / 1000), [reply, n = m.n]() mutable { reply(Echo::Response{n}); });
    });
  }
};

class Caller : public core::Node {
 public:
  Caller(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    const auto& c = this->spec().config;
    target_ = c.at("target").get<std::string>();
    net_ = network_of(c);
    timeout_ = core::from_seconds(c.value("timeout_ms", 1000.0) / 1000);
    pad_ = std::string(c.value("pad_bytes", std::size_t{0}), 'x');
    for (const auto& t : c.value("at_ms", nlohmann::json::array())) at_.push_back(core::at_seconds(t.get<double>() / 1000));
  }
  void start() override {
    std::uint64_t n = 0;
    for (auto t : at_) {
      ++n;
      if (t < now()) continue;
      after(t - now(), [this, n] {
        const core::TimePoint sent = now();
        call<Echo>(target_, net_, Echo{n, pad_}, timeout_, [this, n, sent](core::Result<Echo::Response> r) {
          log().info("call.done", {{"n", n},
                                   {"ok", r.ok()},
                                   {"error", r.ok() ? std::string() : std::string(core::to_string(r.failure().code))},
                                   {"rtt_ns", (now() - sent).count()}});
        });
      });
    }
  }

 private:
  std::string target_;
  core::Network net_ = core::Network::Management;
  core::Duration timeout_{};
  std::string pad_;
  std::vector<core::TimePoint> at_;
};

class Sprayer : public core::Node {
 public:
  Sprayer(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    const auto& c = this->spec().config;
    target_ = c.at("target").get<std::string>();
    net_ = network_of(c);
    left_ = c.value("count", 100);
    interval_ = core::from_seconds(c.value("interval_ms", 10.0) / 1000);
  }
  void start() override { tick(); }

 private:
  void tick() {
    if (left_-- <= 0) return;
    send(target_, net_, Blip{++sent_});
    after(interval_, [this] { tick(); });
  }
  std::string target_;
  core::Network net_ = core::Network::Management;
  int left_ = 0;
  std::uint64_t sent_ = 0;
  core::Duration interval_{};
};

class Sink : public core::Node {
 public:
  Sink(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    period_ = core::from_seconds(this->spec().config.value("report_ms", 1000.0) / 1000);
    on<Blip>([this](const core::Peer&, const Blip&) { ++count_; });
  }
  void start() override { after(period_, [this] { report(); }); }

 private:
  void report() {
    log().info("sink.total", {{"count", count_}});
    after(period_, [this] { report(); });
  }
  std::uint64_t count_ = 0;
  core::Duration period_{};
};

class Ticker : public core::Node {
 public:
  Ticker(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {}
  void start() override {
    const auto& c = spec().config;
    const auto period = core::from_seconds(c.value("period_ms", 1000.0) / 1000);
    const int count = c.value("count", 10);
    const std::int64_t born = now().time_since_epoch().count();
    log().info("ticker.born", {{"draw", static_cast<std::int64_t>(rng().next() >> 1)}});
    for (int k = 1; k <= count; ++k)
      after(period * k, [this, born, k] { log().info("tick", {{"born_ns", born}, {"k", k}}); });
  }
};

class Thrower : public core::Node {
 public:
  Thrower(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {}
  void start() override {
    after(core::from_seconds(spec().config.value("at_ms", 1000.0) / 1000),
          [] { throw std::runtime_error("boom from the thrower"); });
  }
};

class Floater : public core::Node {
 public:
  Floater(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    on_call<Echo>([this](const core::Peer& p, const Echo& m, core::Responder<Echo::Response> reply) {
      log().info("echo.served", {{"n", m.n}, {"from", p.node}});
      reply(Echo::Response{m.n});
    });
    on<Blip>([this](const core::Peer& p, const Blip& m) { log().info("blip", {{"n", m.n}, {"from", p.node}}); });
  }
  void start() override {
    const auto& c = spec().config;
    const std::string name = c.at("name").get<std::string>();
    for (const auto& t : c.value("claim_ms", nlohmann::json::array()))
      after(core::from_seconds(t.get<double>() / 1000), [this, name] {
        log().info("floater.claim", {{"ok", env().claim_floating(name)}});
      });
    for (const auto& t : c.value("release_ms", nlohmann::json::array()))
      after(core::from_seconds(t.get<double>() / 1000), [this, name] { env().release_floating(name); });
  }
};

template <class N>
core::RoleRegistry::Factory factory() {
  return [](core::Env& env, const core::NodeSpec& spec) { return std::make_unique<N>(env, spec); };
}

core::RoleRegistry build() {
  core::RoleRegistry r;
  r.add("test-echo", factory<EchoServer>());
  r.add("test-caller", factory<Caller>());
  r.add("test-sprayer", factory<Sprayer>());
  r.add("test-sink", factory<Sink>());
  r.add("test-ticker", factory<Ticker>());
  r.add("test-thrower", factory<Thrower>());
  r.add("test-floater", factory<Floater>());
  // The platform's own roles too (pulse-controller, pulse-host...), built by the platform's registry.
  for (const auto& name : platform::roles().roles())
    r.add(name, [](core::Env& env, const core::NodeSpec& spec) { return platform::roles().make(env, spec); });
  return r;
}

}  // namespace

const core::RoleRegistry& test_roles() {
  static const core::RoleRegistry registry = build();
  return registry;
}

}  // namespace roost::sim::testing
