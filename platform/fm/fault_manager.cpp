#include "platform/fm/fault_manager.h"

#include <algorithm>
#include <stdexcept>

#include "platform/fm/entity_path.h"
#include "platform/fm/uuid.h"

namespace roost::fm {

namespace {
constexpr std::size_t kMaxTextLength = 2048;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }
std::string threshold_name(const std::optional<Severity>& s) { return s ? std::string(to_string(*s)) : "none"; }
}  // namespace

FmConfig FmConfig::from_json(const nlohmann::json& j) {
  FmConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw std::invalid_argument("fm config must be an object");
  for (const auto& [k, v] : j.items()) {
    if (k == "event_log_max_size") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1)
        throw std::invalid_argument("fm config: 'event_log_max_size' must be an integer >= 1");
      c.event_log_max_size = v.get<std::size_t>();
    } else {
      throw std::invalid_argument("fm config: unknown key '" + k + "' (known: event_log_max_size)");
    }
  }
  return c;
}

std::string_view to_string(SetResult::Action a) {
  switch (a) {
    case SetResult::Action::Created: return "created";
    case SetResult::Action::Updated: return "updated";
    case SetResult::Action::KeptExisting: return "kept-existing";
    case SetResult::Action::Logged: return "logged";
  }
  return "?";
}

FaultManager::FaultManager(const Catalogue& catalogue, AlarmStore& store, core::Rng& rng, FmConfig config)
    : catalogue_(catalogue), store_(store), rng_(rng), config_(config),
      alive_(std::make_shared<FaultManager*>(this)) {
  if (config_.event_log_max_size == 0) throw std::invalid_argument("fm config: event_log_max_size must be >= 1");
}

FaultManager::~FaultManager() = default;

// ---------------------------------------------------------------------------------------------
// Loading and resynchronising

void FaultManager::load() {
  install(store_.load());
  WriteBatch batch;
  for (const CatalogueEntry& e : catalogue_.entries()) {
    if (e.kind != EntryKind::Alarm || suppressions_.count(e.alarm_id)) continue;
    SuppressionRow row{e.alarm_id, make_uuid(rng_), false};
    suppressions_.emplace(row.alarm_id, row);
    batch.writes.push_back(PutSuppression{std::move(row)});
  }
  // Also when only the event log must shrink (a smaller event_log_max_size than last run).
  commit<bool>(std::move(batch), true, {});
}

void FaultManager::install(StoredState s) {
  alarms_.clear();
  by_id_.clear();
  by_entity_.clear();
  inhibitors_.clear();
  events_.clear();
  suppressions_.clear();
  suppressed_ids_.clear();
  next_alarm_id_ = 1;
  next_event_id_ = 1;
  for (Alarm& a : s.alarms) {
    next_alarm_id_ = std::max(next_alarm_id_, a.id + 1);
    by_entity_[EntityKey{a.entity_instance_id, a.alarm_id}] = a.uuid;
    index_inhibitor(a, +1);
    std::string uuid = a.uuid;
    const auto [it, _] = alarms_.emplace(std::move(uuid), std::move(a));
    by_id_.emplace(it->second.id, &it->second);
  }
  for (EventRecord& e : s.events) {
    next_event_id_ = std::max(next_event_id_, e.id + 1);
    events_.push_back(std::move(e));
  }
  while (events_.size() > config_.event_log_max_size) events_.pop_front();
  for (SuppressionRow& r : s.suppressions) {
    if (r.suppressed) suppressed_ids_.insert(r.alarm_id);
    std::string id = r.alarm_id;
    suppressions_.emplace(std::move(id), std::move(r));
  }
}

void FaultManager::resync() {
  // The reload flushes the store first, so it reflects every batch submitted until now.
  resynced_through_ = submitted_batches_;
  try {
    install(store_.load());
    ++stats_.resyncs;
  } catch (const StoreError&) {
    // The store cannot even be read: keep serving memory; the next failure retries the reload.
  }
}

template <class T>
void FaultManager::commit(WriteBatch batch, const T& result, Ack<T> ack) {
  batch.event_log_capacity = config_.event_log_max_size;
  ++stats_.batches;
  const std::uint64_t seq = ++submitted_batches_;
  std::weak_ptr<FaultManager*> alive = alive_;
  store_.submit(std::move(batch), [alive, seq, result, ack = std::move(ack)](const StoreStatus& status) {
    const auto self = alive.lock();
    if (!self) return;  // the manager is gone; its node no longer exists
    FaultManager& fm = **self;
    if (!status.ok) {
      ++fm.stats_.store_failures;
      if (seq > fm.resynced_through_) fm.resync();
    }
    if (ack) ack(status.ok ? Outcome<T>(result) : Outcome<T>(store_failed(status.error)));
  });
}

