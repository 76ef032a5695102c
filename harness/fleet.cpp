// The fleet generator: "fleet" (docs/scenarios.md, "Fleets") -> sites, nodes and faults of a SimConfig.
// The metrics and checks that read a fleet run's trace are in fleet_metrics.cpp.
#include "harness/fleet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "harness/fault_kinds.h"
#include "platform/core/rng.h"

namespace roost::harness {

using nlohmann::json;

std::string_view to_string(SubcloudType t) {
  switch (t) {
    case SubcloudType::Simplex: return "simplex";
    case SubcloudType::Duplex: return "duplex";
    case SubcloudType::Standard: return "standard";
  }
  return "?";
}

std::string_view to_string(FleetFaultKind k) {
  switch (k) {
    case FleetFaultKind::SiteWanOutage: return "site-wan-outage";
    case FleetFaultKind::SitePowerLoss: return "site-power-loss";
    case FleetFaultKind::HostCrash: return "host-crash";
    case FleetFaultKind::ControllerFailover: return "controller-failover";
    case FleetFaultKind::RegionalOutage: return "regional-outage";
  }
  return "?";
}

std::optional<FleetFaultKind> parse_fleet_fault_kind(std::string_view name) {
  for (auto k : kFleetFaultKinds)
    if (to_string(k) == name) return k;
  return std::nullopt;
}

std::vector<std::string> Subcloud::hosts() const {
  std::vector<std::string> out{controller(0)};
  if (type != SubcloudType::Simplex) out.push_back(controller(1));
  for (int w = 0; w < workers; ++w) out.push_back(worker(w));
  return out;
}

const Subcloud* FleetPlan::find_subcloud(std::string_view name) const {
  // Subclouds are generated in name order (fixed-width numbers), so a binary search finds one.
  auto it = std::lower_bound(subclouds.begin(), subclouds.end(), name,
                             [](const Subcloud& s, std::string_view n) { return s.name < n; });
  return it != subclouds.end() && it->name == name ? &*it : nullptr;
}

namespace {

// ---- field tables --------------------------------------------------------------------------------------

constexpr std::array kFleetFields{
    FieldRule{"subclouds", kInteger, true},      FieldRule{"name_prefix", kString},
    FieldRule{"seed", kInteger},                 FieldRule{"mix", kObject},
    FieldRule{"workers_per_standard", kInteger}, FieldRule{"regions", kInteger | kArray},
    FieldRule{"lan", kObject},                   FieldRule{"wan", kObject},
    FieldRule{"uplink", kObject},                FieldRule{"heartbeat", kObject},
    FieldRule{"audit", kObject},                 FieldRule{"agent_config", kObject},
    FieldRule{"manager_config", kObject},        FieldRule{"deploy", kObject},
    FieldRule{"boot_s", kNumber | kObject},      FieldRule{"bmc", kObject},
    FieldRule{"sample_s", kNumber},              FieldRule{"faults", kArray},
    FieldRule{"random_faults", kArray},
};
constexpr std::array kMixFields{FieldRule{"simplex", kNumber}, FieldRule{"duplex", kNumber},
                                FieldRule{"standard", kNumber}};
constexpr std::array kLinkFields{FieldRule{"latency_ms", kNumber}, FieldRule{"jitter_ms", kNumber},
                                 FieldRule{"bandwidth_mbps", kNumber}, FieldRule{"loss", kNumber}};
constexpr std::array kWanFields{FieldRule{"latency_ms", kNumber | kObject}, FieldRule{"jitter_ms", kNumber},
                                FieldRule{"bandwidth_mbps", kNumber | kObject}, FieldRule{"loss", kNumber}};
constexpr std::array kUplinkFields{FieldRule{"wan", kObject}, FieldRule{"backbone", kObject}};
constexpr std::array kAuditFields{FieldRule{"interval_s", kNumber}, FieldRule{"timeout_s", kNumber},
                                  FieldRule{"offline_after", kInteger}};
constexpr std::array kDeployFields{FieldRule{"install", kObject}, FieldRule{"bootstrap", kObject},
                                   FieldRule{"config", kObject}, FieldRule{"subclouds", kInteger}};
constexpr std::array kPhaseFields{FieldRule{"duration_s", kNumber | kObject, true}, FieldRule{"failure_rate", kNumber}};
constexpr std::array kBmcFields{FieldRule{"latency_ms", kNumber}, FieldRule{"boot_s", kNumber | kObject}};
constexpr std::array kTriangularFields{FieldRule{"min", kNumber, true}, FieldRule{"mode", kNumber, true},
                                       FieldRule{"max", kNumber, true}};

using fault_field::kAt;
using fault_field::kKind;
using fault_field::kLabel;
using fault_field::kNode;
using fault_field::kUntil;
constexpr FieldRule kSubcloud{"subcloud", kString};
constexpr FieldRule kSubclouds{"subclouds", kArray};
constexpr FieldRule kCount{"count", kInteger};
constexpr FieldRule kRegion{"region", kString};
constexpr FieldRule kHost{"host", kString};
constexpr std::array kWanOutageFields{kKind, kAt, kUntil, kLabel, kSubcloud, kSubclouds, kCount};
constexpr std::array kPowerLossFields{kKind, kAt, kUntil, kLabel, kSubcloud, kSubclouds, kCount};
constexpr std::array kHostCrashFields{kKind, kAt, kUntil, kLabel, kNode, kSubcloud, kHost};
constexpr std::array kFailoverFields{kKind, kAt, kUntil, kLabel, kSubcloud, kSubclouds, kCount};
constexpr std::array kRegionalFields{kKind, kAt, kUntil, kLabel, kRegion, kCount};
constexpr std::array kAnyFaultFields{kKind,      kAt,    kUntil,  FieldRule{"label", kString}, kSubcloud, kSubclouds,
                                     kCount,     kRegion, kNode,  kHost};
constexpr std::array kRandomFields{kKind, FieldRule{"rate_per_hour", kNumber, true},
                                   FieldRule{"duration_s", kNumber | kObject, true}, FieldRule{"from_s", kNumber},
                                   FieldRule{"to_s", kNumber}, kLabel};

std::span<const FieldRule> fault_fields(FleetFaultKind k) {
  switch (k) {
    case FleetFaultKind::SiteWanOutage: return kWanOutageFields;
    case FleetFaultKind::SitePowerLoss: return kPowerLossFields;
    case FleetFaultKind::HostCrash: return kHostCrashFields;
    case FleetFaultKind::ControllerFailover: return kFailoverFields;
    case FleetFaultKind::RegionalOutage: return kRegionalFields;
  }
  return {};
}

std::vector<std::string> fleet_fault_kind_names() {
  std::vector<std::string> out;
  for (auto k : kFleetFaultKinds) out.emplace_back(to_string(k));
  return out;
}

std::string in_quotes(std::string_view s) { return json(s).dump(); }

// A quantity drawn per subcloud or per node: min == mode == max is a constant.
struct Distribution {
  double min = 0, mode = 0, max = 0;
  double draw(core::Rng& rng) const { return max > min ? rng.triangular(min, mode, max) : min; }
  json to_json() const { return {{"min_s", min}, {"mode_s", mode}, {"max_s", max}}; }
};

struct DeployPhase {
  Distribution duration;
  double failure_rate = 0;
};

// The fault schedule entries, resolved to subclouds (indices) and hosts.
struct PendingFault {
  FleetFaultKind kind;
  std::string source;  // label or entry
  std::string entry;   // "fleet.faults[i]" / "fleet.random_faults[i]"
  std::string label;   // as written ("" if none)
  double at_s = 0;
  std::optional<double> until_s;
  std::vector<std::uint32_t> subclouds;
  std::string host;  // host-crash: the node name
};

class FleetReader {
 public:
  FleetReader(JsonChecker& c, std::string path, std::uint64_t seed, std::optional<double> duration_s)
      : c_(c), path_(std::move(path)), seed_(seed), duration_s_(duration_s) {}

