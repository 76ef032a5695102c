// Property tests: any sequence of set / log / clear / clear-all / suppress / unsuppress leaves the fault
// manager agreeing with a deliberately simple reference model (a map and a list) on the active alarms,
// what is visible (suppression and masking), the summary and the event log; and a manager reloaded from
// the store agrees too. The same properties run on the in-memory store and on SQLite.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <variant>

#include "backends/sqlite/completion_queue.h"
#include "backends/sqlite/sqlite_alarm_store.h"
#include "platform/fm/entity_path.h"
#include "platform/fm/fault_manager.h"
#include "tests/fm/fm_test_support.h"

namespace roost::fm {
namespace {

// ---- operations --------------------------------------------------------------------------------

struct OpSet {
  std::string alarm_id, entity;
  Severity severity;
  bool keep_existing;
};
struct OpLog {
  std::string alarm_id, entity;
};
struct OpClear {
  std::string alarm_id, prefix;
};
struct OpClearAll {
  std::string prefix;
};
struct OpSuppress {
  std::string alarm_id;
  bool suppress;
};
struct Op {
  std::variant<OpSet, OpLog, OpClear, OpClearAll, OpSuppress> v;
};

// rapidcheck prints a failing case's shrunk sequence with these.
std::ostream& operator<<(std::ostream& os, const Op& op) {
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, OpSet>) {
          os << "set(" << o.alarm_id << ", " << o.entity << ", " << to_string(o.severity)
             << (o.keep_existing ? ", keep_existing" : "") << ")";
        } else if constexpr (std::is_same_v<T, OpLog>) {
          os << "log(" << o.alarm_id << ", " << o.entity << ")";
        } else if constexpr (std::is_same_v<T, OpClear>) {
          os << "clear(" << o.alarm_id << ", " << o.prefix << ")";
        } else if constexpr (std::is_same_v<T, OpClearAll>) {
          os << "clear_all(" << o.prefix << ")";
        } else {
          os << (o.suppress ? "suppress(" : "unsuppress(") << o.alarm_id << ")";
        }
      },
      op.v);
  return os;
}

// A small world so that sequences collide: an inhibitor (200.001), suppressible alarms (200.004/5/6),
// non-suppressible ones (100.114, 200.010), and entities where controller-1 and controller-10 share a
// string prefix but not a path.
const std::vector<std::string> kAlarmIds{"200.001", "200.004", "200.005", "200.006", "100.114", "200.010"};
const std::vector<std::string> kLogIds{"401.001", "401.007"};
const std::vector<std::string> kEntities{"host=controller-0", "host=controller-0.process=sshd", "host=controller-1",
                                         "host=controller-1.process=sshd", "host=controller-10",
                                         "host=controller-10.ntp"};

rc::Gen<Op> gen_op() {
  const auto set = rc::gen::map(
      rc::gen::tuple(rc::gen::elementOf(kAlarmIds), rc::gen::elementOf(kEntities), rc::gen::inRange(0, 3),
                     rc::gen::arbitrary<bool>()),
      [](const std::tuple<std::string, std::string, int, bool>& t) {
        const CatalogueEntry& e = *builtin_catalogue().find(std::get<0>(t));
        const Severity sev = e.severities[static_cast<std::size_t>(std::get<2>(t)) % e.severities.size()];
        return Op{OpSet{std::get<0>(t), std::get<1>(t), sev, std::get<3>(t)}};
      });
  const auto log = rc::gen::map(rc::gen::tuple(rc::gen::elementOf(kLogIds), rc::gen::elementOf(kEntities)),
                                [](const std::tuple<std::string, std::string>& t) {
                                  return Op{OpLog{std::get<0>(t), std::get<1>(t)}};
                                });
  const auto clear = rc::gen::map(rc::gen::tuple(rc::gen::elementOf(kAlarmIds), rc::gen::elementOf(kEntities)),
                                  [](const std::tuple<std::string, std::string>& t) {
                                    return Op{OpClear{std::get<0>(t), std::get<1>(t)}};
                                  });
  const auto clear_all = rc::gen::map(rc::gen::elementOf(kEntities), [](const std::string& p) { return Op{OpClearAll{p}}; });
  const auto suppress = rc::gen::map(rc::gen::tuple(rc::gen::elementOf(kAlarmIds), rc::gen::arbitrary<bool>()),
                                     [](const std::tuple<std::string, bool>& t) {
                                       return Op{OpSuppress{std::get<0>(t), std::get<1>(t)}};
                                     });
  return rc::gen::weightedOneOf<Op>({{6, set}, {1, log}, {2, clear}, {1, clear_all}, {2, suppress}});
}

// ---- the reference model -------------------------------------------------------------------------

