// The service group state machine (service_group.h). One reconciler drives every member toward the
// group's target, one start/stop at a time and in order (reverse order to stop), so re-targeting mid-way
// needs no special path: the action in flight finishes (or times out) and the reconciler then walks the
// members toward the new target. Audits run beside it on members that are enabled-active.
#include "platform/sm/service_group.h"

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <utility>

namespace roost::sm {

std::string_view to_string(RedundancyModel m) {
  switch (m) {
    case RedundancyModel::OnePlusOne: return "1+1";
    case RedundancyModel::N: return "N";
  }
  return "?";
}

std::string_view to_string(Impact i) {
  switch (i) {
    case Impact::Minor: return "minor";
    case Impact::Major: return "major";
    case Impact::Critical: return "critical";
  }
  return "?";
}

std::string_view to_string(GroupState s) {
  switch (s) {
    case GroupState::Initial: return "initial";
    case GroupState::Unknown: return "unknown";
    case GroupState::Standby: return "standby";
    case GroupState::GoStandby: return "go-standby";
    case GroupState::GoActive: return "go-active";
    case GroupState::Active: return "active";
    case GroupState::Disabling: return "disabling";
    case GroupState::Disabled: return "disabled";
    case GroupState::Shutdown: return "shutdown";
  }
  return "?";
}

std::string_view to_string(GroupStatus s) {
  switch (s) {
    case GroupStatus::None: return "none";
    case GroupStatus::Warn: return "warn";
    case GroupStatus::Degraded: return "degraded";
    case GroupStatus::Failed: return "failed";
  }
  return "?";
}

std::string_view to_string(ServiceState s) {
  switch (s) {
    case ServiceState::Initial: return "initial";
    case ServiceState::EnablingActive: return "enabling";
    case ServiceState::EnabledActive: return "enabled-active";
    case ServiceState::EnabledStandby: return "enabled-standby";
    case ServiceState::Disabling: return "disabling";
    case ServiceState::Disabled: return "disabled";
    case ServiceState::Failed: return "failed";
  }
  return "?";
}

std::optional<RedundancyModel> parse_redundancy(std::string_view s) {
  if (s == "1+1") return RedundancyModel::OnePlusOne;
  if (s == "N") return RedundancyModel::N;
  return std::nullopt;
}

std::optional<Impact> parse_impact(std::string_view s) {
  if (s == "minor") return Impact::Minor;
  if (s == "major") return Impact::Major;
  if (s == "critical") return Impact::Critical;
  return std::nullopt;
}

// --- parse_service_group -------------------------------------------------------------------------------

namespace {

[[noreturn]] void bad(const std::string& where, const std::string& why) {
  throw std::invalid_argument(where + ": " + why);
}

std::string at(const std::string& prefix, const std::string& key) { return prefix.empty() ? key : prefix + "." + key; }

// A typo in a key must not pass silently: every key the object holds must be one we read.
void only_keys(const nlohmann::json& obj, const std::string& prefix, std::initializer_list<const char*> known) {
  for (const auto& [key, _] : obj.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (ok) continue;
    std::string list;
    for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    bad(at(prefix, key), "unknown key (known: " + list + ")");
  }
}

std::string string_value(const nlohmann::json& obj, const std::string& prefix, const char* key,
                         std::optional<std::string> fallback) {
  if (!obj.contains(key)) {
    if (!fallback) bad(at(prefix, key), "required (a non-empty string)");
    return *fallback;
  }
  const auto& v = obj.at(key);
  if (!v.is_string() || v.get<std::string>().empty())
    bad(at(prefix, key), "must be a non-empty string, got " + v.dump());
  return v.get<std::string>();
}

core::Duration millis_value(const nlohmann::json& obj, const std::string& prefix, const char* key,
                            core::Duration fallback, double min_ms, double max_ms) {
  if (!obj.contains(key)) return fallback;
  const auto& v = obj.at(key);
  if (!v.is_number() || v.get<double>() < min_ms || v.get<double>() > max_ms)
    bad(at(prefix, key), "must be a number of milliseconds in [" + std::to_string(static_cast<long long>(min_ms)) +
                             ", " + std::to_string(static_cast<long long>(max_ms)) + "], got " + v.dump());
  return core::from_seconds(v.get<double>() / 1000.0);
}

}  // namespace

ServiceGroupSpec parse_service_group(const nlohmann::json& j) {
  if (!j.is_object())
    throw std::invalid_argument("a service group must be an object {\"name\", \"redundancy\", \"members\"}, got " +
                                std::string(j.type_name()));
  only_keys(j, "", {"name", "redundancy", "members"});
  ServiceGroupSpec g;
  g.name = string_value(j, "", "name", std::nullopt);
  const std::string redundancy = string_value(j, "", "redundancy", std::string("1+1"));
  const auto model = parse_redundancy(redundancy);
  if (!model) bad("redundancy", "must be \"1+1\" or \"N\", got \"" + redundancy + "\"");
  g.model = *model;

  if (!j.contains("members")) bad("members", "required (an array of services)");
  const auto& members = j.at("members");
  if (!members.is_array() || members.empty())
    bad("members", "must be a non-empty array of services, got " + members.dump());
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string prefix = "members[" + std::to_string(i) + "]";
    const auto& m = members[i];
    if (!m.is_object()) bad(prefix, "must be an object {\"name\", \"impact\", \"actions\", ...}, got " + m.dump());
    only_keys(m, prefix,
              {"name", "impact", "actions", "config", "action_timeout_ms", "audit_period_ms", "max_failures",
               "failure_debounce_ms"});
    ServiceSpec s;
    s.name = string_value(m, prefix, "name", std::nullopt);
    for (std::size_t k = 0; k < g.members.size(); ++k)
      if (g.members[k].name == s.name)
        bad(prefix + ".name", "\"" + s.name + "\" is already the name of members[" + std::to_string(k) + "]");
    const std::string impact = string_value(m, prefix, "impact", std::string("critical"));
    const auto parsed_impact = parse_impact(impact);
    if (!parsed_impact) bad(prefix + ".impact", "must be minor, major or critical, got \"" + impact + "\"");
    s.impact = *parsed_impact;
    s.actions = string_value(m, prefix, "actions", s.actions);
    if (m.contains("config")) {
      if (!m.at("config").is_object()) bad(prefix + ".config", "must be an object, got " + m.at("config").dump());
      s.config = m.at("config");
    }
    s.action_timeout = millis_value(m, prefix, "action_timeout_ms", s.action_timeout, 1, 3600e3);
    s.audit_period = millis_value(m, prefix, "audit_period_ms", s.audit_period, 1, 86400e3);
    if (m.contains("max_failures")) {
      const auto& v = m.at("max_failures");
      if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1000)
        bad(prefix + ".max_failures", "must be an integer in [0, 1000], got " + v.dump());
      s.max_failures = v.get<int>();
    }
    // At least 1 ms: failures at one instant must still add up to fatal (a zero window would forget them
    // at once and let a member that fails instantly loop forever).
    s.failure_debounce = millis_value(m, prefix, "failure_debounce_ms", s.failure_debounce, 1, 86400e3);
    g.members.push_back(std::move(s));
  }
  return g;
}