// ---------------------------------------------------------------------------------------------
// Raising

Outcome<Alarm> FaultManager::prepare(Alarm a, const Stamp& at) const {
  if (auto err = check_alarm_id(a.alarm_id)) return invalid_argument(*err);
  const CatalogueEntry* e = catalogue_.find(a.alarm_id);
  if (!e) return invalid_argument("alarm id " + a.alarm_id + " is not in the alarm catalogue");
  const std::string what = e->alarm_id + " on " + in_quotes(a.entity_instance_id);
  if (auto err = check_entity_instance_id(a.entity_instance_id)) return invalid_argument(a.alarm_id + ": " + *err);
  if (auto err = check_entity_type_id(a.entity_type_id)) return invalid_argument(what + ": " + *err);
  if (e->kind == EntryKind::Alarm && a.state != AlarmState::Set)
    return invalid_argument(what + ": " + a.alarm_id + " is an alarm; raise it with state 'set' (got '" +
                            std::string(to_string(a.state)) + "'; to clear it, call clear)");
  if (e->kind == EntryKind::Log && a.state != AlarmState::Msg && a.state != AlarmState::Log)
    return invalid_argument(what + ": " + a.alarm_id + " is a log; raise it with state 'msg' or 'log' (got '" +
                            std::string(to_string(a.state)) + "')");
  if (!e->allows(a.severity))
    return invalid_argument(what + ": severity '" + std::string(to_string(a.severity)) + "' is not allowed for " +
                            a.alarm_id + " (allowed: " + e->severity_names() + ")");
  if (a.alarm_type == AlarmType::Unset) {
    a.alarm_type = e->alarm_type;
  } else if (a.alarm_type != e->alarm_type) {
    return invalid_argument(what + ": alarm type '" + std::string(to_string(a.alarm_type)) +
                            "' contradicts the catalogue's '" + std::string(to_string(e->alarm_type)) + "'");
  }
  if (a.probable_cause.empty()) {
    a.probable_cause = e->probable_causes.front();
  } else if (!e->allows_cause(a.probable_cause)) {
    return invalid_argument(what + ": probable cause '" + a.probable_cause + "' is not one the catalogue lists for " +
                            a.alarm_id);
  }
  if (a.reason_text.size() > kMaxTextLength || a.proposed_repair_action.size() > kMaxTextLength)
    return invalid_argument(what + ": reason_text and proposed_repair_action are limited to " +
                            std::to_string(kMaxTextLength) + " characters");
  if (a.reason_text.empty()) a.reason_text = e->description_for(a.severity);
  if (a.proposed_repair_action.empty()) a.proposed_repair_action = e->proposed_repair_action;
  // The catalogue decides these, whatever the raiser sent: they drive masking and summaries.
  a.service_affecting = e->service_affecting_at(a.severity);
  a.suppression = e->kind == EntryKind::Alarm && e->suppressible;
  a.inhibit_alarms = e->kind == EntryKind::Alarm && e->inhibit_alarms;
  if (a.timestamp_us == 0) a.timestamp_us = at.wall_us;
  a.time = at.time;
  a.uuid.clear();
  a.id = 0;
  return a;
}

SetResult FaultManager::apply_set(Alarm a, const Stamp& at, const SetOptions& options, WriteBatch& batch) {
  (void)at;
  if (a.state == AlarmState::Msg || a.state == AlarmState::Log) {
    EventRecord e = event_for(a, AlarmState::Log, a.timestamp_us, a.time);
    std::string uuid = e.uuid;
    append_event(std::move(e), batch);
    return SetResult{std::move(uuid), SetResult::Action::Logged};
  }
  const EntityKey key{a.entity_instance_id, a.alarm_id};
  SetResult result;
  if (const auto it = by_entity_.find(key); it != by_entity_.end()) {
    Alarm& existing = alarms_.at(it->second);
    if (options.keep_existing) return SetResult{existing.uuid, SetResult::Action::KeptExisting};
    a.uuid = existing.uuid;
    a.id = existing.id;
    index_inhibitor(existing, -1);
    existing = std::move(a);
    index_inhibitor(existing, +1);
    result = SetResult{existing.uuid, SetResult::Action::Updated};
  } else {
    a.id = next_alarm_id_++;
    a.uuid = make_uuid(rng_);
    by_entity_.emplace(key, a.uuid);
    index_inhibitor(a, +1);
    std::string uuid = a.uuid;
    const auto [slot, _] = alarms_.emplace(uuid, std::move(a));
    by_id_.emplace(slot->second.id, &slot->second);
    result = SetResult{std::move(uuid), SetResult::Action::Created};
  }
  const Alarm& stored = alarms_.at(result.uuid);
  batch.writes.push_back(PutAlarm{stored});
  append_event(event_for(stored, AlarmState::Set, stored.timestamp_us, stored.time), batch);
  return result;
}