struct Row {
  std::string alarm_id, entity;
  Severity severity;
  bool operator==(const Row&) const = default;
  bool operator<(const Row& o) const { return std::tie(entity, alarm_id) < std::tie(o.entity, o.alarm_id); }
};
struct HistoryRow {
  AlarmState state;
  std::string alarm_id, entity;
  Severity severity;
  bool operator==(const HistoryRow&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << r.alarm_id << "@" << r.entity << ":" << to_string(r.severity);
}
std::ostream& operator<<(std::ostream& os, const HistoryRow& r) {
  return os << to_string(r.state) << " " << r.alarm_id << "@" << r.entity << ":" << to_string(r.severity);
}

struct Model {
  std::map<std::pair<std::string, std::string>, Severity> active;  // (entity, alarm id)
  std::set<std::string> suppressed;
  std::vector<HistoryRow> history;

  static const CatalogueEntry& entry(const std::string& id) { return *builtin_catalogue().find(id); }

  // Returns whether the manager must accept the operation.
  bool apply(const Op& op) {
    if (const auto* s = std::get_if<OpSet>(&op.v)) {
      const auto key = std::make_pair(s->entity, s->alarm_id);
      if (active.count(key) && s->keep_existing) return true;
      active[key] = s->severity;
      history.push_back({AlarmState::Set, s->alarm_id, s->entity, s->severity});
    } else if (const auto* l = std::get_if<OpLog>(&op.v)) {
      history.push_back({AlarmState::Log, l->alarm_id, l->entity, Severity::Critical});
    } else if (const auto* c = std::get_if<OpClear>(&op.v)) {
      clear(c->prefix, c->alarm_id);
    } else if (const auto* a = std::get_if<OpClearAll>(&op.v)) {
      clear(a->prefix, "");
    } else if (const auto* p = std::get_if<OpSuppress>(&op.v)) {
      if (p->suppress && !entry(p->alarm_id).suppressible) return false;
      if (p->suppress) {
        suppressed.insert(p->alarm_id);
      } else {
        suppressed.erase(p->alarm_id);
      }
    }
    return true;
  }

  void clear(const std::string& prefix, const std::string& id) {
    for (auto it = active.begin(); it != active.end();) {
      const bool hit = entity_covers(prefix, it->first.first) && (id.empty() || it->first.second == id);
      if (hit) {
        history.push_back({AlarmState::Clear, it->first.second, it->first.first, it->second});
        it = active.erase(it);
      } else {
        ++it;
      }
    }
  }

  bool masked(const std::pair<std::string, std::string>& key) const {
    if (!entry(key.second).suppressible) return false;
    for (const auto& [other, _] : active)
      if (other != key && entry(other.second).inhibit_alarms && entity_covers(other.first, key.first)) return true;
    return false;
  }

  std::vector<Row> rows(bool only_visible) const {
    std::vector<Row> out;
    for (const auto& [key, sev] : active)
      if (!only_visible || (!suppressed.count(key.second) && !masked(key))) out.push_back({key.second, key.first, sev});
    return out;
  }