// --- ServiceGroup --------------------------------------------------------------------------------------

namespace {

enum class Target : std::uint8_t { None, Active, Standby, Disabled };
enum class Pending : std::uint8_t { None, Start, Stop, Audit };

std::string_view to_string(Target t) {
  switch (t) {
    case Target::None: return "none";
    case Target::Active: return "active";
    case Target::Standby: return "standby";
    case Target::Disabled: return "disabled";
  }
  return "?";
}

std::string_view verb(Pending p) {
  switch (p) {
    case Pending::Start: return "start";
    case Pending::Stop: return "stop";
    case Pending::Audit: return "audit";
    case Pending::None: break;
  }
  return "?";
}

std::string millis_text(core::Duration d) { return std::to_string(static_cast<long long>(core::to_millis(d))) + " ms"; }

}  // namespace

struct ServiceGroup::Impl {
  struct Member {
    ServiceSpec spec;
    std::unique_ptr<ServiceActions> actions;
    ServiceState state = ServiceState::Initial;
    bool fatal = false;
    // Failed and not recovered yet: its impact counts in the group's status.
    bool unhealthy = false;
    // A stop succeeded since the last start was issued: nothing of it runs (a relabel needs no action).
    bool known_stopped = false;
    // A fatal member gets one stop attempt per go_standby/disable, not a retry loop.
    bool stop_owed = false;
    std::deque<core::TimePoint> failures;  // within the debounce window (pruned on each failure)
    std::string last_error;
    Pending pending = Pending::None;
    std::uint64_t op = 0;  // the action in flight; a completion of an older one is stale and ignored
    core::TimerId timeout_timer = 0;
    core::TimerId audit_timer = 0;
  };

