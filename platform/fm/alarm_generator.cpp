#include "platform/fm/alarm_generator.h"

#include <cmath>
#include <string>
#include <stdexcept>

namespace roost::fm {

AlarmGeneratorConfig AlarmGeneratorConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("the alarm-generator's config must be an object with fm_node");
  AlarmGeneratorConfig c;
  nlohmann::json client = nlohmann::json::object();
  for (const auto& [k, v] : j.items()) {
    if (k == "fm_node") {
      client["fm_node"] = v;
    } else if (k == "count") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0) throw std::invalid_argument("count: must be a non-negative integer");
      c.count = v.get<std::uint64_t>();
    } else if (k == "rate_per_s") {
      if (!v.is_number() || v.get<double>() < 0) throw std::invalid_argument("rate_per_s: must be a number >= 0 (0: all at once)");
      c.rate_per_s = v.get<double>();
    } else if (k == "alarm_id") {
      if (!v.is_string()) throw std::invalid_argument("alarm_id: must be a string such as \"200.006\"");
      c.alarm_id = v.get<std::string>();
    } else if (k == "severity") {
      const auto s = v.is_string() ? parse_severity(v.get<std::string>()) : std::nullopt;
      if (!s) throw std::invalid_argument("severity: must be critical, major, minor or warning");
      c.severity = *s;
    } else if (k == "start_delay_ms") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
        throw std::invalid_argument("start_delay_ms: must be a non-negative integer");
      c.start_delay = core::milliseconds(v.get<std::int64_t>());
    } else if (k == "clear") {
      if (!v.is_boolean()) throw std::invalid_argument("clear: must be true or false");
      c.clear = v.get<bool>();
    } else if (k == "client") {
      if (!v.is_object()) throw std::invalid_argument("client: must be an object");
      for (const auto& [ck, cv] : v.items()) client[ck] = cv;
    } else {
      throw std::invalid_argument(k + ": unknown key (expected fm_node, count, rate_per_s, alarm_id, severity, "
                                      "start_delay_ms, clear, client)");
    }
  }
  try {
    c.client = FmClientConfig::from_json(client);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("client.") + e.what());
  }
  return c;
}

std::string AlarmGenerator::entity(const std::string& node, std::uint64_t i) {
  std::string digits = std::to_string(i);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "host=" + node + ".process=gen-" + digits;
}

AlarmGenerator::AlarmGenerator(core::Env& env, const core::NodeSpec& spec)
    : core::Node(env, spec), config_(AlarmGeneratorConfig::from_json(spec.config)), client_(*this, config_.client) {}

void AlarmGenerator::start() {
  started_ = now();
  log().info("alarm_generator.started", {{"count", config_.count}, {"rate_per_s", config_.rate_per_s},
                                         {"fm_node", config_.client.fm_node}, {"alarm_id", config_.alarm_id}});
  after(config_.start_delay, [this] { tick(); });
}

void AlarmGenerator::tick() {
  // How many raises are due by now at the configured rate (all of them at rate 0).
  const double elapsed_s = std::chrono::duration<double>(now() - started_ - config_.start_delay).count();
  const std::uint64_t due = config_.rate_per_s <= 0
                                ? config_.count
                                : std::min<std::uint64_t>(config_.count, static_cast<std::uint64_t>(elapsed_s * config_.rate_per_s) + 1);
  const std::uint64_t step = std::max<std::uint64_t>(1, config_.count / 10);
  while (raised_ < due) {
    Alarm a;
    a.alarm_id = config_.alarm_id;
    a.entity_type_id = "host";
    a.entity_instance_id = entity(name(), raised_);
    a.severity = config_.severity;
    client_.raise(std::move(a));
    ++raised_;
    if (raised_ % step == 0 || raised_ == config_.count)
      log().info("alarm_generator.progress", {{"raised", raised_}, {"acknowledged", client_.stats().acknowledged},
                                              {"queued", client_.queued()}, {"dropped", client_.stats().dropped}});
  }
  if (raised_ < config_.count) {
    after(core::milliseconds(10), [this] { tick(); });
    return;
  }
  log().info("alarm_generator.raised", {{"count", raised_}});
  if (config_.clear)
    for (std::uint64_t i = 0; i < config_.count; ++i) client_.clear(config_.alarm_id, entity(name(), i)), ++cleared_;
  watch();
}

void AlarmGenerator::watch() {
  if (!client_.idle()) {
    after(core::milliseconds(50), [this] { watch(); });
    return;
  }
  const auto& s = client_.stats();
  log().info("alarm_generator.done", {{"raised", raised_}, {"cleared", cleared_}, {"acknowledged", s.acknowledged},
                                      {"dropped", s.dropped}, {"refused", s.refused}, {"retries", s.retries},
                                      {"ms", core::to_millis(now() - started_)}});
}

}  // namespace roost::fm
