#include "sim/validate.h"

#include <set>
#include <stdexcept>
#include <string>

#include "backends/openssl_crypto.h"

namespace roost::sim {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("simulation config: " + what); }

void check_link(const LinkSpec& l, const std::string& where) {
  if (l.latency.count() < 0) fail(where + ": latency must not be negative");
  if (!(l.bandwidth_bps > 0)) fail(where + ": bandwidth_bps must be positive");
  if (!(l.loss >= 0 && l.loss <= 1)) fail(where + ": loss must be within [0, 1]");
  if (l.jitter.count() < 0) fail(where + ": jitter must not be negative");
}

void check_bmc(const BmcSpec& b, const std::string& where) {
  if (b.latency.count() < 0) fail(where + ": latency must not be negative");
  if (b.unreachable_after.count() < 0) fail(where + ": unreachable_after must not be negative");
  if (b.cycle_off.count() < 0) fail(where + ": cycle_off must not be negative");
  if (b.boot && !(0 <= b.boot->min_s && b.boot->min_s <= b.boot->mode_s && b.boot->mode_s <= b.boot->max_s))
    fail(where + ": boot needs 0 <= min <= mode <= max");
  std::set<std::string> names;
  for (const auto& s : b.sensors) {
    if (s.name.empty()) fail(where + ": a sensor has an empty name");
    if (!names.insert(s.name).second) fail(where + ": duplicate sensor '" + s.name + "'");
    const auto& t = s.thresholds;
    const std::optional<double> order[] = {t.lower_non_recoverable, t.lower_critical, t.lower_non_critical,
                                           t.upper_non_critical, t.upper_critical, t.upper_non_recoverable};
    std::optional<double> last;
    for (const auto& v : order) {
      if (!v) continue;
      if (last && *v < *last)
        fail(where + ": sensor '" + s.name + "': thresholds must rise from lower non-recoverable to upper non-recoverable");
      last = v;
    }
  }
  for (const auto& c : b.changes) {
    if (c.at.time_since_epoch().count() < 0) fail(where + ": a sensor change before time 0");
    if (!names.count(c.sensor)) fail(where + ": a change names unknown sensor '" + c.sensor + "'");
  }
  for (const auto& w : b.unreachable) {
    if (w.at.time_since_epoch().count() < 0) fail(where + ": an unreachable window before time 0");
    if (w.until && *w.until <= w.at) fail(where + ": an unreachable window ends before it starts");
  }
}

// An Env that does nothing: enough to construct a node and see whether its role accepts its config.
class InertEnv final : public core::Env, private core::Logger {
 public:
  explicit InertEnv(std::string name) : name_(std::move(name)) {}
  const std::string& node_name() const override { return name_; }
  core::TimePoint now() const override { return {}; }
  core::TimerId after(core::Duration, std::function<void()>) override { return ++timers_; }
  void cancel(core::TimerId) override {}
  void send(const std::string&, core::Network, core::Envelope) override {}
  void call(const std::string&, core::Network, core::Envelope, core::Duration,
            std::function<void(core::CallOutcome)>) override {}
  core::Rng& rng() override { return rng_; }
  core::Logger& log() override { return *this; }
  std::int64_t wall_time_us() const override { return 0; }
  // A role may well derive keys in its constructor: the real thing, since it is pure.
  const core::Crypto& crypto() const override { return backends::openssl_crypto(); }

 private:
  bool enabled(core::LogLevel) const override { return false; }
  void write(core::LogLevel, std::string_view, core::LogFields) override {}
  std::string name_;
  core::TimerId timers_ = 0;
  core::Rng rng_{0};
};

}  // namespace