  // Listener calls wait until the outermost entry point (public call, timer, completion) is done with
  // its changes, so a listener that re-targets the group never runs inside the reconciler.
  struct Entry {
    explicit Entry(Impl& g) : g(g) { ++g.depth; }
    ~Entry() {
      if (--g.depth == 0) g.flush();
    }
    Impl& g;
  };

  Impl(core::Node& node, ServiceGroupSpec spec, const ActionsFactory& factory, Listener listener)
      : node(node), name(std::move(spec.name)), model(spec.model), listener(std::move(listener)) {
    if (name.empty()) throw std::invalid_argument("service group: the name is empty");
    std::set<std::string> names;
    for (auto& s : spec.members) {
      if (s.name.empty()) throw std::invalid_argument("service group " + name + ": a member has no name");
      if (!names.insert(s.name).second)
        throw std::invalid_argument("service group " + name + ": two members are named " + s.name);
      Member m;
      m.actions = factory ? factory(s) : nullptr;
      if (!m.actions)
        throw std::invalid_argument("service group " + name + ": member " + s.name + ": no actions of kind \"" +
                                    s.actions + "\"");
      m.spec = std::move(s);
      members.push_back(std::move(m));
    }
  }

  ~Impl() {
    alive.reset();
    for (auto& m : members) {
      node.cancel(m.timeout_timer);
      node.cancel(m.audit_timer);
    }
  }

  // --- targets -----------------------------------------------------------------------------------------

  void set_target(Target t) {
    if (t == target) return;
    target = t;
    for (auto& m : members) m.stop_owed = m.fatal && !m.known_stopped && t != Target::Active;
    set_state(t == Target::Active ? GroupState::GoActive
              : t == Target::Standby ? GroupState::GoStandby
                                     : GroupState::Disabling);
    reconcile();
    update_status();
  }

  // Issues the next action toward the target, or settles the group state when nothing is left to do.
  void reconcile() {
    for (const auto& m : members)
      if (m.pending == Pending::Start || m.pending == Pending::Stop) return;
    if (target == Target::None) return;
    if (target == Target::Active) {
      for (std::size_t i = 0; i < members.size(); ++i) {
        Member& m = members[i];
        if (m.fatal || m.state == ServiceState::EnabledActive) continue;
        // Recovery is a restart: stop what may be left of the failed instance, then start it again.
        issue(i, m.unhealthy && !m.known_stopped ? Pending::Stop : Pending::Start);
        return;
      }
      set_state(GroupState::Active);
      return;
    }
    const ServiceState stopped = target == Target::Disabled ? ServiceState::Disabled : ServiceState::EnabledStandby;
    for (std::size_t i = members.size(); i-- > 0;) {
      Member& m = members[i];
      if (m.known_stopped) {
        if (!m.fatal) {
          m.unhealthy = false;
          set_member_state(m, stopped);
        }
        continue;
      }
      if (m.fatal && !m.stop_owed) continue;
      m.stop_owed = false;
      issue(i, Pending::Stop);
      return;
    }
    if (target == Target::Disabled) {
      // Disabling is the reset StarlingX requires after fatal: counts and the fatal mark are forgotten.
      for (auto& m : members) {
        m.failures.clear();
        m.fatal = false;
        if (m.known_stopped) {
          m.unhealthy = false;
          set_member_state(m, ServiceState::Disabled);
        }
      }
    }
    set_state(target == Target::Disabled ? GroupState::Disabled : GroupState::Standby);
  }

  // --- actions -----------------------------------------------------------------------------------------

