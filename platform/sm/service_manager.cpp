#include "platform/sm/service_manager.h"

#include <algorithm>
#include <stdexcept>

#include "platform/core/config_reader.h"
#include "platform/fm/alarm_store.h"
#include "platform/fm/fm_client.h"
#include "platform/sm/replicated_alarm_store.h"
#include "platform/sm/replicated_host_store.h"
#include "platform/sm/rest_api.h"
#include "platform/sm/service_actions.h"

namespace roost::sm {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::Initial: return "initial";
    case Role::Standby: return "standby";
    case Role::Active: return "active";
    case Role::Outdated: return "outdated";
  }
  return "?";
}

namespace {

constexpr const char* kControllerGroup = "controller-services";
constexpr const char* kDomain = "controller";

int penalty(core::Network n) {
  switch (n) {
    case core::Network::Oam: return 1;
    case core::Network::ClusterHost: return 2;
    case core::Network::Management: return 4;
    case core::Network::Wan: return 0;
  }
  return 0;
}

// The floating endpoint as a member service: active means this controller holds the floating name.
class FloatingNameActions final : public ServiceActions {
 public:
  FloatingNameActions(core::Node& node, std::string name) : node_(node), name_(std::move(name)) {}
  ~FloatingNameActions() override {
    *alive_ = false;
    if (held_) node_.env().release_floating(name_);
  }
  std::string_view kind() const override { return "internal"; }
  void start(ActionDone done) override {
    attempt(std::make_shared<ActionDone>(std::move(done)), 0);
  }
  void stop(ActionDone done) override {
    later([this, done = std::move(done)] {
      if (held_) node_.env().release_floating(name_);
      held_ = false;
      done({});
    });
  }
  void audit(ActionDone done) override {
    later([this, done = std::move(done)] {
      // Re-claiming a held name is a no-op that still fails if someone else took it.
      held_ = node_.env().claim_floating(name_);
      done(held_ ? ActionResult{} : ActionResult{false, "lost the floating name " + name_});
    });
  }

