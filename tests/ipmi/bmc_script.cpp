#include "tests/ipmi/bmc_script.h"

#include <algorithm>
#include <stdexcept>

#include "platform/roles.h"

namespace roost::testing {

namespace {

const char* const kOps[] = {"status", "sensors", "power-on", "power-off", "reset", "power-cycle"};

core::BmcEndpoint endpoint_from(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("host")) throw std::invalid_argument("bmc-script: 'bmc' needs at least a 'host'");
  core::BmcEndpoint e;
  e.host = j.at("host").get<std::string>();
  e.address = j.value("address", "");
  e.port = j.value("port", std::uint16_t{623});
  e.user = j.value("user", "");
  e.password = j.value("password", "");
  e.protocol = j.value("protocol", "ipmi");
  return e;
}

}  // namespace

nlohmann::json endpoint_json(const core::BmcEndpoint& e) {
  return {{"host", e.host}, {"address", e.address}, {"port", e.port}, {"user", e.user},
          {"password", e.password}, {"protocol", e.protocol}};
}

BmcScript::BmcScript(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
  const auto& cfg = this->spec().config;
  endpoint_ = endpoint_from(cfg.value("bmc", nlohmann::json()));
  for (const auto& s : cfg.value("steps", nlohmann::json::array())) {
    Step step{s.at("op").get<std::string>(), core::from_seconds(s.value("after_s", 0.0))};
    if (std::find(std::begin(kOps), std::end(kOps), step.op) == std::end(kOps))
      throw std::invalid_argument("bmc-script: unknown op '" + step.op + "'");
    steps_.push_back(step);
  }
}

void BmcScript::start() {
  bmc_ = env().hardware().bmc(endpoint_);
  next();
}

void BmcScript::next() {
  if (at_ == steps_.size()) return log().info("script.done", {{"steps", steps_.size()}});
  const std::size_t i = at_++;
  if (steps_[i].after.count() > 0) {
    after(steps_[i].after, [this, i] { run(i); });
  } else {
    run(i);
  }
}

void BmcScript::failed(std::size_t i, const core::BmcError& e) {
  log().info("script.result", {{"step", i},
                               {"op", steps_[i].op},
                               {"ok", false},
                               {"error", std::string(core::to_string(e.code))},
                               {"detail", e.detail}});
  next();
}

void BmcScript::run(std::size_t i) {
  const std::string& op = steps_[i].op;
  if (op == "status") {
    return bmc_->power_status([this, i](core::BmcResult<core::PowerState> r) {
      if (!r) return failed(i, r.error());
      log().info("script.result", {{"step", i}, {"op", "status"}, {"ok", true}, {"state", std::string(core::to_string(r.value()))}});
      next();
    });
  }
  if (op == "sensors") {
    return bmc_->read_sensors([this, i](core::BmcResult<std::vector<core::SensorReading>> r) {
      if (!r) return failed(i, r.error());
      for (const auto& s : r.value()) {
        core::LogFields f{{"step", i}, {"name", s.name}, {"type", std::string(core::to_string(s.type))},
                          {"unit", s.unit}, {"status", std::string(core::to_string(s.status))}};
        if (s.value) f.emplace_back("value", *s.value);
        const auto& t = s.thresholds;
        if (t.lower_non_recoverable) f.emplace_back("lnr", *t.lower_non_recoverable);
        if (t.lower_critical) f.emplace_back("lcr", *t.lower_critical);
        if (t.lower_non_critical) f.emplace_back("lnc", *t.lower_non_critical);
        if (t.upper_non_critical) f.emplace_back("unc", *t.upper_non_critical);
        if (t.upper_critical) f.emplace_back("ucr", *t.upper_critical);
        if (t.upper_non_recoverable) f.emplace_back("unr", *t.upper_non_recoverable);
        log().info("script.sensor", std::move(f));
      }
      log().info("script.result", {{"step", i}, {"op", "sensors"}, {"ok", true}, {"sensors", r.value().size()}});
      next();
    });
  }
  const core::PowerAction action = op == "power-on"    ? core::PowerAction::On
                                   : op == "power-off" ? core::PowerAction::Off
                                   : op == "reset"     ? core::PowerAction::Reset
                                                       : core::PowerAction::Cycle;
  bmc_->power(action, [this, i, op](core::BmcResult<void> r) {
    if (!r) return failed(i, r.error());
    log().info("script.result", {{"step", i}, {"op", op}, {"ok", true}});
    next();
  });
}

const core::RoleRegistry& bmc_test_roles() {
  static const core::RoleRegistry registry = [] {
    core::RoleRegistry r = platform::roles();
    r.add("bmc-script", [](core::Env& env, const core::NodeSpec& spec) { return std::make_unique<BmcScript>(env, spec); });
    return r;
  }();
  return registry;
}

}  // namespace roost::testing