  std::optional<FleetPlan> read(const json& j, sim::SimConfig& config) {
    if (!c_.check_object(j, path_, kFleetFields)) return std::nullopt;
    read_shape(j);
    read_links(j);
    read_settings(j);
    // Without a valid number of subclouds there are no names to check faults against; any other mistake
    // leaves a usable fleet (defaults, a normalised mix), so the faults' own errors are reported in the same
    // pass, and explicit faults and expectations naming the fleet's nodes are not reported as wrong too.
    if (subclouds_ == 0) return std::nullopt;

    plan_.first_site = config.sites.size();
    build_subclouds();
    if (const json* f = get_field(j, "faults"); f && f->is_array()) read_faults(*f);
    if (const json* r = get_field(j, "random_faults"); r && r->is_array()) read_random_faults(*r);
    // A bad fault entry is left out (and reported): the fleet itself stands, so expectations and explicit
    // faults naming its nodes are not reported as wrong too.

    build_sites(config);
    build_faults();
    if (backbone_) config.backbone = *backbone_;
    return std::move(plan_);
  }

 private:
  std::string at(std::string_view key) const { return child(path_, key); }

  // ---- reading --------------------------------------------------------------------------------------

  void read_shape(const json& j) {
    if (auto n = get_integer(j, "subclouds")) {
      if (*n < 1 || *n > kMaxSubclouds)
        c_.error(at("subclouds"), "must be within [1, " + std::to_string(kMaxSubclouds) + "] (got " +
                                      literal(j["subclouds"]) + ")");
      else subclouds_ = static_cast<std::size_t>(*n);
    }
    if (auto p = get_string(j, "name_prefix")) {
      prefix_ = *p;
      const bool ok = !prefix_.empty() && std::all_of(prefix_.begin(), prefix_.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
      });
      if (!ok) c_.error(at("name_prefix"), "must be a non-empty name of a-z, 0-9 and '-' (got " + in_quotes(*p) + ")");
    }
    plan_.seed = seed_;
    if (auto s = get_unsigned(j, "seed")) plan_.seed = *s;
    else if (auto s = get_integer(j, "seed"); s && *s >= 0) plan_.seed = static_cast<std::uint64_t>(*s);
    else if (s) c_.error(at("seed"), "must be an integer >= 0 (got " + std::to_string(*s) + ")");
    if (const json* m = get_field(j, "mix"); m && m->is_object()) read_mix(*m);
    if (auto w = get_integer(j, "workers_per_standard")) {
      if (*w < 0 || *w > 100) c_.error(at("workers_per_standard"), "must be within [0, 100] (got " + std::to_string(*w) + ")");
      else workers_ = static_cast<int>(*w);
    }
    if (const json* r = get_field(j, "regions")) read_regions(*r);
    if (plan_.regions.empty()) plan_.regions = {"region-1"};  // absent, or wrong (and reported)
  }

  void read_mix(const json& m) {
    const std::string path = at("mix");
    if (!c_.check_object(m, path, kMixFields)) return;
    if (m.empty()) return c_.error(path, "give at least one of simplex, duplex, standard");
    double sum = 0;
    bool ok = true;
    for (int t = 0; t < 3; ++t) {
      const std::string key(to_string(static_cast<SubcloudType>(t)));
      mix_[t] = 0;
      if (auto v = get_number(m, key)) {
        if (*v < 0 || *v > 1 || !std::isfinite(*v)) {
          c_.error(child(path, key), "must be a fraction within [0, 1] (got " + literal(m[key]) + ")");
          ok = false;
        } else {
          mix_[t] = *v;
        }
      }
      sum += mix_[t];
    }
    if (ok && std::abs(sum - 1.0) > 1e-6) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", sum);
      c_.error(path, std::string("the fractions must add up to 1 (they add up to ") + buf + ")");
    }
    // Go on with a usable mix (the run will not happen: the error stands), so later checks still apply.
    if (!ok || sum <= 0) mix_ = {1, 0, 0};
    else for (auto& f : mix_) f /= sum;
  }

