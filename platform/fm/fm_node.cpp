#include "platform/fm/fm_node.h"

#include <stdexcept>

#include "platform/fm/catalogue.h"
#include "platform/fm/entity_path.h"
#include "platform/fm/rest_api.h"

namespace roost::fm {

FmNodeConfig FmNodeConfig::from_json(const nlohmann::json& j) {
  FmNodeConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw std::invalid_argument("the fm node's config must be an object");
  for (const auto& [k, v] : j.items()) {
    if (k == "rest_port") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 65535)
        throw std::invalid_argument("rest_port: must be a port number 0..65535 (0: no REST API)");
      c.rest_port = static_cast<std::uint16_t>(v.get<std::uint64_t>());
    } else if (k == "rest_network") {
      const auto net = v.is_string() ? core::parse_network(v.get<std::string>()) : std::nullopt;
      if (!net) throw std::invalid_argument("rest_network: must be one of mgmt, cluster-host, oam, wan");
      c.rest_network = *net;
    } else if (k == "fm") {
      try {
        c.fm = FmConfig::from_json(v);
      } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("fm.") + e.what());
      }
    } else {
      throw std::invalid_argument(k + ": unknown key (expected rest_port, rest_network, fm)");
    }
  }
  return c;
}

FmNode::FmNode(core::Env& env, const core::NodeSpec& spec)
    : core::Node(env, spec), config_(FmNodeConfig::from_json(spec.config)) {
  on_call<SetFaults>([this](const core::Peer& p, const SetFaults& m, core::Responder<FmReply> r) { on_set(p, m, std::move(r)); });
  on_call<ClearFault>([this](const core::Peer& p, const ClearFault& m, core::Responder<FmReply> r) { on_clear(p, m, std::move(r)); });
  on_call<GetFaults>([this](const core::Peer& p, const GetFaults& m, core::Responder<GetFaults::Response> r) {
    on_get(p, m, std::move(r));
  });
}

FmNode::~FmNode() = default;

void FmNode::start() {
  store_ = env().resource<AlarmStore>();
  if (!store_)
    throw std::runtime_error("fm node " + name() + ": this runtime keeps no durable alarm store for it "
                             "(Env::resource<fm::AlarmStore>() is null)");
  fm_ = std::make_unique<FaultManager>(builtin_catalogue(), *store_, rng(), config_.fm);
  fm_->load();
  if (config_.rest_port != 0) {
    rest_ = RestApi::create(*fm_, [this] { return stamp(); });
    env().serve_http(config_.rest_network, config_.rest_port, rest_->router());
  }
  log().info("fm.ready", {{"active_alarms", fm_->active_count()},
                          {"events", fm_->event_count()},
                          {"rest_port", config_.rest_port},
                          {"rest_network", std::string(core::to_string(config_.rest_network))}});
}

namespace {
FmReply reply_of(const Error& e) {
  FmReply r;
  r.error_code = static_cast<std::uint8_t>(e.code);
  r.error = e.message;
  return r;
}
}  // namespace

void FmNode::on_set(const core::Peer& from, const SetFaults& m, core::Responder<FmReply> reply) {
  // The raiser's wall time is when it happened (it may have queued the change through an outage);
  // the runtime time is ours, so the trace orders changes as this node made them.
  Stamp at = stamp();
  if (m.at.wall_us != 0) at.wall_us = m.at.wall_us;
  fm_->set_list(m.alarms, at, {.keep_existing = m.keep_existing},
                [this, reply, from = from.node, alarms = m.alarms](const Outcome<std::vector<SetResult>>& r) mutable {
                  if (!r) {
                    log().warn("fm.set_refused", {{"from", from}, {"alarms", alarms.size()}, {"error", r.error().message}});
                    return reply(reply_of(r.error()));
                  }
                  FmReply ok;
                  for (std::size_t i = 0; i < r.value().size(); ++i) {
                    const auto& s = r.value()[i];
                    ok.uuids.push_back(s.uuid);
                    // One record per durable change, at debug: what the simulation's trace checks order on.
                    if (log().enabled(core::LogLevel::Debug))
                      log().debug("fm.set", {{"from", from}, {"alarm_id", alarms[i].alarm_id},
                                             {"entity_instance_id", alarms[i].entity_instance_id},
                                             {"uuid", s.uuid}, {"action", std::string(to_string(s.action))}});
                  }
                  reply(ok);
                });
}

void FmNode::on_clear(const core::Peer&, const ClearFault& m, core::Responder<FmReply> reply) {
  Stamp at = stamp();
  if (m.at.wall_us != 0) at.wall_us = m.at.wall_us;
  auto done = [reply](const Outcome<ClearResult>& r) mutable {
    if (!r) return reply(reply_of(r.error()));
    FmReply ok;
    ok.uuids = r->cleared;
    reply(ok);
  };
  if (m.alarm_id.empty())
    fm_->clear_all(m.entity_instance_id, at, std::move(done));
  else
    fm_->clear(m.alarm_id, m.entity_instance_id, at, std::move(done));
}

void FmNode::on_get(const core::Peer&, const GetFaults& m, core::Responder<GetFaults::Response> reply) {
  GetFaults::Response out;
  const auto views = m.alarm_id.empty() ? fm_->find_by_entity(m.entity_instance_id) : fm_->find_by_id(m.alarm_id);
  for (const auto& v : views)
    if (m.entity_instance_id.empty() || entity_covers(m.entity_instance_id, v.alarm.entity_instance_id))
      out.alarms.push_back(v.alarm);
  reply(out);
}

}  // namespace roost::fm
