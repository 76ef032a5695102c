#include "platform/sm/service_actions.h"

#include <stdexcept>
#include <utility>

#include "platform/core/config_reader.h"

namespace roost::sm {
namespace {

// A duration setting: {"min", "mode", "max"} in ms, or one number (fixed).
TriangularMs read_triangular(core::ConfigReader& r, const std::string& what, const std::string& key,
                             TriangularMs fallback) {
  const nlohmann::json& v = r.raw(key);
  if (v.is_null()) return fallback;
  constexpr double kMaxMs = 3600e3;
  if (v.is_number()) {
    const double ms = v.get<double>();
    if (ms < 0 || ms > kMaxMs) r.fail(key, "must be a number of milliseconds in [0, 3600000], got " + v.dump());
    return {ms, ms, ms};
  }
  if (!v.is_object()) r.fail(key, "must be {\"min\", \"mode\", \"max\"} in milliseconds or a number, got " + v.dump());
  core::ConfigReader t(what + ": " + key, v);
  for (const char* k : {"min", "mode", "max"})
    if (!t.has(k)) t.fail(k, "required (milliseconds)");
  TriangularMs out;
  out.min = t.number("min", 0, 0, kMaxMs);
  out.mode = t.number("mode", 0, 0, kMaxMs);
  out.max = t.number("max", 0, 0, kMaxMs);
  t.finish();
  if (!(out.min <= out.mode && out.mode <= out.max))
    r.fail(key, "needs min <= mode <= max, got " + v.dump());
  return out;
}

std::string describe_exit(const core::ProcessExit& e) {
  if (e.signal != 0) return "killed by signal " + std::to_string(e.signal);
  return "exited with status " + std::to_string(e.exit_code);
}

}  // namespace

// --- SimulatedServiceActions ----------------------------------------------------------------------------

SimulatedServiceActions::Config SimulatedServiceActions::parse_config(const nlohmann::json& j, const std::string& what) {
  core::ConfigReader r(what, j);
  Config c;
  c.start_ms = read_triangular(r, what, "start_ms", c.start_ms);
  c.stop_ms = read_triangular(r, what, "stop_ms", c.stop_ms);
  c.start_failure_rate = r.number("start_failure_rate", c.start_failure_rate, 0, 1);
  c.audit_failure_rate = r.number("audit_failure_rate", c.audit_failure_rate, 0, 1);
  r.finish();
  return c;
}

SimulatedServiceActions::SimulatedServiceActions(core::Node& node, std::string service, Config config)
    : node_(node), service_(std::move(service)), config_(config) {}

SimulatedServiceActions::~SimulatedServiceActions() {
  alive_.reset();
  for (auto id : timers_) node_.cancel(id);
}

void SimulatedServiceActions::later(core::Duration d, std::function<void()> fn) {
  auto id = std::make_shared<core::TimerId>(0);
  std::weak_ptr<bool> token = alive_;
  // after() never runs fn inside the call, so *id is set before it runs.
  *id = node_.after(d, [this, token, id, fn = std::move(fn)] {
    if (token.expired()) return;
    timers_.erase(*id);
    fn();
  });
  timers_.insert(*id);
}

core::Duration SimulatedServiceActions::draw(const TriangularMs& t) {
  return core::from_seconds(node_.rng().triangular(t.min, t.mode, t.max) / 1000.0);
}

void SimulatedServiceActions::start(ActionDone done) {
  // Both draws happen now, in call order, so a seed fixes every outcome regardless of completion order.
  const auto d = draw(config_.start_ms);
  const bool fails = node_.rng().chance(config_.start_failure_rate);
  const auto gen = ++generation_;
  later(d, [this, gen, fails, done = std::move(done)] {
    if (gen == generation_) running_ = !fails;
    done(fails ? ActionResult{false, "start: simulated failure of " + service_} : ActionResult{});
  });
}

void SimulatedServiceActions::stop(ActionDone done) {
  const auto d = draw(config_.stop_ms);
  const auto gen = ++generation_;
  later(d, [this, gen, done = std::move(done)] {
    if (gen == generation_) running_ = false;
    done(ActionResult{});
  });
}

void SimulatedServiceActions::audit(ActionDone done) {
  later(core::Duration::zero(), [this, done = std::move(done)] {
    if (!running_) return done(ActionResult{false, "audit: " + service_ + " is not running"});
    if (node_.rng().chance(config_.audit_failure_rate))
      return done(ActionResult{false, "audit: simulated failure of " + service_});
    done(ActionResult{});
  });
}

// --- ProcessServiceActions ------------------------------------------------------------------------------

ProcessServiceActions::Config ProcessServiceActions::parse_config(const nlohmann::json& j, const std::string& what) {
  core::ConfigReader r(what, j);
  Config c;
  if (!r.has("command")) r.fail("command", "required: the program and its arguments, e.g. [\"/usr/bin/sleep\", \"600\"]");
  c.command = r.strings("command", {});
  if (c.command.empty() || c.command[0].empty())
    r.fail("command", "must name a program: a non-empty array of strings whose first is the program");
  c.restart_grace = r.millis("restart_grace_ms", c.restart_grace, 0, 600e3);
  r.finish();
  return c;
}

ProcessServiceActions::ProcessServiceActions(core::Node& node, std::string service, Config config)
    : node_(node), service_(std::move(service)), config_(std::move(config)) {}

ProcessServiceActions::~ProcessServiceActions() {
  alive_.reset();
  for (auto id : timers_) node_.cancel(id);
  node_.cancel(grace_timer_);
  // Its exit will not be reported (the completions hold `alive_` weakly); ProcessControl reaps it.
  if (id_ != 0) node_.env().hardware().processes().stop(id_);
}

std::string ProcessServiceActions::describe() const {
  std::string s;
  for (const auto& a : config_.command) s += (s.empty() ? "" : " ") + a;
  return s;
}

void ProcessServiceActions::later(core::Duration d, std::function<void()> fn) {
  auto id = std::make_shared<core::TimerId>(0);
  std::weak_ptr<bool> token = alive_;
  *id = node_.after(d, [this, token, id, fn = std::move(fn)] {
    if (token.expired()) return;
    timers_.erase(*id);
    fn();
  });
  timers_.insert(*id);
}

void ProcessServiceActions::finish(std::vector<ActionDone>& waiters, const ActionResult& r) {
  for (auto& done : waiters) later(core::Duration::zero(), [done = std::move(done), r] { done(r); });
  waiters.clear();
}

void ProcessServiceActions::start(ActionDone done) {
  switch (phase_) {
    case Phase::Running: {
      std::vector<ActionDone> one{std::move(done)};
      return finish(one, {});
    }
    case Phase::Spawning:
    case Phase::Grace:
      return start_waiters_.push_back(std::move(done));
    case Phase::Stopping:
      start_after_stop_ = true;
      return start_waiters_.push_back(std::move(done));
    case Phase::Idle:
      start_waiters_.push_back(std::move(done));
      return spawn();
  }
}

void ProcessServiceActions::spawn() {
  phase_ = Phase::Spawning;
  stop_after_spawn_ = false;
  std::weak_ptr<bool> token = alive_;
  node_.env().hardware().processes().start(
      core::ProcessSpec{service_, config_.command},
      [this, token](core::ProcessId id, std::string error) {
        if (!token.expired()) on_started(id, error);
      },
      [this, token](core::ProcessExit e) {
        if (!token.expired()) on_exited(e);
      });
}

void ProcessServiceActions::on_started(core::ProcessId id, const std::string& error) {
  if (!error.empty()) {
    phase_ = Phase::Idle;
    last_exit_ = "could not start: " + error;
    finish(start_waiters_, {false, "start: " + describe() + ": " + error});
    finish(stop_waiters_, {});  // nothing runs: a stop asked meanwhile is done
    return;
  }
  id_ = id;
  if (stop_after_spawn_) return begin_stop();
  phase_ = Phase::Grace;
  if (config_.restart_grace <= core::Duration::zero()) {
    phase_ = Phase::Running;
    return finish(start_waiters_, {});
  }
  std::weak_ptr<bool> token = alive_;
  grace_timer_ = node_.after(config_.restart_grace, [this, token] {
    if (token.expired() || phase_ != Phase::Grace) return;
    grace_timer_ = 0;
    phase_ = Phase::Running;
    finish(start_waiters_, {});
  });
}

void ProcessServiceActions::on_exited(const core::ProcessExit& exit) {
  last_exit_ = describe_exit(exit);
  node_.cancel(grace_timer_);
  grace_timer_ = 0;
  const Phase was = phase_;
  phase_ = Phase::Idle;
  id_ = 0;
  switch (was) {
    case Phase::Spawning:
    case Phase::Grace:
      finish(start_waiters_, {false, "start: " + describe() + " " + last_exit_ + " within " +
                                         std::to_string(static_cast<long long>(core::to_millis(config_.restart_grace))) +
                                         " ms of starting"});
      break;
    case Phase::Running:
    case Phase::Idle:
      // An unexpected exit: the next audit reports it.
      break;
    case Phase::Stopping:
      finish(stop_waiters_, {});
      if (start_after_stop_) {
        start_after_stop_ = false;
        spawn();
      }
      break;
  }
}

void ProcessServiceActions::begin_stop() {
  phase_ = Phase::Stopping;
  node_.env().hardware().processes().stop(id_);
}

void ProcessServiceActions::stop(ActionDone done) {
  // A stop supersedes a start that has not succeeded yet.
  if (start_after_stop_ || phase_ == Phase::Spawning || phase_ == Phase::Grace) {
    start_after_stop_ = false;
    finish(start_waiters_, {false, "start: " + service_ + " was stopped before it was up"});
  }
  switch (phase_) {
    case Phase::Idle: {
      std::vector<ActionDone> one{std::move(done)};
      return finish(one, {});
    }
    case Phase::Spawning:
      stop_after_spawn_ = true;
      return stop_waiters_.push_back(std::move(done));
    case Phase::Grace:
      node_.cancel(grace_timer_);
      grace_timer_ = 0;
      [[fallthrough]];
    case Phase::Running:
      stop_waiters_.push_back(std::move(done));
      return begin_stop();
    case Phase::Stopping:
      return stop_waiters_.push_back(std::move(done));
  }
}

void ProcessServiceActions::audit(ActionDone done) {
  ActionResult r;
  switch (phase_) {
    case Phase::Running:
    case Phase::Grace:
      break;
    case Phase::Idle:
      r = {false, "audit: " + service_ + " is not running" + (last_exit_.empty() ? "" : " (" + last_exit_ + ")")};
      break;
    case Phase::Spawning:
      r = {false, "audit: " + service_ + " is still starting"};
      break;
    case Phase::Stopping:
      r = {false, "audit: " + service_ + " is stopping"};
      break;
  }
  std::vector<ActionDone> one{std::move(done)};
  finish(one, r);
}

// --- factories ------------------------------------------------------------------------------------------

std::unique_ptr<ServiceActions> make_standard_actions(core::Node& node, const ServiceSpec& spec) {
  const std::string what = "service " + spec.name + ": config (" + spec.actions + " actions)";
  if (spec.actions == "simulated")
    return std::make_unique<SimulatedServiceActions>(node, spec.name,
                                                     SimulatedServiceActions::parse_config(spec.config, what));
  if (spec.actions == "process")
    return std::make_unique<ProcessServiceActions>(node, spec.name,
                                                   ProcessServiceActions::parse_config(spec.config, what));
  return nullptr;
}

ActionsFactory make_actions_factory(core::Node& node, std::map<std::string, ActionsFactory> extra) {
  return [&node, extra = std::move(extra)](const ServiceSpec& spec) -> std::unique_ptr<ServiceActions> {
    if (auto it = extra.find(spec.actions); it != extra.end())
      if (auto a = it->second(spec)) return a;
    if (auto a = make_standard_actions(node, spec)) return a;
    std::string known = "process, simulated";
    for (const auto& [kind, _] : extra) known += ", " + kind;
    throw std::invalid_argument("service " + spec.name + ": actions: unknown kind \"" + spec.actions +
                                "\" (known: " + known + ")");
  };
}

}  // namespace roost::sm