  void read_regions(const json& r) {
    const std::string path = at("regions");
    if (r.is_number_integer()) {
      const auto n = r.get<std::int64_t>();
      if (n < 1 || n > kMaxSubclouds) return c_.error(path, "must be at least 1 (got " + literal(r) + ")");
      const int width = static_cast<int>(std::to_string(n).size());
      for (std::int64_t i = 1; i <= n; ++i) plan_.regions.push_back("region-" + padded(static_cast<std::size_t>(i), width));
      return;
    }
    if (!r.is_array()) return;
    if (r.empty()) return c_.error(path, "must name at least one region");
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (!c_.check_type(r[i], index(path, i), kString)) continue;
      const auto name = r[i].get<std::string>();
      if (name.empty() || name.find_first_of(" \t\n") != std::string::npos)
        c_.error(index(path, i), "a region name must be non-empty and without spaces (got " + in_quotes(name) + ")");
      else if (std::find(plan_.regions.begin(), plan_.regions.end(), name) != plan_.regions.end())
        c_.error(index(path, i), "region " + in_quotes(name) + " listed twice");
      else
        plan_.regions.push_back(name);
    }
  }

  std::optional<double> number_at_least(const json& j, const std::string& path, std::string_view key, double lo,
                                        bool strict = false) {
    auto v = get_number(j, key);
    if (!v) return std::nullopt;
    if (!std::isfinite(*v) || (strict ? *v <= lo : *v < lo)) {
      c_.error(child(path, key), std::string(strict ? "must be greater than " : "must be at least ") + literal(json(lo)) +
                                     " (got " + literal(j[std::string(key)]) + ")");
      return std::nullopt;
    }
    return v;
  }

  // A number (a constant), or {min, mode, max} (a triangular distribution), all >= `lo`.
  std::optional<Distribution> read_distribution(const json& j, const std::string& path, double lo, bool strict) {
    auto fits = [&](double v) { return std::isfinite(v) && (strict ? v > lo : v >= lo); };
    const std::string bound = std::string(strict ? "greater than " : "at least ") + literal(json(lo));
    if (j.is_number()) {
      const double v = j.get<double>();
      if (!fits(v)) {
        c_.error(path, "must be " + bound + " (got " + literal(j) + ")");
        return std::nullopt;
      }
      return Distribution{v, v, v};
    }
    if (!c_.check_object(j, path, kTriangularFields)) return std::nullopt;
    const auto a = get_number(j, "min"), m = get_number(j, "mode"), b = get_number(j, "max");
    if (!a || !m || !b) return std::nullopt;
    if (!fits(*a)) {
      c_.error(child(path, "min"), "must be " + bound + " (got " + literal(j["min"]) + ")");
      return std::nullopt;
    }
    if (!(*a <= *m && *m <= *b) || !std::isfinite(*b)) {
      c_.error(path, "needs min <= mode <= max (got " + literal(j["min"]) + ", " + literal(j["mode"]) + ", " +
                         literal(j["max"]) + ")");
      return std::nullopt;
    }
    return Distribution{*a, *m, *b};
  }

  sim::LinkSpec read_link(const json& j, const std::string& path, sim::LinkSpec base) {
    if (!c_.check_object(j, path, kLinkFields)) return base;
    if (auto v = number_at_least(j, path, "latency_ms", 0)) base.latency = core::from_seconds(*v / 1e3);
    if (auto v = number_at_least(j, path, "jitter_ms", 0)) base.jitter = core::from_seconds(*v / 1e3);
    if (auto v = number_at_least(j, path, "bandwidth_mbps", 0, true)) base.bandwidth_bps = *v * 1e6;
    if (auto v = get_number(j, "loss")) {
      if (*v < 0 || *v > 1) c_.error(child(path, "loss"), "must be within [0, 1] (got " + literal(j["loss"]) + ")");
      else base.loss = *v;
    }
    return base;
  }

  void read_links(const json& j) {
    if (const json* l = get_field(j, "lan")) lan_ = read_link(*l, at("lan"), lan_);
    if (const json* w = get_field(j, "wan"); w && w->is_object()) {
      const std::string path = at("wan");
      if (c_.check_object(*w, path, kWanFields)) {
        if (const json* v = get_field(*w, "latency_ms"))
          if (auto d = read_distribution(*v, child(path, "latency_ms"), 0, false)) wan_latency_ms_ = *d;
        if (const json* v = get_field(*w, "bandwidth_mbps"))
          if (auto d = read_distribution(*v, child(path, "bandwidth_mbps"), 0, true)) wan_bandwidth_mbps_ = *d;
        if (auto v = number_at_least(*w, path, "jitter_ms", 0)) wan_jitter_ = core::from_seconds(*v / 1e3);
        if (auto v = get_number(*w, "loss")) {
          if (*v < 0 || *v > 1) c_.error(child(path, "loss"), "must be within [0, 1] (got " + literal((*w)["loss"]) + ")");
          else wan_loss_ = *v;
        }
      }
    }
    if (const json* u = get_field(j, "uplink"); u && u->is_object()) {
      const std::string path = at("uplink");
      if (c_.check_object(*u, path, kUplinkFields)) {
        if (const json* w = get_field(*u, "wan")) uplink_wan_ = read_link(*w, child(path, "wan"), uplink_wan_);
        if (const json* b = get_field(*u, "backbone"))
          backbone_ = read_link(*b, child(path, "backbone"), sim::LinkSpec{core::milliseconds(1), 10e9, 0.0, {}});
      }
    }
  }

  void read_settings(const json& j) {
    if (const json* h = get_field(j, "heartbeat"); h && h->is_object()) heartbeat_ = *h;
    if (const json* a = get_field(j, "audit"); a && a->is_object()) {
      const std::string path = at("audit");
      if (c_.check_object(*a, path, kAuditFields)) {
        if (auto v = number_at_least(*a, path, "interval_s", 0, true)) plan_.audit_interval = core::from_seconds(*v);
        if (auto v = number_at_least(*a, path, "timeout_s", 0, true)) timeout_ = core::from_seconds(*v);
        if (auto v = get_integer(*a, "offline_after")) {
          if (*v < 1 || *v > 100) c_.error(child(path, "offline_after"), "must be within [1, 100] (got " + std::to_string(*v) + ")");
          else plan_.offline_after = static_cast<int>(*v);
        }
      }
    }
    plan_.audit_timeout = timeout_.value_or(plan_.audit_interval);
    if (const json* a = get_field(j, "agent_config"); a && a->is_object()) agent_extra_ = *a;
    if (const json* m = get_field(j, "manager_config"); m && m->is_object()) manager_extra_ = *m;
    if (const json* d = get_field(j, "deploy"); d && d->is_object()) read_deploy(*d);
    if (const json* b = get_field(j, "boot_s"))
      if (auto d = read_distribution(*b, at("boot_s"), 0, false)) boot_s_ = *d;
    if (const json* b = get_field(j, "bmc"); b && b->is_object()) {
      const std::string path = at("bmc");
      if (c_.check_object(*b, path, kBmcFields)) {
        bmc_ = sim::BmcSpec{};
        bmc_->user = "admin";
        bmc_->password = "fleet-bmc";
        if (auto v = number_at_least(*b, path, "latency_ms", 0)) bmc_->latency = core::from_seconds(*v / 1e3);
        if (const json* boot = get_field(*b, "boot_s"))
          if (auto d = read_distribution(*boot, child(path, "boot_s"), 0, false))
            bmc_->boot = sim::TriangularSpec{d->min, d->mode, d->max};
      }
    }
    if (auto s = number_at_least(j, path_, "sample_s", 0, true)) plan_.sample_s = *s;
  }

  void read_deploy(const json& d) {
    const std::string path = at("deploy");
    if (!c_.check_object(d, path, kDeployFields)) return;
    deploy_ = json::object();
    for (const char* phase : {"install", "bootstrap", "config"}) {
      const json* p = get_field(d, phase);
      if (!p || !p->is_object()) continue;
      const std::string ppath = child(path, phase);
      if (!c_.check_object(*p, ppath, kPhaseFields)) continue;
      DeployPhase out;
      if (const json* dur = get_field(*p, "duration_s"))
        if (auto dist = read_distribution(*dur, child(ppath, "duration_s"), 0, false)) out.duration = *dist;
      if (auto f = get_number(*p, "failure_rate")) {
        if (*f < 0 || *f > 1) c_.error(child(ppath, "failure_rate"), "must be within [0, 1] (got " + literal((*p)["failure_rate"]) + ")");
        else out.failure_rate = *f;
      }
      json phase_json = out.duration.to_json();
      phase_json["failure_rate"] = out.failure_rate;
      deploy_[phase] = std::move(phase_json);
    }
    if (auto n = get_integer(d, "subclouds")) {
      if (*n < 0) c_.error(child(path, "subclouds"), "must not be negative (got " + std::to_string(*n) + ")");
      else deploy_count_ = static_cast<std::size_t>(*n);
    }
  }

  // ---- the subclouds ----------------------------------------------------------------------------------

  static std::string padded(std::size_t n, int width) {
    std::string s = std::to_string(n);
    return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
  }

  // Exactly N subclouds: floor(N * fraction) of each type, the rest to the largest remainders (ties in the
  // order simplex, duplex, standard); then shuffled with the seed, so the types are spread through the
  // fleet (and over the audit cycle) rather than in blocks.
  void build_subclouds() {
    const std::size_t n = subclouds_;
    std::array<std::size_t, 3> counts{};
    std::array<double, 3> remainder{};
    std::size_t given = 0;
    for (int t = 0; t < 3; ++t) {
      const double exact = mix_[t] * static_cast<double>(n);
      counts[t] = static_cast<std::size_t>(std::floor(exact + 1e-9));
      remainder[t] = exact - static_cast<double>(counts[t]);
      given += counts[t];
    }
    while (given < n) {
      int best = 0;
      for (int t = 1; t < 3; ++t)
        if (remainder[t] > remainder[best] + 1e-12) best = t;
      ++counts[best];
      remainder[best] = -1;
      ++given;
    }
    std::vector<SubcloudType> types;
    types.reserve(n);
    for (int t = 0; t < 3; ++t) types.insert(types.end(), counts[t], static_cast<SubcloudType>(t));
    core::Rng rng(core::Rng::derive(plan_.seed, "fleet/mix"));
    for (std::size_t i = n; i > 1; --i) std::swap(types[i - 1], types[rng.below(i)]);

    const int width = std::max(4, static_cast<int>(std::to_string(n).size()));
    plan_.subclouds.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      Subcloud s;
      s.name = prefix_ + "-" + padded(i + 1, width);
      s.type = types[i];
      // Round robin: a region's subclouds are spread over the audit cycle, as they would be in a fleet
      // whose subclouds were added over time.
      s.region = static_cast<std::uint32_t>(i % plan_.regions.size());
      s.workers = s.type == SubcloudType::Standard ? static_cast<std::uint16_t>(workers_) : 0;
      plan_.subclouds.push_back(std::move(s));
    }
    plan_.type_counts = counts;
    if (deploy_count_ > n) {
      c_.error(child(at("deploy"), "subclouds"), "the fleet has " + std::to_string(n) + " subclouds (got " +
                                                     std::to_string(deploy_count_) + ")");
    } else if (deploy_count_ > 0) {
      core::Rng deploy_rng(core::Rng::derive(plan_.seed, "fleet/deploy"));
      for (auto s : choose(all_of_type(false), deploy_count_, deploy_rng)) deploying_.insert(s);
    }
  }

  // ---- the fault schedule -----------------------------------------------------------------------------

  std::optional<std::uint32_t> subcloud_named(const json& j, const std::string& path) {
    if (!c_.check_type(j, path, kString)) return std::nullopt;
    const auto name = j.get<std::string>();
    if (const Subcloud* s = plan_.find_subcloud(name)) return static_cast<std::uint32_t>(s - plan_.subclouds.data());
    // A close name for a typo; the first and last subcloud's names say what the names look like.
    std::vector<std::string> near;
    for (const auto& s : plan_.subclouds)
      if (s.name.size() == name.size() || s.name.size() + 1 == name.size() || s.name.size() == name.size() + 1)
        near.push_back(s.name);
    std::string hint = did_you_mean(name, near);
    if (hint.empty())
      hint = " (the fleet's subclouds are " + in_quotes(plan_.subclouds.front().name) + " to " +
             in_quotes(plan_.subclouds.back().name) + ")";
    c_.error(path, "no subcloud named " + in_quotes(name) + hint);
    return std::nullopt;
  }

  // `count` distinct subclouds of `candidates`, chosen with the seed (a partial Fisher-Yates shuffle).
  std::vector<std::uint32_t> choose(std::vector<std::uint32_t> candidates, std::size_t count, core::Rng& rng) {
    for (std::size_t i = 0; i < count; ++i)
      std::swap(candidates[i], candidates[i + rng.below(candidates.size() - i)]);
    candidates.resize(count);
    std::sort(candidates.begin(), candidates.end());
    return candidates;
  }

  bool read_times(const json& j, const std::string& path, PendingFault& f) {
    const auto at_s = get_number(j, "at_s");
    if (!at_s) return false;
    f.at_s = *at_s;
    bool ok = true;
    if (*at_s < 0) {
      c_.error(child(path, "at_s"), "fault before time 0 (" + literal(j["at_s"]) + ")");
      ok = false;
    } else if (duration_s_ && *at_s >= *duration_s_) {
      c_.error(child(path, "at_s"), "fault at " + literal(j["at_s"]) + " s is not before the end of the run (duration_s " +
                                        literal(json(*duration_s_)) + ")");
      ok = false;
    }
    if (auto until = get_number(j, "until_s")) {
      f.until_s = *until;
      if (*until <= *at_s) {
        c_.error(child(path, "until_s"), "must be after at_s (" + literal(j["until_s"]) + " <= " + literal(j["at_s"]) + ")");
        ok = false;
      } else if (duration_s_ && *until > *duration_s_) {
        c_.error(child(path, "until_s"), literal(j["until_s"]) + " s is after the end of the run (duration_s " +
                                             literal(json(*duration_s_)) + "); leave until_s out for a fault that lasts to the end");
        ok = false;
      }
    }
    return ok;
  }

  std::vector<std::uint32_t> all_of_type(bool pairs_only) const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < plan_.subclouds.size(); ++i)
      if (!pairs_only || plan_.subclouds[i].type != SubcloudType::Simplex) out.push_back(i);
    return out;
  }

  // "subcloud", "subclouds" or "count" (one of them): the subclouds a fault hits.
  bool read_targets(const json& j, const std::string& path, PendingFault& f, bool pairs_only, core::Rng& rng) {
    const json* one = get_field(j, "subcloud");
    const json* many = get_field(j, "subclouds");
    const json* count = get_field(j, "count");
    const int given = (one ? 1 : 0) + (many ? 1 : 0) + (count ? 1 : 0);
    if (given != 1) {
      c_.error(path, given == 0 ? "missing the subclouds it hits: give \"subcloud\", \"subclouds\" or \"count\""
                                : "give one of \"subcloud\", \"subclouds\" and \"count\", not several");
      return false;
    }
    auto check_pair = [&](std::uint32_t s, const std::string& where) {
      if (pairs_only && plan_.subclouds[s].type == SubcloudType::Simplex) {
        c_.error(where, "subcloud " + in_quotes(plan_.subclouds[s].name) +
                            " is simplex: a controller failover needs a duplex or standard subcloud");
        return false;
      }
      return true;
    };
    if (one) {
      auto s = subcloud_named(*one, child(path, "subcloud"));
      if (!s || !check_pair(*s, child(path, "subcloud"))) return false;
      f.subclouds = {*s};
      return true;
    }
    if (many) {
      if (!many->is_array()) return false;
      if (many->empty()) {
        c_.error(child(path, "subclouds"), "must name at least one subcloud");
        return false;
      }
      bool ok = true;
      for (std::size_t k = 0; k < many->size(); ++k) {
        const std::string where = index(child(path, "subclouds"), k);
        auto s = subcloud_named((*many)[k], where);
        if (!s || !check_pair(*s, where)) {
          ok = false;
          continue;
        }
        if (std::find(f.subclouds.begin(), f.subclouds.end(), *s) != f.subclouds.end()) {
          c_.error(where, "subcloud " + in_quotes(plan_.subclouds[*s].name) + " listed twice");
          ok = false;
        }
        f.subclouds.push_back(*s);
      }
      return ok;
    }
    if (!count->is_number_integer()) return false;
    const auto candidates = all_of_type(pairs_only);
    const auto n = count->get<std::int64_t>();
    if (n < 1 || static_cast<std::size_t>(n) > candidates.size()) {
      c_.error(child(path, "count"), "must be within [1, " + std::to_string(candidates.size()) + "] (the fleet has " +
                                         std::to_string(candidates.size()) + (pairs_only ? " duplex/standard" : "") +
                                         " subclouds; got " + literal(*count) + ")");
      return false;
    }
    f.subclouds = choose(candidates, static_cast<std::size_t>(n), rng);
    return true;
  }

  // host-crash: "node" (a fleet host's name), or "subcloud" with an optional "host" (default controller-0).
  bool read_host(const json& j, const std::string& path, PendingFault& f) {
    const json* node = get_field(j, "node");
    const json* sub = get_field(j, "subcloud");
    const json* host = get_field(j, "host");
    if (node && (sub || host)) {
      c_.error(path, "give \"node\", or \"subcloud\" (and \"host\"), not both");
      return false;
    }
    if (node) {
      if (!node->is_string()) return false;
      const auto name = node->get<std::string>();
      const auto dot = name.find('.');
      const Subcloud* s = dot == std::string::npos ? nullptr : plan_.find_subcloud(std::string_view(name).substr(0, dot));
      const auto hosts = s ? s->hosts() : std::vector<std::string>{};
      if (!s || std::find(hosts.begin(), hosts.end(), name) == hosts.end()) {
        c_.error(child(path, "node"), "no fleet host named " + in_quotes(name) +
                                          (s ? did_you_mean(name, hosts) : " (hosts are named like \"" +
                                                                               plan_.subclouds.front().controller(0) + "\")"));
        return false;
      }
      f.subclouds = {static_cast<std::uint32_t>(s - plan_.subclouds.data())};
      f.host = name;
      return true;
    }
    if (!sub) {
      c_.error(path, "missing the host: give \"node\" (e.g. " + in_quotes(plan_.subclouds.front().controller(0)) +
                         ") or \"subcloud\"");
      return false;
    }
    auto s = subcloud_named(*sub, child(path, "subcloud"));
    if (!s) return false;
    const Subcloud& sc = plan_.subclouds[*s];
    std::string name = sc.controller(0);
    if (host && host->is_string()) {
      name = sc.name + "." + host->get<std::string>();
      const auto hosts = sc.hosts();
      if (std::find(hosts.begin(), hosts.end(), name) == hosts.end()) {
        std::vector<std::string> short_names;
        for (const auto& h : hosts) short_names.push_back(h.substr(sc.name.size() + 1));
        std::string list;
        for (const auto& h : short_names) list += (list.empty() ? "" : ", ") + h;
        c_.error(child(path, "host"), "subcloud " + in_quotes(sc.name) + " (" + std::string(to_string(sc.type)) +
                                          ") has no host " + in_quotes(host->get<std::string>()) +
                                          did_you_mean(host->get<std::string>(), short_names) + "; its hosts: " + list);
        return false;
      }
    }
    f.subclouds = {*s};
    f.host = name;
    return true;
  }

  bool read_region(const json& j, const std::string& path, PendingFault& f, core::Rng& rng) {
    const json* region = get_field(j, "region");
    const json* count = get_field(j, "count");
    if (!region && !count) {
      c_.error(path, "missing the subclouds it hits: give \"region\", \"count\" or both (count subclouds of the region)");
      return false;
    }
    std::vector<std::uint32_t> candidates;
    if (region) {
      if (!region->is_string()) return false;
      const auto name = region->get<std::string>();
      auto it = std::find(plan_.regions.begin(), plan_.regions.end(), name);
      if (it == plan_.regions.end()) {
        c_.error(child(path, "region"), "no region named " + in_quotes(name) + did_you_mean(name, plan_.regions) +
                                            " (the fleet's regions: " + region_list() + ")");
        return false;
      }
      const auto r = static_cast<std::uint32_t>(it - plan_.regions.begin());
      for (std::uint32_t i = 0; i < plan_.subclouds.size(); ++i)
        if (plan_.subclouds[i].region == r) candidates.push_back(i);
    } else {
      candidates = all_of_type(false);
    }
    if (!count) {
      f.subclouds = std::move(candidates);
      return true;
    }
    if (!count->is_number_integer()) return false;
    const auto n = count->get<std::int64_t>();
    if (n < 1 || static_cast<std::size_t>(n) > candidates.size()) {
      c_.error(child(path, "count"), "must be within [1, " + std::to_string(candidates.size()) + "] (" +
                                         (region ? "the region has " : "the fleet has ") +
                                         std::to_string(candidates.size()) + " subclouds; got " + literal(*count) + ")");
      return false;
    }
    f.subclouds = choose(std::move(candidates), static_cast<std::size_t>(n), rng);
    return true;
  }

  std::string region_list() const {
    std::string out;
    for (std::size_t i = 0; i < plan_.regions.size() && i < 8; ++i) out += (i ? ", " : "") + plan_.regions[i];
    if (plan_.regions.size() > 8) out += ", ... (" + std::to_string(plan_.regions.size()) + " in all)";
    return out;
  }

  void read_faults(const json& faults) {
    for (std::size_t i = 0; i < faults.size(); ++i) {
      const std::string path = index(at("faults"), i);
      const json& j = faults[i];
      if (!c_.check_type(j, path, kObject)) continue;
      const auto kind_name = get_string(j, "kind");
      const auto kind = kind_name ? parse_fleet_fault_kind(*kind_name) : std::nullopt;
      if (!kind) {
        if (kind_name)
          c_.error(child(path, "kind"), "unknown fleet fault kind " + in_quotes(*kind_name) +
                                            did_you_mean(*kind_name, fleet_fault_kind_names()) + "; one of: " + kind_list());
        c_.check_object(j, path, kAnyFaultFields);
        continue;
      }
      const std::size_t before = c_.errors().size();
      c_.check_object(j, path, fault_fields(*kind), kAnyFaultFields,
                      "does not apply to " + std::string(to_string(*kind)) + " faults");
      PendingFault f;
      f.kind = *kind;
      f.label = get_string(j, "label").value_or("");
      f.entry = "fleet.faults[" + std::to_string(i) + "]";
      f.source = f.label.empty() ? f.entry : f.label;
      if (!read_times(j, path, f)) continue;
      core::Rng rng(core::Rng::derive(plan_.seed, "fleet/faults/" + std::to_string(i)));
      bool ok = false;
      switch (*kind) {
        case FleetFaultKind::SiteWanOutage:
        case FleetFaultKind::SitePowerLoss: ok = read_targets(j, path, f, false, rng); break;
        case FleetFaultKind::ControllerFailover: ok = read_targets(j, path, f, true, rng); break;
        case FleetFaultKind::HostCrash: ok = read_host(j, path, f); break;
        case FleetFaultKind::RegionalOutage: ok = read_region(j, path, f, rng); break;
      }
      if (ok && c_.errors().size() == before) {
        for (auto s : f.subclouds) mark_busy(s, f.at_s, f.until_s);
        pending_.push_back(std::move(f));
      }
    }
  }

  std::string kind_list() const {
    std::string out;
    for (const auto& k : fleet_fault_kind_names()) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  // Random faults never hit a subcloud that another fault holds at the time, nor while it is still settling
  // after one (its hosts booting, its next audits): their detections and recoveries would mix. A subcloud
  // settles within the longest boot plus two audit intervals and a timeout.
  double settle_s() const {
    const double boot = std::max(boot_s_.max, bmc_ && bmc_->boot ? bmc_->boot->max_s : 0.0);
    return boot + core::to_seconds(2 * plan_.audit_interval + plan_.audit_timeout);
  }
  void mark_busy(std::uint32_t s, double from, std::optional<double> until) {
    busy_[s].emplace_back(from, until ? *until + settle_s() : INFINITY);
  }
  bool is_busy(std::uint32_t s, double from, double until) const {
    auto it = busy_.find(s);
    if (it == busy_.end()) return false;
    const double end = until + settle_s();
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const auto& w) { return from < w.second && w.first < end; });
  }

  void read_random_faults(const json& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = index(at("random_faults"), i);
      const json& j = list[i];
      if (!c_.check_object(j, path, kRandomFields)) continue;
      const auto kind_name = get_string(j, "kind");
      if (!kind_name) continue;
      const auto kind = parse_fleet_fault_kind(*kind_name);
      if (!kind || *kind == FleetFaultKind::RegionalOutage) {
        std::vector<std::string> allowed;
        for (auto k : kFleetFaultKinds)
          if (k != FleetFaultKind::RegionalOutage) allowed.emplace_back(to_string(k));
        std::string list_text;
        for (const auto& a : allowed) list_text += (list_text.empty() ? "" : ", ") + a;
        c_.error(child(path, "kind"), (kind ? "a regional outage cannot be random (schedule it in \"faults\")"
                                            : "unknown fleet fault kind " + in_quotes(*kind_name) +
                                                  did_you_mean(*kind_name, allowed)) +
                                          "; random faults are one of: " + list_text);
        continue;
      }
      const auto rate = number_at_least(j, path, "rate_per_hour", 0, true);
      std::optional<Distribution> duration;
      if (const json* d = get_field(j, "duration_s")) duration = read_distribution(*d, child(path, "duration_s"), 0, true);
      const double end = duration_s_.value_or(0);
      // By default random faults begin once the fleet has settled after its start (every subcloud booted
      // and audited): a host that crashes before its maintenance has enabled it has nothing to detect.
      const double from = number_at_least(j, path, "from_s", 0).value_or(std::min(settle_s(), end));
      const double to = get_number(j, "to_s").value_or(end);
      if (get_number(j, "to_s") && (to <= from || to > end)) {
        c_.error(child(path, "to_s"), "must be after from_s and at most duration_s (got " + literal(j["to_s"]) + ")");
        continue;
      }
      if (from >= end && duration_s_ && get_field(j, "from_s")) {
        c_.error(child(path, "from_s"), "must be before the end of the run (got " + literal(j["from_s"]) + ")");
        continue;
      }
      if (!rate || !duration) continue;
      generate_random(*kind, *rate, *duration, from, to, get_string(j, "label").value_or(""), i);
    }
  }

  static double to_ms_grid(double s) { return std::round(s * 1000.0) / 1000.0; }

  // A Poisson process of `rate_per_hour` arrivals in [from, to); each picks a subcloud free at the time
  // (up to 8 tries) and, for a host crash, one of its hosts; a fault whose subcloud would not settle
  // again before the end of the run (heal, boot, be audited) is left out, so every random fault has a
  // recovery to measure.
  void generate_random(FleetFaultKind kind, double rate_per_hour, const Distribution& duration, double from, double to,
                       const std::string& label, std::size_t i) {
    core::Rng rng(core::Rng::derive(plan_.seed, "fleet/random/" + std::to_string(i)));
    const auto candidates = all_of_type(kind == FleetFaultKind::ControllerFailover);
    if (candidates.empty()) return;
    const double end = duration_s_.value_or(to);
    const double rate_per_s = rate_per_hour / 3600.0;
    double t = from;
    while (true) {
      t += -std::log(1.0 - rng.unit()) / rate_per_s;
      if (t >= to) break;
      const double at_s = to_ms_grid(t);
      const double until_s = to_ms_grid(at_s + std::max(duration.draw(rng), 0.001));
      std::optional<std::uint32_t> pick;
      for (int attempt = 0; attempt < 8 && !pick; ++attempt) {
        const auto s = candidates[rng.below(candidates.size())];
        if (!is_busy(s, at_s, until_s)) pick = s;
      }
      const std::uint64_t host_draw = rng.next();
      if (!pick || until_s + settle_s() > end) continue;
      PendingFault f;
      f.kind = kind;
      f.label = label.empty() ? "random " + std::string(to_string(kind)) : label;
      f.entry = "fleet.random_faults[" + std::to_string(i) + "]";
      f.source = label.empty() ? f.entry : label;
      f.at_s = at_s;
      f.until_s = until_s;
      f.subclouds = {*pick};
      if (kind == FleetFaultKind::HostCrash) {
        const auto hosts = plan_.subclouds[*pick].hosts();
        f.host = hosts[host_draw % hosts.size()];
      }
      mark_busy(*pick, at_s, until_s);
      pending_.push_back(std::move(f));
    }
  }

  // ---- building --------------------------------------------------------------------------------------

  json heartbeat() const {
    if (!heartbeat_.is_null()) return heartbeat_;
    return {{"period_ms", 100}, {"networks", {"mgmt", "cluster-host"}}};
  }

  json host_entry(const std::string& name, std::string_view personality) const {
    json h = {{"hostname", name}, {"personality", personality}, {"administrative", "unlocked"}};
    if (bmc_) {
      // The simulated BMC answers to the node's name (sim/simulated_bmc.h).
      h["bm_type"] = "ipmi";
      h["bm_ip"] = name;
      h["bm_username"] = bmc_->user;
      h["bm_password"] = bmc_->password;
    }
    return h;
  }

  json mtce_config(const Subcloud& s, const std::string& fm_node) const {
    json hosts = json::array();
    hosts.push_back(host_entry(s.controller(0), "controller"));
    if (s.type != SubcloudType::Simplex) hosts.push_back(host_entry(s.controller(1), "controller"));
    for (int w = 0; w < s.workers; ++w) hosts.push_back(host_entry(s.worker(w), "worker"));
    return {{"fm_node", fm_node},
            {"rest_port", 0},
            {"system",
             {{"name", s.name},
              {"system_type", s.type == SubcloudType::Standard ? "Standard" : "All-in-one"},
              {"system_mode", s.type == SubcloudType::Simplex ? "simplex" : "duplex"},
              {"distributed_cloud_role", "subcloud"}}},
            {"hosts", std::move(hosts)},
            {"maintenance", {{"heartbeat", heartbeat()}}}};
  }

  json agent_config(const std::string& self) const {
    json c = {{"fm_node", self}, {"controller_node", self}};
    if (!deploy_.is_null()) c["deploy"] = deploy_;
    for (const auto& [k, v] : agent_extra_.items()) c[k] = v;
    return c;
  }

  static std::int64_t whole_ms(core::Duration d) { return std::max<std::int64_t>(1, d.count() / 1000000); }

  // Management addressing of subcloud i (0-based): 10.A.B.0/24 with A.B = i + 1 in base 256 (A from 1).
  static std::string subnet_base(std::size_t i) {
    const std::size_t k = i + 1;
    return "10." + std::to_string(1 + k / 256) + "." + std::to_string(k % 256) + ".";
  }

  json manager_config() const {
    json subclouds = json::array();
    for (std::size_t i = 0; i < plan_.subclouds.size(); ++i) {
      const Subcloud& s = plan_.subclouds[i];
      const std::string net = subnet_base(i);
      json entry = {{"name", s.name},
                    {"agent", s.agent()},
                    {"region-name", plan_.regions[s.region]},
                    {"description", std::string(to_string(s.type)) + " subcloud"},
                    {"management-state", "managed"},
                    {"management-subnet", net + "0/24"},
                    {"management-gateway-ip", net + "1"},
                    {"management-start-ip", net + "2"},
                    {"management-end-ip", net + "254"},
                    {"systemcontroller-gateway-ip", "192.168.204.101"}};
      if (deploying_.count(static_cast<std::uint32_t>(i))) entry["deploy"] = true;
      subclouds.push_back(std::move(entry));
    }
    json c = {{"fm_node", plan_.manager_node},
              {"rest_port", 0},
              {"audit_interval_ms", whole_ms(plan_.audit_interval)},
              {"audit_timeout_ms", whole_ms(plan_.audit_timeout)},
              {"offline_after", plan_.offline_after},
              {"subclouds", std::move(subclouds)}};
    for (const auto& [k, v] : manager_extra_.items()) c[k] = v;
    return c;
  }

  sim::SimNodeSpec node(const std::string& name, const std::string& site, std::string role, json config,
                        std::vector<core::Network> networks, core::Rng& boot_rng) const {
    sim::SimNodeSpec n;
    n.node.name = name;
    n.node.site = site;
    n.node.role = std::move(role);
    n.node.config = std::move(config);
    n.networks = std::move(networks);
    n.boot_time = core::from_seconds(to_ms_grid(boot_s_.draw(boot_rng)));
    return n;
  }

  void build_sites(sim::SimConfig& config) {
    using core::Network;
    const std::vector<Network> controller_nets{Network::Management, Network::ClusterHost, Network::Oam, Network::Wan};
    const std::vector<Network> worker_nets{Network::Management, Network::ClusterHost};
    core::Rng boot_rng(core::Rng::derive(plan_.seed, "fleet/boot"));
    core::Rng wan_rng(core::Rng::derive(plan_.seed, "fleet/wan"));

    sim::SiteSpec central;
    central.name = plan_.manager_site;
    central.lan = lan_;
    central.wan = uplink_wan_;
    json parts = json::array({json{{"role", "fm"}, {"config", {{"rest_port", 0}}}},
                              json{{"role", "dc-manager"}, {"config", manager_config()}}});
    central.nodes.push_back(node(plan_.manager_node, central.name, "composite", {{"parts", std::move(parts)}},
                                 {Network::Management, Network::Oam, Network::Wan}, boot_rng));
    config.sites.push_back(std::move(central));
    plan_.node_count = 1;

    config.sites.reserve(config.sites.size() + plan_.subclouds.size());
    for (const Subcloud& s : plan_.subclouds) {
      sim::SiteSpec site;
      site.name = s.name;
      site.lan = lan_;
      site.wan.latency = core::from_seconds(wan_latency_ms_.draw(wan_rng) / 1e3);
      site.wan.bandwidth_bps = wan_bandwidth_mbps_.draw(wan_rng) * 1e6;
      site.wan.jitter = wan_jitter_;
      site.wan.loss = wan_loss_;
      if (s.type == SubcloudType::Simplex) {
        const std::string self = s.controller(0);
        json parts = json::array({json{{"role", "fm"}, {"config", {{"rest_port", 0}}}},
                                  json{{"role", "controller"}, {"config", mtce_config(s, self)}},
                                  json{{"role", "host-agent"}, {"config", {{"controllers", {self}}}}},
                                  json{{"role", "dc-agent"}, {"config", agent_config(self)}}});
        site.nodes.push_back(node(self, s.name, "composite", {{"parts", std::move(parts)}}, controller_nets, boot_rng));
      } else {
        const std::string floating = s.floating();
        json witnesses = json::array();
        for (int w = 0; w < s.workers; ++w) witnesses.push_back(s.worker(w));
        for (int c = 0; c < 2; ++c) {
          json sm = {{"peer", s.controller(1 - c)},
                     {"floating", floating},
                     {"rest_port", 0},
                     {"witnesses", witnesses},
                     // Workers have no OAM: ping them on mgmt and cluster-host only.
                     {"witness_networks", {"mgmt", "cluster-host"}},
                     {"services",
                      {{"fm", {{"rest_port", 0}}},
                       {"mtce", mtce_config(s, floating)},
                       {"dc", {{"role", "dc-agent"}, {"config", agent_config(floating)}}}}}};
          json parts = json::array({json{{"role", "sm-controller"}, {"config", std::move(sm)}},
                                    json{{"role", "host-agent"}, {"config", {{"controllers", {floating}}}}}});
          site.nodes.push_back(
              node(s.controller(c), s.name, "composite", {{"parts", std::move(parts)}}, controller_nets, boot_rng));
        }
        for (int w = 0; w < s.workers; ++w)
          site.nodes.push_back(node(s.worker(w), s.name, "host-agent", {{"controllers", {floating}}}, worker_nets, boot_rng));
        site.floating = {floating};
      }
      if (bmc_)
        for (auto& n : site.nodes) n.bmc = bmc_;
      plan_.node_count += site.nodes.size();
      config.sites.push_back(std::move(site));
    }
  }

  void build_faults() {
    for (const PendingFault& p : pending_) {
      const std::string base = p.label.empty() ? std::string(to_string(p.kind)) : p.label;
      for (std::uint32_t s : p.subclouds) {
        const Subcloud& sc = plan_.subclouds[s];
        sim::FaultSpec f;
        f.at = core::at_seconds(p.at_s);
        if (p.until_s) f.until = core::at_seconds(*p.until_s);
        FleetFaultInstance inst;
        inst.kind = p.kind;
        inst.subcloud = s;
        inst.source = p.source;
        inst.entry = p.entry;
        inst.at = f.at;
        inst.until = f.until;
        switch (p.kind) {
          case FleetFaultKind::SiteWanOutage:
          case FleetFaultKind::RegionalOutage:
            f.kind = sim::FaultKind::SiteWanDown;
            f.site = sc.name;
            f.label = base + ": " + sc.name;
            break;
          case FleetFaultKind::SitePowerLoss:
            f.kind = sim::FaultKind::HostCrash;
            f.nodes = sc.hosts();
            f.label = base + ": " + sc.name;
            break;
          case FleetFaultKind::HostCrash:
            f.kind = sim::FaultKind::HostCrash;
            f.nodes = {p.host};
            inst.node = p.host;
            f.label = base + ": " + p.host;
            break;
          case FleetFaultKind::ControllerFailover:
            // controller-0 is the pair's active after a clean start (equal replicas: the lower name).
            f.kind = sim::FaultKind::HostCrash;
            f.nodes = {sc.controller(0)};
            inst.node = sc.controller(0);
            f.label = base + ": " + sc.controller(0);
            break;
        }
        inst.sim_fault = plan_.faults.size();
        plan_.faults.push_back(std::move(f));
        plan_.instances.push_back(std::move(inst));
      }
    }
  }

  static constexpr std::int64_t kMaxSubclouds = 60000;  // the 10.A.B.0/24 management subnets run out after this

  JsonChecker& c_;
  std::string path_;
  std::uint64_t seed_;
  std::optional<double> duration_s_;
  FleetPlan plan_;

  std::size_t subclouds_ = 0;
  std::string prefix_ = "subcloud";
  std::array<double, 3> mix_{1, 0, 0};
  int workers_ = 2;
  sim::LinkSpec lan_{core::microseconds(100), 1e9, 0.0, {}};
  Distribution wan_latency_ms_{10, 10, 10};
  Distribution wan_bandwidth_mbps_{100, 100, 100};
  core::Duration wan_jitter_{};
  double wan_loss_ = 0;
  sim::LinkSpec uplink_wan_{core::milliseconds(1), 10e9, 0.0, {}};
  std::optional<sim::LinkSpec> backbone_;
  json heartbeat_;
  std::optional<core::Duration> timeout_;
  json agent_extra_ = json::object();
  json manager_extra_ = json::object();
  json deploy_;
  Distribution boot_s_{0, 0, 0};
  std::optional<sim::BmcSpec> bmc_;
  std::size_t deploy_count_ = 0;
  std::set<std::uint32_t> deploying_;  // subclouds the manager deploys from scratch at the start
  std::vector<PendingFault> pending_;
  std::unordered_map<std::uint32_t, std::vector<std::pair<double, double>>> busy_;
};

}  // namespace

std::optional<FleetPlan> expand_fleet(const json& j, const std::string& path, JsonChecker& check, std::uint64_t seed,
                                      std::optional<double> duration_s, sim::SimConfig& config) {
  return FleetReader(check, path, seed, duration_s).read(j, config);
}

void place_fleet_faults(FleetPlan& plan, sim::SimConfig& config) {
  plan.first_fault = config.faults.size();
  for (auto& f : plan.faults) config.faults.push_back(std::move(f));
  plan.faults.clear();
  plan.faults.shrink_to_fit();
  for (auto& i : plan.instances) i.sim_fault += plan.first_fault;
}

FleetPlan generate_fleet(const json& fleet, std::uint64_t seed, double duration_s, sim::SimConfig& config) {
  JsonChecker check;
  auto plan = expand_fleet(fleet, "$.fleet", check, seed, duration_s, config);
  if (!check.ok() || !plan) {
    std::string text;
    for (const auto& e : check.errors()) text += (text.empty() ? "" : "\n") + format_error("", e);
    throw std::invalid_argument(text.empty() ? "fleet: cannot expand" : text);
  }
  place_fleet_faults(*plan, config);
  return std::move(*plan);
}

}  // namespace roost::harness