void normalize_and_validate(SimConfig& config, const core::RoleRegistry& roles) {
  if (config.duration.count() <= 0) fail("duration must be positive");
  check_link(config.backbone, "backbone");

  std::set<std::string> sites, nodes;
  for (auto& site : config.sites) {
    if (site.name.empty()) fail("a site has an empty name");
    if (!sites.insert(site.name).second) fail("duplicate site name '" + site.name + "'");
    check_link(site.lan, "site '" + site.name + "' lan");
    check_link(site.wan, "site '" + site.name + "' wan");
    for (auto& n : site.nodes) {
      const std::string& name = n.node.name;
      if (name.empty()) fail("site '" + site.name + "' has a node with an empty name");
      if (name == "sim") fail("node name 'sim' is reserved for the simulation's own trace records");
      if (!nodes.insert(name).second) fail("duplicate node name '" + name + "'");
      if (n.node.site.empty()) n.node.site = site.name;
      if (n.node.site != site.name)
        fail("node '" + name + "' is listed in site '" + site.name + "' but its spec names site '" + n.node.site + "'");
      if (!roles.has(n.node.role)) {
        std::string known;
        for (const auto& r : roles.roles()) known += (known.empty() ? "" : ", ") + r;
        fail("node '" + name + "': unknown role '" + n.node.role + "' (known: " + known + ")");
      }
      if (n.boot_time.count() < 0) fail("node '" + name + "': boot_time must not be negative");
      if (n.bmc) check_bmc(*n.bmc, "node '" + name + "' bmc");
    }
  }
  // After every site's nodes: a floating name may not be the name of a node of any site.
  for (const auto& site : config.sites) {
    std::set<std::string> floating;
    for (const auto& f : site.floating) {
      const std::string where = "site '" + site.name + "' floating name '" + f + "'";
      if (f.empty()) fail("site '" + site.name + "' has an empty floating name");
      if (f == "sim") fail(where + ": 'sim' is reserved for the simulation's own trace records");
      if (nodes.count(f)) fail(where + " is also a node's name");
      if (!floating.insert(f).second) fail(where + " is listed twice");
    }
  }

  for (std::size_t i = 0; i < config.faults.size(); ++i) {
    const FaultSpec& f = config.faults[i];
    const std::string where = "fault #" + std::to_string(i) + " (" + std::string(to_string(f.kind)) +
                              (f.label.empty() ? "" : ", '" + f.label + "'") + ")";
    auto known_node = [&](const std::string& n) {
      if (!nodes.count(n)) fail(where + ": unknown node '" + n + "'");
    };
    if (f.at.time_since_epoch().count() < 0) fail(where + ": 'at' must not be negative");
    if (f.until && *f.until <= f.at) fail(where + ": 'until' must be after 'at'");
    switch (f.kind) {
      case FaultKind::HostCrash:
      case FaultKind::HostRestart:
        for (const auto& n : f.nodes) known_node(n);
        break;
      case FaultKind::NetworkDown:
        if (!f.network) fail(where + ": needs a network");
        for (const auto& n : f.nodes) known_node(n);
        break;
      case FaultKind::SiteWanDown:
        if (f.site.empty()) fail(where + ": needs a site");
        if (!sites.count(f.site)) fail(where + ": unknown site '" + f.site + "'");
        break;
      case FaultKind::Partition:
        if (f.groups.size() != 2) fail(where + ": needs exactly two groups of nodes");
        for (const auto& g : f.groups) {
          if (g.empty()) fail(where + ": a partition group is empty");
          for (const auto& n : g) known_node(n);
        }
        for (const auto& a : f.groups[0])
          for (const auto& b : f.groups[1])
            if (a == b) fail(where + ": node '" + a + "' is in both partition groups");
        break;
      case FaultKind::MessageLoss:
      case FaultKind::MessageDelay:
        if (!(f.fraction >= 0 && f.fraction <= 1)) fail(where + ": fraction must be within [0, 1]");
        if (f.kind == FaultKind::MessageDelay && f.delay.count() < 0) fail(where + ": delay must not be negative");
        for (const auto& n : f.nodes) known_node(n);
        break;
      case FaultKind::ProcessKill:
        if (f.nodes.size() != 1) fail(where + ": needs exactly one node");
        known_node(f.nodes[0]);
        if (f.process.empty()) fail(where + ": needs a process name");
        break;
    }
  }

  // A role's own config (e.g. a pulse controller's host list) is checked by building the node once.
  for (const auto& site : config.sites)
    for (const auto& n : site.nodes) {
      InertEnv env(n.node.name);
      try {
        auto node = roles.make(env, n.node);
        if (!node) fail("node '" + n.node.name + "': role '" + n.node.role + "' built no node");
      } catch (const std::exception& e) {
        const std::string what = e.what();
        if (what.rfind("simulation config:", 0) == 0) throw;
        fail("node '" + n.node.name + "' (role '" + n.node.role + "'): " + what);
      }
    }
}

}  // namespace roost::sim