  void issue(std::size_t index, Pending kind) {
    Member& m = members[index];
    const std::uint64_t op = ++m.op;
    m.pending = kind;
    node.cancel(m.timeout_timer);
    m.timeout_timer = node.after(m.spec.action_timeout, [this, index, op] {
      Entry e(*this);
      on_timeout(index, op);
    });
    std::weak_ptr<bool> token = alive;
    ActionDone done = [this, token, index, op](ActionResult r) {
      if (token.expired()) return;
      Entry e(*this);
      on_done(index, op, std::move(r));
    };
    switch (kind) {
      case Pending::Start:
        node.cancel(m.audit_timer);
        m.known_stopped = false;
        set_member_state(m, ServiceState::EnablingActive);
        m.actions->start(std::move(done));
        break;
      case Pending::Stop:
        node.cancel(m.audit_timer);
        // A failed member shows as failed until it is healthy again, not as a routine disabling.
        if (m.state != ServiceState::Failed) set_member_state(m, ServiceState::Disabling);
        m.actions->stop(std::move(done));
        break;
      case Pending::Audit:
        m.actions->audit(std::move(done));
        break;
      case Pending::None:
        break;
    }
  }

  void on_done(std::size_t index, std::uint64_t op, ActionResult r) {
    Member& m = members[index];
    if (m.op != op || m.pending == Pending::None) return;  // timed out already, or superseded
    const Pending kind = m.pending;
    m.pending = Pending::None;
    node.cancel(m.timeout_timer);
    // An audit answering after the group stopped wanting the member active says nothing useful: it is
    // about to be stopped anyway, and its failure would only flap the status on the way to standby.
    if (kind == Pending::Audit && target != Target::Active) r = ActionResult{};
    if (!r.ok) {
      failure(m, r.error.empty() ? std::string(verb(kind)) + ": failed" : r.error);
    } else if (kind == Pending::Start) {
      m.unhealthy = false;
      set_member_state(m, ServiceState::EnabledActive);
      arm_audit(index);
    } else if (kind == Pending::Stop) {
      m.known_stopped = true;
      if (target != Target::Active && !m.fatal) {
        m.unhealthy = false;
        set_member_state(m, target == Target::Disabled ? ServiceState::Disabled : ServiceState::EnabledStandby);
      } else if (target == Target::Active && !m.unhealthy && !m.fatal) {
        // Re-targeted to active while it stopped: it starts next.
        set_member_state(m, ServiceState::EnabledStandby);
      }
    } else if (kind == Pending::Audit && target == Target::Active) {
      arm_audit(index);
    }
    reconcile();
    update_status();
  }

  void on_timeout(std::size_t index, std::uint64_t op) {
    Member& m = members[index];
    if (m.op != op || m.pending == Pending::None) return;
    const Pending kind = m.pending;
    ++m.op;  // its done, if it ever comes, is ignored
    m.pending = Pending::None;
    if (kind != Pending::Audit || target == Target::Active)
      failure(m, std::string(verb(kind)) + ": timed out after " + millis_text(m.spec.action_timeout));
    reconcile();
    update_status();
  }

  void arm_audit(std::size_t index) {
    Member& m = members[index];
    node.cancel(m.audit_timer);
    m.audit_timer = node.after(m.spec.audit_period, [this, index] {
      Entry e(*this);
      Member& mm = members[index];
      mm.audit_timer = 0;
      if (target != Target::Active || mm.state != ServiceState::EnabledActive || mm.pending != Pending::None) return;
      issue(index, Pending::Audit);
    });
  }

  void failure(Member& m, std::string error) {
    const auto now = node.now();
    node.cancel(m.audit_timer);
    m.unhealthy = true;
    m.last_error = std::move(error);
    m.failures.push_back(now);
    prune(m, now);
    if (!m.fatal && static_cast<int>(m.failures.size()) > m.spec.max_failures) m.fatal = true;
    m.state = ServiceState::Failed;
    node.log().warn("sm.service", {{"group", name},
                                   {"service", m.spec.name},
                                   {"state", to_string(m.state)},
                                   {"error", m.last_error},
                                   {"failures", static_cast<std::int64_t>(m.failures.size())},
                                   {"fatal", m.fatal}});
  }

  static core::Duration window(const Member& m) { return std::max(m.spec.failure_debounce, core::Duration(1)); }
  static void prune(Member& m, core::TimePoint now) {
    while (!m.failures.empty() && m.failures.front() <= now - window(m)) m.failures.pop_front();
  }
  int failures_in_window(const Member& m) const {
    const auto now = node.now();
    int n = 0;
    for (auto t : m.failures) n += t > now - window(m) ? 1 : 0;
    return n;
  }