 private:
  // The previous holder (the peer, in another process) may still be letting go: retry for a short while
  // before failing the start, rather than failing the whole group on a race of a few milliseconds.
  void attempt(std::shared_ptr<ActionDone> done, int tries) {
    after(tries == 0 ? core::Duration::zero() : core::milliseconds(20), [this, done, tries] {
      held_ = node_.env().claim_floating(name_);
      if (held_) return (*done)({});
      if (tries + 1 < kClaimTries) return attempt(done, tries + 1);
      (*done)({false, "cannot claim the floating name " + name_});
    });
  }
  static constexpr int kClaimTries = 25;  // about 0.5 s
  void after(core::Duration d, std::function<void()> fn) {
    node_.after(d, [alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
      if (!alive.expired()) fn();
    });
  }
  void later(std::function<void()> fn) { after(core::Duration::zero(), std::move(fn)); }
  core::Node& node_;
  std::string name_;
  bool held_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

// ---- config -----------------------------------------------------------------------------------------

ServiceManagerConfig ServiceManagerConfig::from_json(const std::string& self, const nlohmann::json& j) {
  ServiceManagerConfig c;
  core::ConfigReader r("sm-controller config", j);
  c.link.peer = r.string("peer", "");
  if (c.link.peer.empty()) r.fail("peer", "must name the other controller");
  if (c.link.peer == self) r.fail("peer", "must not be this node itself");
  c.floating = r.string("floating", c.floating);
  if (r.has("networks")) {
    c.link.networks.clear();
    for (const auto& s : r.strings("networks", {})) {
      auto n = core::parse_network(s);
      if (!n || *n == core::Network::Wan) r.fail("networks", "\"" + s + "\" is not one of mgmt, cluster-host, oam");
      if (std::find(c.link.networks.begin(), c.link.networks.end(), *n) != c.link.networks.end())
        r.fail("networks", "\"" + s + "\" is listed twice");
      c.link.networks.push_back(*n);
    }
    if (c.link.networks.empty()) r.fail("networks", "must name at least one network");
  }
  c.link.hello = r.millis("hello_ms", c.link.hello, 20, 5000);
  c.link.dead = r.millis("dead_ms", c.link.dead, 60, 60000);
  if (c.link.dead < 2 * c.link.hello) r.fail("dead_ms", "must be at least two hello periods");
  c.fail_pending = r.millis("fail_pending_ms", c.fail_pending, 0, 60000);
  c.initial_wait = r.millis("initial_wait_ms", c.initial_wait, 0, 600000);
  c.replication_timeout = r.millis("replication_timeout_ms", c.replication_timeout, 10, 60000);
  c.swact_timeout = r.millis("swact_timeout_ms", c.swact_timeout, 50, 60000);
  if (r.has("auth_keys")) {
    const auto& k = r.raw("auth_keys");
    if (!k.is_object()) r.fail("auth_keys", "must be an object of network -> key");
    for (const auto& [net, key] : k.items()) {
      auto n = core::parse_network(net);
      if (!n) r.fail("auth_keys", "\"" + net + "\" is not a network");
      if (!key.is_string() || key.get<std::string>().empty() || key.get<std::string>().size() > 128)
        r.fail("auth_keys", net + ": must be a key of 1..128 characters");
      c.link.keys[*n] = key.get<std::string>();
    }
  }
  c.witnesses = r.strings("witnesses", {});
  for (const auto& s : r.strings("witness_networks", {})) {
    auto n = core::parse_network(s);
    if (!n || std::find(c.link.networks.begin(), c.link.networks.end(), *n) == c.link.networks.end())
      r.fail("witness_networks", "\"" + s + "\" is not one of the hello networks");
    if (std::find(c.witness_networks.begin(), c.witness_networks.end(), *n) != c.witness_networks.end())
      r.fail("witness_networks", "\"" + s + "\" is listed twice");
    c.witness_networks.push_back(*n);
  }
  c.storage_witness = r.string("storage_witness", "");
  if (!c.storage_witness.empty() &&
      std::find(c.witnesses.begin(), c.witnesses.end(), c.storage_witness) == c.witnesses.end())
    r.fail("storage_witness", "\"" + c.storage_witness + "\" is not one of the witnesses");
  if (r.has("services")) {
    const auto& s = r.raw("services");
    if (!s.is_object()) r.fail("services", "must be an object with fm, mtce and dc");
    for (const auto& [k, v] : s.items()) {
      if (k == "fm") c.fm_service = v;
      else if (k == "mtce") c.mtce_service = v;
      else if (k == "dc") {
        if (!v.is_object() || !v.contains("role") || !v["role"].is_string())
          r.fail("services", "dc: must be {\"role\": \"dc-agent\" | \"dc-manager\", \"config\": {...}}");
        for (const auto& [dk, dv] : v.items())
          if (dk != "role" && dk != "config") r.fail("services", "dc." + dk + ": unknown key (expected role, config)");
        c.dc_service = v;
      } else r.fail("services", "unknown service \"" + k + "\" (expected fm, mtce, dc)");
    }
  }
  if (r.has("groups")) {
    const auto& g = r.raw("groups");
    if (!g.is_array()) r.fail("groups", "must be an array of service groups");
    for (std::size_t i = 0; i < g.size(); ++i) {
      try {
        c.extra_groups.push_back(parse_service_group(g[i]));
      } catch (const std::exception& e) {
        r.fail("groups", "[" + std::to_string(i) + "]." + e.what());
      }
      if (c.extra_groups.back().name == kControllerGroup)
        r.fail("groups", "[" + std::to_string(i) + "]: " + kControllerGroup + " is the controller's own group");
    }
  }
  c.rest_port = static_cast<std::uint16_t>(r.integer("rest_port", c.rest_port, 0, 65535));
  if (r.has("rest_network")) {
    auto n = core::parse_network(r.string("rest_network", ""));
    if (!n) r.fail("rest_network", "must be one of mgmt, cluster-host, oam");
    c.rest_network = *n;
  }
  c.locked = r.boolean("locked", false);
  c.health_swact_margin = r.integer("health_swact_margin", c.health_swact_margin, 1, 8);
  r.finish();
  return c;
}

// ---- life -------------------------------------------------------------------------------------------

ServiceManager::ServiceManager(core::Env& env, const core::NodeSpec& spec, NodeFactory factory)
    : core::Node(env, spec), config_(ServiceManagerConfig::from_json(spec.name, spec.config)), factory_(std::move(factory)) {
  on_call<TakeoverRequest>([this](const core::Peer&, const TakeoverRequest& m, core::Responder<TakeoverReply> r) {
    on_takeover(m, std::move(r));
  });
  on_call<SwactRequest>([this](const core::Peer& from, const SwactRequest& m, core::Responder<SwactReply> r) {
    log().info("sm.swact", {{"phase", "requested"}, {"by", from.node}, {"force", m.force}, {"host", m.host}});
    swact(m.host, m.force, [r](bool ok, std::string error, std::string to) mutable {
      SwactReply reply;
      reply.ok = ok;
      reply.error = std::move(error);
      reply.new_active = std::move(to);
      r(reply);
    });
  });
  on_call<StatusRequest>([this](const core::Peer&, const StatusRequest&, core::Responder<StatusReply> r) {
    r(StatusReply{status().dump()});
  });
}

ServiceManager::~ServiceManager() {
  *alive_ = false;
  if (timer_) cancel(timer_);
  // Services first (nested nodes use the store and the replicator), then the replicator.
  groups_.clear();
  nested_.clear();
}

void ServiceManager::start() {
  started_ = now();
  local_store_ = env().resource<fm::AlarmStore>();
  if (!local_store_)
    throw std::runtime_error("sm-controller " + name() + ": this runtime keeps no durable alarm store for it "
                             "(Env::resource<fm::AlarmStore>() is null)");
  term_ = local_store_->position().term;

  link_ = std::make_unique<PeerLink>(*this, config_.link,
                                     PeerLink::Listener{
                                         [this](const Hello& h, core::Network) {
                                           if (h.term > term_ && role_ != Role::Active) term_ = h.term;
                                           evaluate();
                                         },
                                         [this](core::Network n, bool up) {
                                           interface_alarm(n, up);
                                           evaluate();
                                         },
                                         [this] { return fill_hello(); }});
  WitnessTracker::Config wc;
  wc.witnesses = config_.witnesses;
  wc.storage = config_.storage_witness;
  wc.self = name();
  wc.peer = config_.link.peer;
  wc.networks = config_.witness_networks.empty() ? config_.link.networks : config_.witness_networks;
  wc.period = config_.link.hello;
  wc.dead = config_.link.dead;
  witnesses_ = std::make_unique<WitnessTracker>(*this, wc);
  // With the peer lost, a witness's answer may be the proof a standby waits for: decide at once.
  witnesses_->on_update([this] {
    if (!link_->any_up()) evaluate();
  });

  Replicator::Config rc;
  rc.store = "fm";
  rc.peer = config_.link.peer;
  rc.timeout = config_.replication_timeout;
  replicator_ = std::make_unique<Replicator>(*this, *local_store_, rc,
                                             Replicator::Hooks{[this] { return route(); }, [this] { return term_; },
                                                               [this] { return role_ == Role::Active; },
                                                               [this](SyncState s) { sync_changed(s); }});
  store_ = std::make_shared<ReplicatedAlarmStore>(local_store_, *replicator_);

  // Inventory replication (replicated_host_store.h): the nested mtce's host store follows the active.
  // Without an mtce service this controller keeps no inventory; its applier says so to a peer that has one.
  std::shared_ptr<inv::HostStore> hosts = config_.mtce_service ? env().resource<inv::HostStore>() : nullptr;
  inventory_applier_ = std::make_unique<InventoryApplier>(
      *this, hosts, InventoryApplier::Hooks{[this] { return term_; }, [this] { return role_ == Role::Active; }});
  if (hosts) {
    InventoryShipper::Config ic;
    ic.peer = config_.link.peer;
    ic.timeout = config_.replication_timeout;
    inventory_shipper_ = std::make_unique<InventoryShipper>(*this, hosts, ic, InventoryShipper::Hooks{[this] { return route(); }});
    host_store_ = std::make_shared<ReplicatedHostStore>(hosts, *inventory_shipper_);
  }

  fm::FmClientConfig fc;
  fc.fm_node = config_.floating;
  fm_ = std::make_unique<fm::FmClient>(*this, fc);

  // The controller's own group: FM, then maintenance/inventory, then the floating name (clients that find
  // the floating address find the services behind it running).
  ServiceGroupSpec g;
  g.name = kControllerGroup;
  g.model = RedundancyModel::OnePlusOne;
  ServiceSpec fm_spec;
  fm_spec.name = "fm";
  fm_spec.actions = "internal";
  fm_spec.config = {{"role", "fm"}, {"config", config_.fm_service}};
  g.members.push_back(fm_spec);
  if (config_.mtce_service) {
    ServiceSpec m;
    m.name = "mtce";
    m.actions = "internal";
    m.config = {{"role", "controller"}, {"config", *config_.mtce_service}};
    g.members.push_back(m);
  }
  if (config_.dc_service) {
    ServiceSpec d;
    d.name = "dc";
    d.actions = "internal";
    d.config = {{"role", (*config_.dc_service)["role"]}, {"config", config_.dc_service->value("config", nlohmann::json::object())}};
    g.members.push_back(d);
  }
  ServiceSpec f;
  f.name = "floating-" + config_.floating;
  f.actions = "floating";
  f.impact = Impact::Critical;
  f.audit_period = core::seconds(5);
  g.members.push_back(f);
  std::vector<ServiceGroupSpec> specs{g};
  specs.insert(specs.end(), config_.extra_groups.begin(), config_.extra_groups.end());
  for (auto& spec : specs) {
    const std::string gname = spec.name;
    groups_.push_back(std::make_unique<ServiceGroup>(
        *this, std::move(spec), [this](const ServiceSpec& s) { return make_actions(s); },
        ServiceGroup::Listener{[this, gname](GroupState st, GroupStatus status) { group_changed(gname, st, status); }}));
  }
  // N-model groups run on every controller, whatever its role; 1+1 groups start standby.
  for (auto& grp : groups_) {
    if (grp->model() == RedundancyModel::N) grp->go_active();
    else grp->go_standby();
  }

  if (config_.rest_port != 0) {
    SmApiHooks hooks;
    hooks.status = [this] { return status(); };
    hooks.swact = [this](std::string host, bool force, std::function<void(bool, std::string, std::string)> done) {
      swact(host, force, std::move(done));
    };
    env().serve_http(config_.rest_network, config_.rest_port, make_sm_router(std::move(hooks)));
  }
  log().info("sm.started", {{"peer", config_.link.peer}, {"term", term_}, {"position", local_store_->position().seq},
                            {"witnesses", config_.witnesses.size()}});
  link_->start();
  witnesses_->start();
  tick();
}

std::unique_ptr<ServiceActions> ServiceManager::make_actions(const ServiceSpec& spec) {
  if (spec.actions == "floating") return std::make_unique<FloatingNameActions>(*this, config_.floating);
  if (spec.actions == "internal") {
    if (!spec.config.contains("role") || !spec.config["role"].is_string())
      throw std::invalid_argument(spec.name + ".config.role: an internal service names the role it runs");
    NestedNodeActions::Host host{*this, factory_, {}, [this](const std::string& service, core::Node* n) {
                                   if (n) nested_[service] = n;
                                   else nested_.erase(service);
                                 }};
    host.overrides[std::type_index(typeid(fm::AlarmStore))] = store_;
    if (host_store_) host.overrides[std::type_index(typeid(inv::HostStore))] = host_store_;
    return std::make_unique<NestedNodeActions>(std::move(host), spec.name, spec.config["role"].get<std::string>(),
                                               spec.config.value("config", nlohmann::json::object()));
  }
  auto a = make_standard_actions(*this, spec);
  if (!a) throw std::invalid_argument(spec.name + ".actions: unknown kind \"" + spec.actions + "\"");
  return a;
}

void ServiceManager::tick() {
  evaluate();
  timer_ = after(config_.link.hello, [this] { tick(); });
}

// ---- nested traffic -----------------------------------------------------------------------------------

void ServiceManager::unhandled_datagram(const core::Peer& from, const core::Envelope& e) {
  for (auto& [service, n] : nested_)
    if (n->handles_datagram(e.type)) return n->deliver(from, e);
}

void ServiceManager::unhandled_call(const core::Peer& from, const core::Envelope& e, core::Reply reply) {
  for (auto& [service, n] : nested_)
    if (n->handles_call(e.type)) return n->serve(from, e, std::move(reply));
  // Unreachable, not NoHandler: a client that reached the standby (or a controller between roles) retries.
  reply.fail(core::CallError::Unreachable, name() + " is " + std::string(to_string(role_)) + ": its services are not running here");
}

// ---- the rules ------------------------------------------------------------------------------------------

int ServiceManager::health() const {
  int h = 0;
  for (core::Network n : config_.link.networks)
    if (!link_->up(n) && !witnesses_->reached_on(n)) h -= penalty(n);
  return h;
}

Hello ServiceManager::fill_hello() const {
  Hello h;
  h.role = role_;
  h.term = term_;
  h.position = replicator_->durable_position();
  h.health = health();
  h.witnesses_reached = static_cast<std::uint32_t>(witnesses_->reached());
  h.reaches_storage = witnesses_->reaches_storage();
  h.groups_stable = std::all_of(groups_.begin(), groups_.end(), [](const auto& g) { return g->stable(); });
  h.group_failed = group_failed_;
  h.locked = config_.locked;
  if (role_ == Role::Active) {
    h.in_sync = replicator_->in_sync();
    h.sync_epoch = replicator_->sync_epoch();
  } else {
    h.in_sync = replicator_->standby_in_sync();
    h.sync_epoch = replicator_->standby_epoch();
  }
  return h;
}

std::optional<core::Network> ServiceManager::route() const {
  for (core::Network n : config_.link.networks)
    if (link_->up(n)) return n;
  return std::nullopt;
}

std::uint64_t ServiceManager::next_term() const {
  std::uint64_t t = std::max(term_, replicator_->durable_position().term);
  if (const auto& h = link_->last_hello()) t = std::max(t, h->term);
  // Terms are unique to a controller (odd for the lower name, even for the other), so two activations
  // that could not hear each other never share one.
  const std::uint64_t parity = name() < config_.link.peer ? 1 : 0;
  ++t;
  if (t % 2 != parity) ++t;
  return t;
}

void ServiceManager::set_role(Role r, const char* rule) {
  if (r == role_) return;
  role_ = r;
  if (witnesses_) update_claim();
  log().info("sm.role", {{"role", std::string(to_string(r))}, {"term", term_}, {"rule", rule}, {"peer", config_.link.peer}});
  link_->send_now();
}

void ServiceManager::decision(const char* rule, const char* outcome) {
  if (decided_this_loss_) return;
  decided_this_loss_ = true;
  log().info("sm.decision", {{"rule", rule}, {"outcome", outcome}, {"role", std::string(to_string(role_))}});
}

void ServiceManager::become_active(const char* rule, std::uint64_t term, std::optional<core::LogPosition> peer_at) {
  if (role_ == Role::Active) return;
  if (config_.locked) return;
  nobody_active_since_.reset();
  pending_.reset();
  want_alone_ = false;
  // Back active after going alone: the claim stays Alone until the standby has caught up.
  alone_sticky_ = witnesses_ && witnesses_->self_alone();
  term_ = term != 0 ? term : next_term();
  healthier_peer_since_.reset();
  set_role(Role::Active, rule);
  update_claim();
  replicator_->activate(term_);
  // The term marker: an empty write at the new term makes the term durable here (and on the standby).
  store_->submit(fm::WriteBatch{}, [](const fm::StoreStatus&) {});
  // Before the services start: the nested mtce's first writes belong to this term's inventory stream.
  if (inventory_shipper_) inventory_shipper_->activate(term_);
  for (auto& g : groups_)
    if (g->model() == RedundancyModel::OnePlusOne) g->go_active();
  replicator_->peer_update(link_->any_up() && link_->last_hello() && link_->last_hello()->role != Role::Active,
                           peer_at ? *peer_at : link_->last_hello() ? link_->last_hello()->position : core::LogPosition{},
                           link_->last_hello() && link_->last_hello()->in_sync,
                           link_->last_hello() ? link_->last_hello()->sync_epoch : 0);
  if (inventory_shipper_)
    inventory_shipper_->peer_update(link_->any_up() && link_->last_hello() && link_->last_hello()->role != Role::Active);
}

void ServiceManager::become_standby(const char* rule) {
  if (role_ == Role::Standby) return;
  const bool was_active = role_ == Role::Active;
  set_role(Role::Standby, rule);
  want_alone_ = false;
  alone_sticky_ = false;
  update_claim();
  if (was_active) {
    // The replicator first: writes still waiting are dropped unanswered before the services that made them go.
    replicator_->deactivate();
    if (inventory_shipper_) inventory_shipper_->deactivate();
    for (auto& g : groups_)
      if (g->model() == RedundancyModel::OnePlusOne) g->go_standby();
  }
}

bool ServiceManager::peer_eligible(const Hello& p) const {
  return p.role == Role::Standby && p.in_sync && replicator_->in_sync() && !p.locked && !p.group_failed &&
         p.sync_epoch == replicator_->sync_epoch();
}

void ServiceManager::evaluate() {
  if (!link_) return;
  if (link_->any_up() && link_->last_hello()) {
    lost_since_.reset();
    decided_this_loss_ = false;
    if (link_->last_hello()->role == Role::Active) pending_.reset();
    want_alone_ = false;
    // The alone claim stays until the standby holds everything again: if we crashed before that, it must
    // not take over.
    if (alone_sticky_ && replicator_->in_sync()) alone_sticky_ = false;
    update_claim();
    evaluate_with_peer(*link_->last_hello());
  } else {
    evaluate_alone();
  }
}

void ServiceManager::evaluate_with_peer(const Hello& p) {
  if (role_ == Role::Active) {
    replicator_->peer_update(p.role != Role::Active, p.position, p.in_sync, p.sync_epoch);
    replicator_->set_alone(false);
    if (inventory_shipper_) inventory_shipper_->peer_update(p.role != Role::Active);  // also: retries
    if (p.role == Role::Active) {
      if (p.term > term_ || (p.term == term_ && config_.link.peer < name())) become_standby("higher-term");
      return;
    }
    if (swacting_) return;
    if (group_failed_ && peer_eligible(p)) return start_swact("group-failed", false, {});
    // Only a loss that keeps the active from managing hosts (mgmt: -4) hands activity over; one lost
    // cluster-host or OAM network is an alarm (400.005), not a reason to move every service.
    if (p.health - health() >= config_.health_swact_margin && peer_eligible(p)) {
      if (!healthier_peer_since_) healthier_peer_since_ = now();
      else if (now() - *healthier_peer_since_ >= config_.fail_pending) return start_swact("health", false, {});
    } else {
      healthier_peer_since_.reset();
    }
    return;
  }
  // Not active.
  replicator_->standby_view(p.role == Role::Active && p.in_sync, p.sync_epoch);
  if (p.role == Role::Active) {
    nobody_active_since_.reset();
    if (p.term > term_) term_ = p.term;
    if (role_ != Role::Standby) set_role(Role::Standby, "peer-active");
    return;
  }
  if (swacting_) return;  // a takeover request is on its way to one of us
  // Nobody active. Let it settle for two hello periods first: during a swact the old active is standby
  // for a round trip before the takeover request arrives.
  if (!nobody_active_since_) nobody_active_since_ = now();
  if (now() - *nobody_active_since_ < 2 * config_.link.hello) return;
  // Nobody active: the fresher replica goes active; equal: the lower name.
  const auto mine = replicator_->durable_position();
  if (config_.locked) {
    if (role_ == Role::Initial) set_role(Role::Standby, "locked");
    return;
  }
  // If we went on alone (perhaps before a restart we do not remember), we hold acknowledged writes the peer
  // lacks, whatever the positions say (its term marker may look fresher).
  if (witnesses_->configured() && witnesses_->self_alone()) return activate_registered("alone-replica", p.term);
  // Else: "heard" may be old news: a slow network can deliver hellos seconds late, after the peer went active
  // (and on alone) without us. The witnesses know better: while they report the peer alone or active at a
  // term above what its hellos say, wait for its current hellos.
  if (witnesses_->configured() && (witnesses_->peer_alone() || witnesses_->peer_active_above(p.term))) return cancel_pending();
  if (p.locked || mine > p.position) return activate_registered(p.locked ? "peer-locked" : "fresher-replica", p.term);
  if (mine == p.position && name() < config_.link.peer) return activate_registered("name-tie", p.term);
  cancel_pending();
  if (role_ == Role::Initial) set_role(Role::Standby, "fresher-peer");
}

void ServiceManager::activate_registered(const char* rule, std::uint64_t peer_term) {
  // Even with the peer heard, go active only once a majority of the witnesses has recorded our going-active
  // claim, checking their (post-claim, so current) word on the peer: the hellos we decided on may be late.
  if (!witnesses_->configured()) return become_active(rule);
  if (!pending_) {
    pending_ = Pending{rule, next_term()};
    update_claim();
  }
  pending_->rule = rule;
  if (!witnesses_->claim_registered()) return;
  if (!witnesses_->self_alone() && (witnesses_->peer_alone() || witnesses_->peer_active_above(peer_term))) return cancel_pending();
  const auto p = *pending_;
  pending_.reset();
  become_active(p.rule, p.term);
}

std::pair<ServiceManager::Side, const char*> ServiceManager::split_winner() const {
  if (!config_.storage_witness.empty()) {
    const bool mine = witnesses_->reaches_storage();
    const bool theirs = witnesses_->storage_hears_peer().value_or(true);  // unknown: assume it reaches it
    if (mine && !theirs) return {Side::Me, "storage-0"};
    if (!mine && theirs) return {Side::Peer, "storage-0"};
  }
  const auto mine = witnesses_->reached();
  const auto theirs = witnesses_->peer_reach_estimate();
  if (mine > theirs) return {Side::Me, "more-nodes"};
  if (mine < theirs) return {Side::Peer, "more-nodes"};
  return {role_ == Role::Active ? Side::Me : Side::Peer, "current-active"};
}

void ServiceManager::update_claim() {
  Claim c = Claim::None;
  std::uint64_t t = term_;
  if (role_ == Role::Active) c = (want_alone_ || alone_sticky_) ? Claim::Alone : Claim::Active;
  else if (pending_) c = Claim::GoingActive, t = pending_->term;
  witnesses_->claim(t, c);
}

void ServiceManager::cancel_pending() {
  if (!pending_) return;
  pending_.reset();
  update_claim();
}

void ServiceManager::evaluate_alone() {
  const auto now = this->now();
  const bool never_heard = !link_->last_heard();
  if (!lost_since_) lost_since_ = never_heard ? started_ : *link_->last_heard() + config_.link.dead;
  const auto lost_for = now - *lost_since_;
  switch (role_) {
    case Role::Initial:
      if (now - started_ < config_.initial_wait) return;
      if (replicator_->durable_position() == core::LogPosition{}) return become_active("lone-fresh-start");
      return set_role(Role::Outdated, "outdated");
    case Role::Outdated:
      return;
    case Role::Standby: {
      if (!replicator_->standby_in_sync()) {
        cancel_pending();
        return set_role(Role::Outdated, "outdated");
      }
      if (!witnesses_->configured()) {
        // No arbiter: take over after the fail-pending wait. The active, if alive, never acknowledges a
        // write alone without witnesses, so nothing acknowledged is lost; the pair is CP.
        if (lost_for < config_.fail_pending) return;
        decision("peer-dead", "active");
        return become_active("peer-dead");
      }
      if (witnesses_->peer_alone()) {
        // The active went on alone at some point: it holds acknowledged writes we lack.
        cancel_pending();
        return set_role(Role::Outdated, "peer-alone");
      }
      const char* rule = nullptr;
      if (witnesses_->peer_down_proof()) {
        rule = "peer-dead";
      } else if (lost_for >= config_.fail_pending) {
        if (!witnesses_->quorum()) {
          decision("isolated", "standby");
        } else {
          const auto [side, r] = split_winner();
          decision(r, side == Side::Me ? "active" : "standby");
          if (side == Side::Me) rule = r;
        }
      }
      if (!rule) return cancel_pending();
      decision(rule, "active");
      // Go active only once a majority of the witnesses has recorded that we are going active: the
      // active, if it is alive and about to go on alone, will then see it, and we will see its claim.
      if (!pending_) {
        pending_ = Pending{rule, next_term()};
        update_claim();
      }
      if (witnesses_->claim_registered() && !witnesses_->peer_alone()) {
        const auto p = *pending_;
        pending_.reset();
        return become_active(p.rule, p.term);
      }
      return;
    }
    case Role::Active: {
      replicator_->peer_update(false, {}, false, 0);
      if (inventory_shipper_) inventory_shipper_->peer_update(false);
      if (witnesses_->configured() && witnesses_->peer_active_above(term_)) {
        // The peer went active at a higher term: it cannot have seen us alone (claims), so we never were.
        want_alone_ = false;
        return become_standby("higher-term");
      }
      const bool proof = witnesses_->peer_down_proof();
      want_alone_ = proof;
      update_claim();
      // Writes go on alone only once a majority has recorded the claim: a standby that has not yet decided
      // sees it and stays out; one that went active first is seen here (peer_active_above) instead.
      const bool alone = proof && witnesses_->claim_registered();
      if (alone && !alone_sticky_) {
        alone_sticky_ = true;
        update_claim();
      }
      replicator_->set_alone(alone);
      if (lost_for < config_.fail_pending || proof) return;
      if (!witnesses_->configured()) return;
      if (!witnesses_->quorum()) {
        decision("isolated", "standby");
        return become_standby("isolated");
      }
      const auto [side, rule] = split_winner();
      decision(rule, side == Side::Me ? "active" : "standby");
      if (side == Side::Peer) become_standby(rule);
      return;
    }
  }
}

// ---- swact ------------------------------------------------------------------------------------------------

void ServiceManager::swact(const std::string& host, bool force, std::function<void(bool, std::string, std::string)> done) {
  auto refuse = [&](std::string why) {
    log().info("sm.swact", {{"phase", "refused"}, {"reason", why}});
    done(false, std::move(why), "");
  };
  if (role_ != Role::Active) return refuse(name() + " is not the active controller");
  if (!host.empty() && host != name()) return refuse(host + " is not the active controller (" + name() + " is)");
  if (swacting_) return refuse("a swact is already in progress");
  const auto& p = link_->last_hello();
  if (!link_->any_up() || !p) return refuse(config_.link.peer + " is not reachable");
  if (p->role != Role::Standby) return refuse(config_.link.peer + " is " + std::string(to_string(p->role)) + ", not standby");
  // Data first, always (force too): the peer must hold every acknowledged write.
  if (!replicator_->in_sync() || !p->in_sync) return refuse(config_.link.peer + " is not in sync");
  if (!force) {
    if (p->locked) return refuse(config_.link.peer + " is locked");
    if (p->group_failed) return refuse(config_.link.peer + " has a failed service group");
    if (!p->groups_stable || !std::all_of(groups_.begin(), groups_.end(), [](const auto& g) { return g->stable(); }))
      return refuse("service groups are not stable");
    if (p->health < health()) return refuse(config_.link.peer + " is less healthy");
  }
  start_swact(force ? "force-swact" : "swact", force, std::move(done));
}

void ServiceManager::start_swact(const char* rule, bool force, std::function<void(bool, std::string, std::string)> done) {
  swacting_ = true;
  replicator_->fence(true);
  const std::string peer = config_.link.peer;
  // Answers the requester once: "accepted" (the swact goes ahead) or why it did not.
  auto answered = std::make_shared<bool>(false);
  auto finish = [this, done, answered](bool ok, std::string error, std::string to) {
    if (!ok) swacting_ = false;
    if (*answered) return;
    *answered = true;
    log().info("sm.swact", {{"phase", ok ? "accepted" : "refused"}, {"to", to}, {"reason", error}});
    if (done) done(ok, std::move(error), std::move(to));
  };
  replicator_->when_drained(config_.swact_timeout / 2, [this, rule, force, peer, finish,
                                                        alive = std::weak_ptr<bool>(alive_)](bool drained) mutable {
    if (alive.expired()) return;
    if (role_ != Role::Active) return finish(false, "lost activity during the swact", "");
    if (!drained) {
      replicator_->fence(false);
      return finish(false, "the standby did not confirm every write in time", "");
    }
    const auto final_pos = replicator_->durable_position();
    const auto net = route();
    // Answer the requester now, before this node lets go of the floating name its request may have come
    // through (an answer after that would be lost with the name's connections). Whether activity moved is
    // for the requester to see on the floating endpoint; a rollback is logged.
    if (!net) {
      replicator_->fence(false);
      return finish(false, peer + " became unreachable", "");
    }
    finish(true, "", peer);
    become_standby(rule);
    // Let go of the floating name now, not when the group's stop gets to it: the peer claims it as soon
    // as it takes over, from another process, and a bind that finds it still held fails.
    env().release_floating(config_.floating);
    TakeoverRequest req;
    req.term = term_;
    req.position_term = final_pos.term;
    req.position_seq = final_pos.seq;
    req.force = force;
    call<TakeoverRequest>(peer, *net, req, config_.swact_timeout / 2,
                          [this, peer, finish, alive](core::Result<TakeoverReply> r) mutable {
                            if (alive.expired()) return;
                            if (r && r->ok) {
                              swacting_ = false;
                              return log().info("sm.swact", {{"phase", "done"}, {"to", peer}});
                            }
                            const std::string why = r ? r->error : std::string(core::to_string(r.failure().code)) + ": " + r.failure().detail;
                            // Take activity back only as a standby that still hears its peer and hears it is not
                            // active. Unheard, the peer may have taken over by the failover rules (and acknowledged
                            // writes alone): those rules, with the witnesses, decide then, not a stale rollback.
                            const auto& h = link_->last_hello();
                            if (role_ == Role::Standby && link_->any_up() && h && h->role != Role::Active)
                              become_active("swact-rollback");
                            swacting_ = false;
                            log().warn("sm.swact", {{"phase", "rolled-back"}, {"to", peer}, {"reason", why}});
                          });
  });
}

void ServiceManager::on_takeover(const TakeoverRequest& m, core::Responder<TakeoverReply> reply) {
  TakeoverReply r;
  const auto mine = replicator_->durable_position();
  if (role_ != Role::Standby) r.error = name() + " is " + std::string(to_string(role_)) + ", not standby";
  else if (config_.locked) r.error = name() + " is locked";
  else if (m.term < term_) r.error = "stale term " + std::to_string(m.term);
  else if (mine != core::LogPosition{m.position_term, m.position_seq})
    r.error = name() + " holds seq " + std::to_string(mine.seq) + ", the active had " + std::to_string(m.position_seq);
  if (!r.error.empty()) {
    log().warn("sm.takeover_refused", {{"error", r.error}});
    return reply(r);
  }
  term_ = std::max(term_, m.term);
  // The old active holds exactly what we hold (checked above): stream from there, not from its last
  // hello's position (up to a hello period old, which would cost a needless snapshot).
  become_active(m.force ? "force-swact" : "swact", 0, mine);
  r.ok = true;
  reply(r);
}

// ---- alarms and views -------------------------------------------------------------------------------

void ServiceManager::interface_alarm(core::Network n, bool up) {
  const std::string entity = "host=" + name() + ".network=" + std::string(core::to_string(n));
  if (up) return fm_->clear("400.005", entity);
  fm::Alarm a;
  a.alarm_id = "400.005";
  a.entity_type_id = "host";
  a.entity_instance_id = entity;
  a.severity = fm::Severity::Major;
  a.reason_text = "Communication failure detected with peer " + config_.link.peer + " over " +
                  std::string(core::to_string(n)) + " on host " + name();
  fm_->raise(std::move(a));
}

void ServiceManager::sync_changed(SyncState s) {
  // Back in sync after going alone: withdraw the Alone claim at once (its ping leaves before the hello that
  // tells the standby it is in sync), or a standby that must take over a moment later would still find it
  // at the witnesses and stay out.
  if (s == SyncState::InSync && role_ == Role::Active && witnesses_) {
    alone_sticky_ = false;
    if (link_ && link_->any_up()) want_alone_ = false;
    update_claim();
  }
  // The standby learns it is in sync (and may take over) from our hellos: tell it now, not a period later.
  if (link_) link_->send_now();
  const std::string entity = "service_domain=" + std::string(kDomain) + ".service_group=" + kControllerGroup;
  if (s == SyncState::InSync) return fm_->clear("400.002", entity);
  fm::Alarm a;
  a.alarm_id = "400.002";
  a.entity_type_id = "service_domain";
  a.entity_instance_id = entity;
  a.severity = fm::Severity::Major;
  a.reason_text = "Service group " + std::string(kControllerGroup) + " loss of redundancy; the standby " +
                  config_.link.peer + " is " + std::string(to_string(s));
  fm_->raise(std::move(a));
}

void ServiceManager::group_changed(const std::string& group, GroupState st, GroupStatus status) {
  group_states_[group] = st;
  const std::string entity = "service_domain=" + std::string(kDomain) + ".service_group=" + group + ".host=" + name();
  const bool failed = status == GroupStatus::Failed;
  if (group == kControllerGroup) {
    const bool was = group_failed_;
    group_failed_ = failed;
    if (failed != was) link_->send_now();
  }
  if (status == GroupStatus::None) return fm_->clear("400.001", entity);
  fm::Alarm a;
  a.alarm_id = "400.001";
  a.entity_type_id = "service_domain";
  a.entity_instance_id = entity;
  a.severity = status == GroupStatus::Failed ? fm::Severity::Critical
               : status == GroupStatus::Degraded ? fm::Severity::Major : fm::Severity::Minor;
  fm_->raise(std::move(a));
  if (failed) evaluate();
}

nlohmann::json ServiceManager::status() const {
  nlohmann::json j;
  j["node"] = name();
  j["role"] = std::string(to_string(role_));
  j["term"] = term_;
  j["health"] = link_ ? health() : 0;
  j["floating"] = config_.floating;
  nlohmann::json peer{{"name", config_.link.peer}};
  if (link_) {
    nlohmann::json ifs = nlohmann::json::object();
    for (core::Network n : config_.link.networks) ifs[std::string(core::to_string(n))] = link_->up(n) ? "ok" : "lost";
    peer["interfaces"] = ifs;
    if (const auto& h = link_->last_hello()) {
      peer["role"] = link_->any_up() ? std::string(to_string(h->role)) : "unknown";
      peer["term"] = h->term;
      peer["health"] = h->health;
      peer["in_sync"] = h->in_sync;  // its own view: a swact needs both this and our sync state in-sync
    } else {
      peer["role"] = "unknown";
    }
    const auto& c = link_->counters();
    peer["hellos"] = {{"sent", c.sent}, {"accepted", c.accepted}, {"auth_failed", c.auth_failed}, {"replayed", c.replayed}};
  }
  j["peer"] = peer;
  if (replicator_) {
    const auto pos = replicator_->durable_position();
    j["sync"] = {{"state", role_ == Role::Active ? std::string(to_string(replicator_->sync()))
                                                  : (replicator_->standby_in_sync() ? "in-sync" : "not-in-sync")},
                 {"position", {{"term", pos.term}, {"seq", pos.seq}}},
                 {"waiting", replicator_->waiting()}};
  }
  if (inventory_shipper_ && role_ == Role::Active) j["inventory_sync"] = inventory_shipper_->to_json();
  if (witnesses_) j["witnesses"] = witnesses_->to_json();
  auto groups = nlohmann::json::array();
  for (const auto& g : groups_) groups.push_back(g->to_json());
  j["groups"] = groups;
  return j;
}

}  // namespace roost::sm