Outcome<SetResult> FaultManager::set(Alarm alarm, const Stamp& at, SetOptions options, Ack<SetResult> ack) {
  auto prepared = prepare(std::move(alarm), at);
  if (!prepared) {
    if (ack) ack(prepared.error());
    return prepared.error();
  }
  WriteBatch batch;
  SetResult r = apply_set(std::move(prepared.value()), at, options, batch);
  commit(std::move(batch), r, std::move(ack));
  return r;
}

Outcome<std::vector<SetResult>> FaultManager::set_list(std::vector<Alarm> alarms, const Stamp& at,
                                                       SetOptions options, Ack<std::vector<SetResult>> ack) {
  std::vector<Alarm> ready;
  ready.reserve(alarms.size());
  for (std::size_t i = 0; i < alarms.size(); ++i) {
    auto p = prepare(std::move(alarms[i]), at);
    if (!p) {
      Error err{p.error().code, "alarm " + std::to_string(i + 1) + " of " + std::to_string(alarms.size()) + ": " +
                                    p.error().message};
      if (ack) ack(err);
      return err;
    }
    ready.push_back(std::move(p.value()));
  }
  WriteBatch batch;
  std::vector<SetResult> results;
  for (Alarm& a : ready) results.push_back(apply_set(std::move(a), at, options, batch));
  commit(std::move(batch), results, std::move(ack));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Clearing

ClearResult FaultManager::clear_matching(std::string_view entity_prefix, std::string_view alarm_id, const Stamp& at,
                                         WriteBatch& batch) {
  // Entities at or below the prefix sort together, starting at the prefix itself.
  std::vector<std::string> uuids;
  for (auto it = by_entity_.lower_bound(EntityKey{std::string(entity_prefix), std::string()});
       it != by_entity_.end() && it->first.first.compare(0, entity_prefix.size(), entity_prefix) == 0; ++it) {
    if (!entity_covers(entity_prefix, it->first.first)) continue;
    if (!alarm_id.empty() && it->first.second != alarm_id) continue;
    uuids.push_back(it->second);
  }
  for (const std::string& u : uuids) remove_alarm(u, at, batch);
  return ClearResult{std::move(uuids)};
}

void FaultManager::remove_alarm(const std::string& uuid, const Stamp& at, WriteBatch& batch) {
  auto node = alarms_.extract(uuid);
  Alarm& a = node.mapped();
  by_id_.erase(a.id);
  by_entity_.erase(EntityKey{a.entity_instance_id, a.alarm_id});
  index_inhibitor(a, -1);
  batch.writes.push_back(RemoveAlarm{a.uuid, a.id});
  append_event(event_for(a, AlarmState::Clear, at.wall_us, at.time), batch);
}

Outcome<ClearResult> FaultManager::clear(std::string_view alarm_id, std::string_view entity_prefix, const Stamp& at,
                                         Ack<ClearResult> ack) {
  std::optional<std::string> err = check_alarm_id(alarm_id);
  if (!err) err = check_entity_instance_id(entity_prefix);
  if (err) {
    if (ack) ack(invalid_argument("clear: " + *err));
    return invalid_argument("clear: " + *err);
  }
  WriteBatch batch;
  ClearResult r = clear_matching(entity_prefix, alarm_id, at, batch);
  commit(std::move(batch), r, std::move(ack));
  return r;
}

Outcome<ClearResult> FaultManager::clear_all(std::string_view entity_prefix, const Stamp& at, Ack<ClearResult> ack) {
  if (auto err = check_entity_instance_id(entity_prefix)) {
    if (ack) ack(invalid_argument("clear_all: " + *err));
    return invalid_argument("clear_all: " + *err);
  }
  WriteBatch batch;
  ClearResult r = clear_matching(entity_prefix, {}, at, batch);
  commit(std::move(batch), r, std::move(ack));
  return r;
}

Outcome<ClearResult> FaultManager::clear_uuid(std::string_view uuid, const Stamp& at, Ack<ClearResult> ack) {
  const auto it = alarms_.find(std::string(uuid));
  if (it == alarms_.end()) {
    Error err = not_found("no active alarm has uuid " + in_quotes(uuid));
    if (ack) ack(err);
    return err;
  }
  WriteBatch batch;
  std::string u = it->first;
  remove_alarm(u, at, batch);
  ClearResult r{{std::move(u)}};
  commit(std::move(batch), r, std::move(ack));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Suppression

const SuppressionRow* FaultManager::find_row(std::string_view id) const {
  if (const auto it = suppressions_.find(id); it != suppressions_.end()) return &it->second;
  for (const auto& [_, r] : suppressions_)
    if (r.uuid == id) return &r;
  return nullptr;
}

Outcome<SuppressionView> FaultManager::set_suppression(std::string_view id, bool suppressed,
                                                       Ack<SuppressionView> ack) {
  const auto fail = [&](Error e) -> Outcome<SuppressionView> {
    if (ack) ack(e);
    return e;
  };
  const SuppressionRow* found = find_row(id);
  if (!found) return fail(not_found("no event suppression row for " + in_quotes(id) + " (an alarm id or row uuid)"));
  const CatalogueEntry* e = catalogue_.find(found->alarm_id);
  if (suppressed && (!e || !e->suppressible))
    return fail(invalid_argument("alarm id " + found->alarm_id + " may not be suppressed (the catalogue marks it not suppressible)"));
  SuppressionRow& row = suppressions_.at(found->alarm_id);
  row.suppressed = suppressed;
  if (suppressed) {
    suppressed_ids_.insert(row.alarm_id);
  } else {
    suppressed_ids_.erase(row.alarm_id);
  }
  WriteBatch batch;
  batch.writes.push_back(PutSuppression{row});
  SuppressionView v = view(row);
  commit(std::move(batch), v, std::move(ack));
  return v;
}

bool FaultManager::is_suppressed(std::string_view alarm_id) const {
  return !suppressed_ids_.empty() && suppressed_ids_.find(alarm_id) != suppressed_ids_.end();
}

SuppressionView FaultManager::view(const SuppressionRow& r) const {
  SuppressionView v{r.uuid, r.alarm_id, "", r.suppressed, false, "none", "none"};
  if (const CatalogueEntry* e = catalogue_.find(r.alarm_id)) {
    v.description = e->description;
    v.suppressible = e->suppressible;
    v.mgmt_affecting = threshold_name(e->mgmt_affecting_severity);
    v.degrade_affecting = threshold_name(e->degrade_affecting_severity);
  }
  return v;
}

std::vector<SuppressionView> FaultManager::suppressions() const {
  std::vector<SuppressionView> out;
  out.reserve(suppressions_.size());
  for (const auto& [_, r] : suppressions_) out.push_back(view(r));
  return out;
}

std::optional<SuppressionView> FaultManager::find_suppression(std::string_view id) const {
  const SuppressionRow* r = find_row(id);
  if (!r) return std::nullopt;
  return view(*r);
}

// ---------------------------------------------------------------------------------------------
// Masking

void FaultManager::index_inhibitor(const Alarm& a, int delta) {
  if (!a.inhibit_alarms) return;
  auto it = inhibitors_.try_emplace(a.entity_instance_id, 0).first;
  it->second += delta;
  if (it->second <= 0) inhibitors_.erase(it);
}

bool FaultManager::is_masked(const Alarm& a) const {
  if (!a.suppression || inhibitors_.empty()) return false;
  bool masked = false;
  for_each_entity_ancestor(a.entity_instance_id, [&](std::string_view path) {
    const auto it = inhibitors_.find(path);
    if (it == inhibitors_.end()) return;
    // An inhibiting alarm does not mask itself, only the other alarms at or below its entity.
    const int self = a.inhibit_alarms && path.size() == a.entity_instance_id.size() ? 1 : 0;
    if (it->second - self > 0) masked = true;
  });
  return masked;
}

// ---------------------------------------------------------------------------------------------
// Event log

EventRecord FaultManager::event_for(const Alarm& a, AlarmState state, std::int64_t wall_us, core::TimePoint time) {
  EventRecord e;
  e.id = next_event_id_++;
  e.uuid = make_uuid(rng_);
  e.event_log_id = a.alarm_id;
  e.state = state;
  e.entity_type_id = a.entity_type_id;
  e.entity_instance_id = a.entity_instance_id;
  e.severity = a.severity;
  e.reason_text = a.reason_text;
  e.proposed_repair_action = a.proposed_repair_action;
  e.event_log_type = a.alarm_type;
  e.probable_cause = a.probable_cause;
  e.service_affecting = a.service_affecting;
  e.suppression = a.suppression;
  e.alarm_uuid = state == AlarmState::Log ? "" : a.uuid;
  e.timestamp_us = wall_us;
  e.time = time;
  return e;
}

void FaultManager::append_event(EventRecord e, WriteBatch& batch) {
  batch.writes.push_back(AppendEvent{e});
  events_.push_back(std::move(e));
  while (events_.size() > config_.event_log_max_size) events_.pop_front();
}

// ---------------------------------------------------------------------------------------------
// Reads

AlarmView FaultManager::view(const Alarm& a) const {
  AlarmView v{a, is_suppressed(a.alarm_id), is_masked(a), false, false};
  if (const CatalogueEntry* e = catalogue_.find(a.alarm_id)) {
    v.mgmt_affecting = e->mgmt_affecting_at(a.severity);
    v.degrade_affecting = e->degrade_affecting_at(a.severity);
  }
  return v;
}

std::optional<AlarmView> FaultManager::find(std::string_view uuid) const {
  const auto it = alarms_.find(std::string(uuid));
  if (it == alarms_.end()) return std::nullopt;
  return view(it->second);
}

std::optional<AlarmView> FaultManager::find(std::string_view alarm_id, std::string_view entity_instance_id) const {
  const auto it = by_entity_.find(EntityKey{std::string(entity_instance_id), std::string(alarm_id)});
  if (it == by_entity_.end()) return std::nullopt;
  return view(alarms_.at(it->second));
}

std::vector<AlarmView> FaultManager::find_by_entity(std::string_view entity_prefix) const {
  std::vector<AlarmView> out;
  for (auto it = by_entity_.lower_bound(EntityKey{std::string(entity_prefix), std::string()});
       it != by_entity_.end() && it->first.first.compare(0, entity_prefix.size(), entity_prefix) == 0; ++it)
    if (entity_covers(entity_prefix, it->first.first)) out.push_back(view(alarms_.at(it->second)));
  return out;
}

std::vector<AlarmView> FaultManager::find_by_id(std::string_view alarm_id) const {
  std::vector<AlarmView> out;
  for (const auto& [key, uuid] : by_entity_)
    if (key.second == alarm_id) out.push_back(view(alarms_.at(uuid)));
  return out;
}

namespace {
// Filters, orders from after the marker, and cuts one page: the part alarm and event listing share.
template <class R, class Visible>
Outcome<std::vector<const R*>> page_of(const std::vector<const R*>& all, const Filter<R>& filter, const Order<R>& order,
                                      const R* marker, std::optional<std::size_t> limit, Visible visible,
                                      std::string& next_marker) {
  std::vector<const R*> hits;
  for (const R* r : all)
    if (visible(*r) && filter(*r) && (!marker || order(*marker, *r))) hits.push_back(r);
  const auto by = [&](const R* a, const R* b) { return order(*a, *b); };
  const std::size_t n = limit ? std::min(*limit, hits.size()) : hits.size();
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(), by);
  if (n < hits.size()) next_marker = hits[n - 1]->uuid;
  hits.resize(n);
  return hits;
}
}  // namespace

Outcome<AlarmPage> FaultManager::list(const AlarmQuery& q) const {
  auto filter = compile_filter<Alarm>(q.where);
  if (!filter) return filter.error();
  auto order = compile_order<Alarm>(q.sort_keys, q.sort_dir);
  if (!order) return order.error();
  if (q.limit && *q.limit == 0) return invalid_argument("limit must be >= 1");
  const Alarm* marker = nullptr;
  if (!q.marker.empty()) {
    const auto it = alarms_.find(q.marker);
    if (it == alarms_.end()) return invalid_argument("marker " + in_quotes(q.marker) + " is not an active alarm's uuid");
    marker = &it->second;
  }
  AlarmPage page;
  const auto visible = [&](const Alarm& a) {
    return (q.include_suppress || !is_suppressed(a.alarm_id)) && (q.include_masked || !is_masked(a));
  };
  if (q.sort_keys.empty()) {
    // The default order (id: the order alarms were raised) walks the id index from the marker and stops
    // one hit past the page: the same page as page_of() with compile_order's id order, touching only
    // the alarms it returns (GET /v1/alarms?limit=1000 over 10,000 alarms: ~10x faster).
    const std::size_t n = q.limit ? *q.limit : alarms_.size();
    auto take = [&](auto first, auto last) {
      for (auto it = first; it != last; ++it) {
        const Alarm& a = *it->second;
        if (!visible(a) || !filter.value()(a)) continue;
        if (page.alarms.size() == n) {  // one more exists: this page is not the last
          page.next_marker = page.alarms.back().alarm.uuid;
          return;
        }
        page.alarms.push_back(view(a));
      }
    };
    page.alarms.reserve(std::min(n, alarms_.size()));
    if (q.sort_dir == SortDir::Desc)
      take(std::make_reverse_iterator(marker ? by_id_.lower_bound(marker->id) : by_id_.end()), by_id_.rend());
    else
      take(marker ? by_id_.upper_bound(marker->id) : by_id_.begin(), by_id_.end());
    return page;
  }
  std::vector<const Alarm*> all;
  all.reserve(alarms_.size());
  for (const auto& [_, a] : alarms_) all.push_back(&a);
  auto hits = page_of(all, filter.value(), order.value(), marker, q.limit, visible, page.next_marker);
  page.alarms.reserve(hits->size());
  for (const Alarm* a : hits.value()) page.alarms.push_back(view(*a));
  return page;
}

AlarmSummary FaultManager::summary(bool include_suppress) const {
  AlarmSummary s;
  for (const auto& [_, a] : alarms_) {
    if (is_masked(a) || (!include_suppress && is_suppressed(a.alarm_id))) continue;
    switch (a.severity) {
      case Severity::Critical: ++s.critical; break;
      case Severity::Major: ++s.major; break;
      case Severity::Minor: ++s.minor; break;
      case Severity::Warning: ++s.warnings; break;
      case Severity::Clear: break;
    }
  }
  s.status = s.critical > 0 ? "critical" : (s.major > 0 || s.minor > 0 ? "degraded" : "OK");
  return s;
}

Outcome<EventPage> FaultManager::events(const EventQuery& q) const {
  auto filter = compile_filter<EventRecord>(q.where);
  if (!filter) return filter.error();
  static const std::vector<std::string> kNewestFirst{"timestamp"};
  auto order = compile_order<EventRecord>(q.sort_keys.empty() ? kNewestFirst : q.sort_keys, q.sort_dir);
  if (!order) return order.error();
  if (q.limit && *q.limit == 0) return invalid_argument("limit must be >= 1");
  std::vector<const EventRecord*> all;
  all.reserve(events_.size());
  const EventRecord* marker = nullptr;
  for (const EventRecord& e : events_) {
    all.push_back(&e);
    if (!q.marker.empty() && e.uuid == q.marker) marker = &e;
  }
  if (!q.marker.empty() && !marker)
    return invalid_argument("marker " + in_quotes(q.marker) + " is not the uuid of an event in the log");
  const auto visible = [&](const EventRecord& e) {
    const bool is_log = e.state == AlarmState::Log || e.state == AlarmState::Msg;
    if (q.kinds == EventKinds::Alarms && is_log) return false;
    if (q.kinds == EventKinds::Logs && !is_log) return false;
    if (q.start_us && e.timestamp_us < *q.start_us) return false;
    if (q.end_us && e.timestamp_us > *q.end_us) return false;
    // StarlingX shows logs always, and set/clear rows of suppressed ids only when asked.
    return is_log || q.include_suppress || !is_suppressed(e.event_log_id);
  };
  EventPage page;
  auto hits = page_of(all, filter.value(), order.value(), marker, q.limit, visible, page.next_marker);
  for (const EventRecord* e : hits.value()) page.events.push_back(EventView{*e, is_suppressed(e->event_log_id)});
  return page;
}

std::optional<EventView> FaultManager::find_event(std::string_view uuid) const {
  for (const EventRecord& e : events_)
    if (e.uuid == uuid) return EventView{e, is_suppressed(e.event_log_id)};
  return std::nullopt;
}

}  // namespace roost::fm