  // --- state, status, notifications --------------------------------------------------------------------

  void set_member_state(Member& m, ServiceState s) {
    if (m.state == s) return;
    m.state = s;
    node.log().info("sm.service", {{"group", name}, {"service", m.spec.name}, {"state", to_string(s)}});
  }

  void set_state(GroupState s) {
    if (s == state) return;
    state = s;
    changed();
  }

  void update_status() {
    GroupStatus worst = GroupStatus::None;
    for (const auto& m : members) {
      if (!m.unhealthy) continue;
      const GroupStatus s = m.spec.impact == Impact::Critical ? GroupStatus::Failed
                            : m.spec.impact == Impact::Major  ? GroupStatus::Degraded
                                                              : GroupStatus::Warn;
      worst = std::max(worst, s);
    }
    if (worst == status) return;
    status = worst;
    changed();
  }

  void changed() {
    node.log().info("sm.group", {{"group", name}, {"state", to_string(state)}, {"status", to_string(status)}});
    pending_notes.emplace_back(state, status);
  }

  void flush() {
    if (delivering) return;
    delivering = true;
    while (!pending_notes.empty()) {
      const auto [s, st] = pending_notes.front();
      pending_notes.pop_front();
      if (listener.on_change) listener.on_change(s, st);
    }
    delivering = false;
  }

  bool stable() const {
    if (state != GroupState::Active && state != GroupState::Standby && state != GroupState::Disabled) return false;
    for (const auto& m : members)
      if (m.pending == Pending::Start || m.pending == Pending::Stop) return false;
    return true;
  }

  core::Node& node;
  std::string name;
  RedundancyModel model;
  Listener listener;
  std::vector<Member> members;
  Target target = Target::None;
  GroupState state = GroupState::Initial;
  GroupStatus status = GroupStatus::None;
  std::deque<std::pair<GroupState, GroupStatus>> pending_notes;
  int depth = 0;
  bool delivering = false;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);  // completions hold it weakly
};

ServiceGroup::ServiceGroup(core::Node& node, ServiceGroupSpec spec, ActionsFactory factory, Listener listener)
    : impl_(std::make_unique<Impl>(node, std::move(spec), factory, std::move(listener))) {}

ServiceGroup::~ServiceGroup() = default;

void ServiceGroup::go_active() {
  Impl::Entry e(*impl_);
  impl_->set_target(Target::Active);
}

void ServiceGroup::go_standby() {
  Impl::Entry e(*impl_);
  impl_->set_target(Target::Standby);
}

void ServiceGroup::disable() {
  Impl::Entry e(*impl_);
  impl_->set_target(Target::Disabled);
}

const std::string& ServiceGroup::name() const { return impl_->name; }
RedundancyModel ServiceGroup::model() const { return impl_->model; }
GroupState ServiceGroup::state() const { return impl_->state; }
GroupStatus ServiceGroup::status() const { return impl_->status; }
bool ServiceGroup::stable() const { return impl_->stable(); }

std::vector<ServiceView> ServiceGroup::services() const {
  std::vector<ServiceView> out;
  for (const auto& m : impl_->members) {
    ServiceView v;
    v.name = m.spec.name;
    v.state = m.state;
    v.impact = m.spec.impact;
    v.actions = std::string(m.actions->kind());
    v.failures = impl_->failures_in_window(m);
    v.fatal = m.fatal;
    v.last_error = m.last_error;
    out.push_back(std::move(v));
  }
  return out;
}

nlohmann::json ServiceGroup::to_json() const {
  auto services_json = nlohmann::json::array();
  for (const auto& v : services()) {
    nlohmann::json s = {{"name", v.name},         {"state", to_string(v.state)}, {"impact", to_string(v.impact)},
                        {"actions", v.actions},   {"failures", v.failures},      {"fatal", v.fatal}};
    if (!v.last_error.empty()) s["last_error"] = v.last_error;
    services_json.push_back(std::move(s));
  }
  return {{"name", impl_->name},
          {"redundancy", to_string(impl_->model)},
          {"state", to_string(impl_->state)},
          {"status", to_string(impl_->status)},
          {"desired", to_string(impl_->target)},
          {"stable", impl_->stable()},
          {"services", std::move(services_json)}};
}

}  // namespace roost::sm