  AlarmSummary summary(bool include_suppress) const {
    AlarmSummary s;
    for (const auto& [key, sev] : active) {
      if (masked(key) || (!include_suppress && suppressed.count(key.second))) continue;
      if (sev == Severity::Critical) ++s.critical;
      if (sev == Severity::Major) ++s.major;
      if (sev == Severity::Minor) ++s.minor;
      if (sev == Severity::Warning) ++s.warnings;
    }
    s.status = s.critical ? "critical" : (s.major || s.minor ? "degraded" : "OK");
    return s;
  }
};

// ---- checking the manager against the model ---------------------------------------------------

std::vector<Row> rows_of(const FaultManager& fm, bool only_visible) {
  AlarmQuery q;
  q.include_suppress = q.include_masked = !only_visible;
  q.sort_keys = {"entity_instance_id", "alarm_id"};
  std::vector<Row> out;
  const auto page = fm.list(q);
  for (const auto& v : page->alarms) out.push_back({v.alarm.alarm_id, v.alarm.entity_instance_id, v.alarm.severity});
  return out;
}

std::vector<HistoryRow> history_of(const FaultManager& fm) {
  EventQuery q;
  q.include_suppress = true;
  q.sort_keys = {"id"};
  q.sort_dir = SortDir::Asc;
  std::vector<HistoryRow> out;
  const auto page = fm.events(q);
  for (const auto& e : page->events)
    out.push_back({e.event.state, e.event.event_log_id, e.event.entity_instance_id, e.event.severity});
  return out;
}

void check_against_model(const FaultManager& fm, const Model& m, std::size_t ring) {
  RC_ASSERT(rows_of(fm, false) == m.rows(false));
  RC_ASSERT(rows_of(fm, true) == m.rows(true));
  RC_ASSERT(fm.summary(false) == m.summary(false));
  RC_ASSERT(fm.summary(true) == m.summary(true));
  for (const auto& [key, _] : m.active) RC_ASSERT(fm.find(key.second, key.first)->masked == m.masked(key));
  // The event log is exactly the newest `ring` rows of the history.
  const std::size_t keep = std::min(ring, m.history.size());
  const std::vector<HistoryRow> expected(m.history.end() - static_cast<std::ptrdiff_t>(keep), m.history.end());
  RC_ASSERT(history_of(fm) == expected);
  // Without include_suppress, set/clear rows of suppressed ids are hidden; logs always show.
  const auto shown = static_cast<std::size_t>(std::count_if(expected.begin(), expected.end(), [&](const HistoryRow& h) {
    return h.state == AlarmState::Log || !m.suppressed.count(h.alarm_id);
  }));
  RC_ASSERT(fm.events(EventQuery{})->events.size() == shown);
  for (const auto& s : fm.suppressions())
    RC_ASSERT(s.suppressed == (m.suppressed.count(s.alarm_id) == 1));
}

// Everything a reader can see, to compare a reloaded manager with the one that wrote the store.
struct Snapshot {
  std::vector<AlarmView> alarms;
  std::vector<EventView> events;
  std::vector<SuppressionView> suppressions;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(const FaultManager& fm) {
  AlarmQuery q;
  q.include_suppress = q.include_masked = true;
  EventQuery e;
  e.include_suppress = true;
  return Snapshot{fm.list(q)->alarms, fm.events(e)->events, fm.suppressions()};
}

// ---- the stores ---------------------------------------------------------------------------------

struct MemoryHarness {
  MemoryAlarmStore store;
  AlarmStore& reopen() { return store; }  // the object is the "disk"
  template <class Pred>
  bool wait(Pred done) { return done(); }
};

struct SqliteHarness {
  testing::TempDir dir;
  sqlite::CompletionQueue completions;
  std::unique_ptr<sqlite::SqliteAlarmStore> store;
  AlarmStore& reopen() {
    store.reset();  // commits what is queued, like a clean shutdown
    store = std::make_unique<sqlite::SqliteAlarmStore>(dir.file("fm.db"), sqlite::SqliteOptions{}, completions.executor());
    return *store;
  }
  template <class Pred>
  bool wait(Pred done) { return completions.run_until(done, std::chrono::seconds(30)); }
};

template <class Harness>
void manager_agrees_with_model() {
  const auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
  const auto ring = *rc::gen::inRange<std::size_t>(1, 40);
  Harness h;
  core::Rng rng(5);
  Model model;
  Snapshot before;
  {
    auto fm = std::make_unique<FaultManager>(builtin_catalogue(), h.reopen(), rng, FmConfig{ring});
    fm->load();
    std::size_t acks = 0, expected_acks = 0, failed_acks = 0;
    const auto count = [&](bool ok) {
      ++acks;
      failed_acks += ok ? 0 : 1;
    };
    Stamp at = testing::at_second(0);
    for (const Op& op : ops) {
      at = testing::at_second(static_cast<int>(expected_acks) + 1);
      const bool accept = model.apply(op);
      bool accepted = false;
      ++expected_acks;
      if (const auto* s = std::get_if<OpSet>(&op.v)) {
        accepted = fm->set(testing::make_alarm(s->alarm_id, s->entity, s->severity), at, {s->keep_existing},
                           [&](const auto& o) { count(o.ok()); })
                       .ok();
      } else if (const auto* l = std::get_if<OpLog>(&op.v)) {
        accepted = fm->set(testing::make_log(l->alarm_id, l->entity), at, {}, [&](const auto& o) { count(o.ok()); }).ok();
      } else if (const auto* c = std::get_if<OpClear>(&op.v)) {
        accepted = fm->clear(c->alarm_id, c->prefix, at, [&](const auto& o) { count(o.ok()); }).ok();
      } else if (const auto* a = std::get_if<OpClearAll>(&op.v)) {
        accepted = fm->clear_all(a->prefix, at, [&](const auto& o) { count(o.ok()); }).ok();
      } else if (const auto* p = std::get_if<OpSuppress>(&op.v)) {
        accepted = fm->set_suppression(p->alarm_id, p->suppress, [&](const auto& o) { count(o.ok()); }).ok();
        if (!accept) --failed_acks;  // a refusal is acknowledged with its error
      }
      RC_ASSERT(accepted == accept);
    }
    RC_ASSERT(h.wait([&] { return acks == expected_acks; }));
    RC_ASSERT(failed_acks == 0u);
    check_against_model(*fm, model, ring);
    before = snapshot(*fm);
  }
  // A new manager on the same store sees exactly the same state.
  core::Rng other(6);
  FaultManager reloaded(builtin_catalogue(), h.reopen(), other, FmConfig{ring});
  reloaded.load();
  check_against_model(reloaded, model, ring);
  RC_ASSERT(snapshot(reloaded) == before);
}

RC_GTEST_PROP(FmModel, InMemoryStoreAgreesWithTheModel, ()) { manager_agrees_with_model<MemoryHarness>(); }

RC_GTEST_PROP(FmModel, SqliteStoreAgreesWithTheModel, ()) { manager_agrees_with_model<SqliteHarness>(); }

}  // namespace
}  // namespace roost::fm
