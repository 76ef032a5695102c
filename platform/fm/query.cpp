#include "platform/fm/query.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <map>
#include <variant>

#include "platform/fm/entity_path.h"
#include "platform/fm/utc_time.h"

namespace roost::fm {

namespace {

// A field's value for comparison: text, or a number (ids, severity rank, timestamps, booleans).
using Value = std::variant<std::string_view, std::int64_t>;

enum class Kind : std::uint8_t { Text, Path, Number, SeverityRank, Time, Flag };

template <class R>
struct FieldSpec {
  std::string_view name;
  Kind kind;
  Value (*get)(const R&);
};

std::int64_t num(std::uint64_t v) { return static_cast<std::int64_t>(v); }

const std::vector<FieldSpec<Alarm>>& specs(const Alarm*) {
  static const std::vector<FieldSpec<Alarm>> kSpecs{
      {"id", Kind::Number, [](const Alarm& a) -> Value { return num(a.id); }},
      {"uuid", Kind::Text, [](const Alarm& a) -> Value { return a.uuid; }},
      {"alarm_id", Kind::Text, [](const Alarm& a) -> Value { return a.alarm_id; }},
      {"alarm_state", Kind::Text, [](const Alarm& a) -> Value { return to_string(a.state); }},
      {"entity_type_id", Kind::Text, [](const Alarm& a) -> Value { return a.entity_type_id; }},
      {"entity_instance_id", Kind::Path, [](const Alarm& a) -> Value { return a.entity_instance_id; }},
      {"severity", Kind::SeverityRank, [](const Alarm& a) -> Value { return static_cast<std::int64_t>(a.severity); }},
      {"reason_text", Kind::Text, [](const Alarm& a) -> Value { return a.reason_text; }},
      {"alarm_type", Kind::Text, [](const Alarm& a) -> Value { return to_string(a.alarm_type); }},
      {"probable_cause", Kind::Text, [](const Alarm& a) -> Value { return a.probable_cause; }},
      {"service_affecting", Kind::Flag, [](const Alarm& a) -> Value { return std::int64_t{a.service_affecting}; }},
      {"suppression", Kind::Flag, [](const Alarm& a) -> Value { return std::int64_t{a.suppression}; }},
      {"timestamp", Kind::Time, [](const Alarm& a) -> Value { return a.timestamp_us; }},
  };
  return kSpecs;
}

const std::vector<FieldSpec<EventRecord>>& specs(const EventRecord*) {
  static const std::vector<FieldSpec<EventRecord>> kSpecs{
      {"id", Kind::Number, [](const EventRecord& e) -> Value { return num(e.id); }},
      {"uuid", Kind::Text, [](const EventRecord& e) -> Value { return e.uuid; }},
      {"event_log_id", Kind::Text, [](const EventRecord& e) -> Value { return e.event_log_id; }},
      {"alarm_id", Kind::Text, [](const EventRecord& e) -> Value { return e.event_log_id; }},
      {"state", Kind::Text, [](const EventRecord& e) -> Value { return to_string(e.state); }},
      {"entity_type_id", Kind::Text, [](const EventRecord& e) -> Value { return e.entity_type_id; }},
      {"entity_instance_id", Kind::Path, [](const EventRecord& e) -> Value { return e.entity_instance_id; }},
      {"severity", Kind::SeverityRank, [](const EventRecord& e) -> Value { return static_cast<std::int64_t>(e.severity); }},
      {"reason_text", Kind::Text, [](const EventRecord& e) -> Value { return e.reason_text; }},
      {"event_log_type", Kind::Text, [](const EventRecord& e) -> Value { return to_string(e.event_log_type); }},
      {"alarm_type", Kind::Text, [](const EventRecord& e) -> Value { return to_string(e.event_log_type); }},
      {"probable_cause", Kind::Text, [](const EventRecord& e) -> Value { return e.probable_cause; }},
      {"service_affecting", Kind::Flag, [](const EventRecord& e) -> Value { return std::int64_t{e.service_affecting}; }},
      {"suppression", Kind::Flag, [](const EventRecord& e) -> Value { return std::int64_t{e.suppression}; }},
      {"alarm_uuid", Kind::Text, [](const EventRecord& e) -> Value { return e.alarm_uuid; }},
      {"timestamp", Kind::Time, [](const EventRecord& e) -> Value { return e.timestamp_us; }},
  };
  return kSpecs;
}

template <class R>
const FieldSpec<R>* find_spec(std::string_view name) {
  for (const auto& s : specs(static_cast<const R*>(nullptr)))
    if (s.name == name) return &s;
  return nullptr;
}

template <class R>
std::vector<std::string_view> field_names() {
  std::vector<std::string_view> out;
  for (const auto& s : specs(static_cast<const R*>(nullptr))) out.push_back(s.name);
  return out;
}

std::string join(const std::vector<std::string_view>& v) {
  std::string out;
  for (auto s : v) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

// The condition's value in the field's terms, or why it cannot be.
Outcome<Value> parse_value(const Condition& c, Kind kind, std::string& storage) {
  const auto bad = [&](std::string_view expected) {
    return Error{ErrorCode::InvalidArgument,
                 "filter on '" + c.field + "': '" + c.value + "' is not " + std::string(expected)};
  };
  switch (kind) {
    case Kind::Text:
    case Kind::Path:
      storage = c.value;
      return Value{std::string_view(storage)};
    case Kind::Number: {
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(c.value.data(), c.value.data() + c.value.size(), v);
      if (ec != std::errc() || p != c.value.data() + c.value.size()) return bad("an integer");
      return Value{v};
    }
    case Kind::SeverityRank: {
      const auto s = parse_severity(c.value);
      if (!s) return bad("a severity (critical, major, minor, warning, clear)");
      return Value{static_cast<std::int64_t>(*s)};
    }
    case Kind::Time: {
      const auto t = parse_utc_micros(c.value);
      if (!t) return bad("a UTC time (YYYY-MM-DDTHH:MM:SS[.ffffff] or microseconds since the epoch)");
      return Value{*t};
    }
    case Kind::Flag: {
      if (c.value == "true" || c.value == "True" || c.value == "1") return Value{std::int64_t{1}};
      if (c.value == "false" || c.value == "False" || c.value == "0") return Value{std::int64_t{0}};
      return bad("true or false");
    }
  }
  return bad("valid");
}

int compare(const Value& a, const Value& b) {
  if (a.index() == 0) {
    const int c = std::get<0>(a).compare(std::get<0>(b));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  const auto x = std::get<1>(a), y = std::get<1>(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool holds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::Eq: return c == 0;
    case CompareOp::Ne: return c != 0;
    case CompareOp::Lt: return c < 0;
    case CompareOp::Le: return c <= 0;
    case CompareOp::Gt: return c > 0;
    case CompareOp::Ge: return c >= 0;
  }
  return false;
}

bool truthy(std::string_view v) { return v == "true" || v == "True" || v == "1" || v == "yes"; }

std::optional<std::size_t> parse_limit(std::string_view v) {
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n == 0) return std::nullopt;
  return n;
}

// The parts both queries share. Returns an error, or nullopt when `key` was consumed or is unknown
// (`consumed` tells which).
struct CommonParams {
  std::vector<std::string> q_fields, q_ops, q_values;
  std::vector<Condition> plain;
  std::vector<std::string> sort_keys;
  std::optional<SortDir> sort_dir;
  std::optional<std::size_t> limit;
  std::string marker;
  bool include_suppress = false;

  std::optional<Error> take(const std::string& key, const std::string& value, bool& consumed,
                            const std::vector<std::string_view>& fields) {
    consumed = true;
    if (key == "q.field") {
      q_fields.push_back(value);
    } else if (key == "q.op") {
      q_ops.push_back(value);
    } else if (key == "q.value") {
      q_values.push_back(value);
    } else if (key == "limit") {
      limit = parse_limit(value);
      if (!limit) return invalid_argument("limit must be a positive integer (got '" + value + "')");
    } else if (key == "marker") {
      marker = value;
    } else if (key == "sort_key") {
      std::size_t start = 0;
      while (start <= value.size()) {
        const std::size_t comma = value.find(',', start);
        const std::string k = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!k.empty()) sort_keys.push_back(k);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (key == "sort_dir") {
      if (value == "asc") {
        sort_dir = SortDir::Asc;
      } else if (value == "desc") {
        sort_dir = SortDir::Desc;
      } else {
        return invalid_argument("sort_dir must be asc or desc (got '" + value + "')");
      }
    } else if (key == "include_suppress") {
      include_suppress = truthy(value);
    } else if (std::find(fields.begin(), fields.end(), key) != fields.end()) {
      plain.push_back(Condition{key, CompareOp::Eq, value});
    } else {
      consumed = false;
    }
    return std::nullopt;
  }

  Outcome<std::vector<Condition>> conditions() const {
    if (q_fields.size() != q_values.size())
      return invalid_argument("q.field and q.value must come in pairs (got " + std::to_string(q_fields.size()) +
                              " q.field and " + std::to_string(q_values.size()) + " q.value)");
    if (!q_ops.empty() && q_ops.size() != q_fields.size())
      return invalid_argument("q.op must be given for every q.field or for none (got " + std::to_string(q_ops.size()) +
                              " q.op for " + std::to_string(q_fields.size()) + " q.field)");
    std::vector<Condition> out = plain;
    for (std::size_t i = 0; i < q_fields.size(); ++i) {
      CompareOp op = CompareOp::Eq;
      if (!q_ops.empty()) {
        const auto parsed = parse_compare_op(q_ops[i]);
        if (!parsed) return invalid_argument("q.op '" + q_ops[i] + "' is not one of eq, ne, lt, le, gt, ge");
        op = *parsed;
      }
      out.push_back(Condition{q_fields[i], op, q_values[i]});
    }
    return out;
  }
};

}  // namespace

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::Eq: return "eq";
    case CompareOp::Ne: return "ne";
    case CompareOp::Lt: return "lt";
    case CompareOp::Le: return "le";
    case CompareOp::Gt: return "gt";
    case CompareOp::Ge: return "ge";
  }
  return "?";
}

std::optional<CompareOp> parse_compare_op(std::string_view s) {
  for (CompareOp op : {CompareOp::Eq, CompareOp::Ne, CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge})
    if (to_string(op) == s) return op;
  return std::nullopt;
}

std::string_view to_string(SortDir d) { return d == SortDir::Asc ? "asc" : "desc"; }

const std::vector<std::string_view>& alarm_fields() {
  static const auto kNames = field_names<Alarm>();
  return kNames;
}

const std::vector<std::string_view>& event_fields() {
  static const auto kNames = field_names<EventRecord>();
  return kNames;
}

template <class R>
Outcome<Filter<R>> compile_filter(const std::vector<Condition>& where) {
  Filter<R> f;
  for (const Condition& c : where) {
    const FieldSpec<R>* spec = find_spec<R>(c.field);
    if (!spec)
      return invalid_argument("cannot filter on '" + c.field + "'; fields: " + join(field_names<R>()));
    auto storage = std::make_shared<std::string>();
    auto parsed = parse_value(c, spec->kind, *storage);
    if (!parsed) return parsed.error();
    const Value want = parsed.value();
    const auto get = spec->get;
    const CompareOp op = c.op;
    if (spec->kind == Kind::Path && (op == CompareOp::Eq || op == CompareOp::Ne)) {
      // A path matches at or below itself: host=controller-0 selects that host's process alarms too.
      f.tests.push_back([get, want, op, storage](const R& r) {
        const bool covered = entity_covers(std::get<0>(want), std::get<0>(get(r)));
        return op == CompareOp::Eq ? covered : !covered;
      });
    } else {
      // `storage` keeps the text a string_view in `want` points into alive for the filter's lifetime.
      f.tests.push_back([get, want, op, storage](const R& r) { return holds(op, compare(get(r), want)); });
    }
  }
  return f;
}

template <class R>
Outcome<Order<R>> compile_order(const std::vector<std::string>& keys, SortDir dir) {
  std::vector<Value (*)(const R&)> getters;
  for (const std::string& k : keys) {
    const FieldSpec<R>* spec = find_spec<R>(k);
    if (!spec) return invalid_argument("cannot sort on '" + k + "'; fields: " + join(field_names<R>()));
    getters.push_back(spec->get);
  }
  const bool desc = dir == SortDir::Desc;
  Order<R> order = [getters = std::move(getters), desc](const R& a, const R& b) {
    for (auto get : getters) {
      const int c = compare(get(a), get(b));
      if (c != 0) return desc ? c > 0 : c < 0;
    }
    return desc ? a.id > b.id : a.id < b.id;
  };
  return order;
}

template Outcome<Filter<Alarm>> compile_filter<Alarm>(const std::vector<Condition>&);
template Outcome<Filter<EventRecord>> compile_filter<EventRecord>(const std::vector<Condition>&);
template Outcome<Order<Alarm>> compile_order<Alarm>(const std::vector<std::string>&, SortDir);
template Outcome<Order<EventRecord>> compile_order<EventRecord>(const std::vector<std::string>&, SortDir);

Outcome<AlarmQuery> AlarmQuery::from_params(const QueryParams& params) {
  AlarmQuery q;
  CommonParams common;
  for (const auto& [key, value] : params) {
    bool consumed = false;
    if (auto err = common.take(key, value, consumed, alarm_fields())) return *err;
    if (consumed) continue;
    if (key == "include_masked") {
      q.include_masked = truthy(value);
    } else if (key == "expand") {
      // StarlingX's "all fields" switch: the API always returns every field.
    } else {
      return invalid_argument("unknown alarm query parameter '" + key +
                              "'; parameters: q.field, q.op, q.value, limit, marker, sort_key, sort_dir, "
                              "include_suppress, include_masked, or a field: " + join(alarm_fields()));
    }
  }
  auto where = common.conditions();
  if (!where) return where.error();
  q.where = std::move(where.value());
  q.sort_keys = common.sort_keys;
  q.sort_dir = common.sort_dir.value_or(SortDir::Asc);
  q.limit = common.limit;
  q.marker = common.marker;
  q.include_suppress = common.include_suppress;
  // Check fields and keys now, so a bad query fails before it reaches the manager.
  if (auto f = compile_filter<Alarm>(q.where); !f) return f.error();
  if (auto o = compile_order<Alarm>(q.sort_keys, q.sort_dir); !o) return o.error();
  return q;
}

Outcome<EventQuery> EventQuery::from_params(const QueryParams& params) {
  EventQuery q;
  CommonParams common;
  bool alarms = false, logs = false;
  for (const auto& [key, value] : params) {
    bool consumed = false;
    if (auto err = common.take(key, value, consumed, event_fields())) return *err;
    if (consumed) continue;
    if (key == "start" || key == "end") {
      const auto t = parse_utc_micros(value);
      if (!t)
        return invalid_argument(key + " must be a UTC time (YYYY-MM-DDTHH:MM:SS[.ffffff] or microseconds since the epoch), got '" +
                                value + "'");
      (key == "start" ? q.start_us : q.end_us) = *t;
    } else if (key == "alarms") {
      alarms = truthy(value);
    } else if (key == "logs") {
      logs = truthy(value);
    } else if (key == "expand") {
    } else {
      return invalid_argument("unknown event log query parameter '" + key +
                              "'; parameters: q.field, q.op, q.value, start, end, alarms, logs, limit, marker, "
                              "sort_key, sort_dir, include_suppress, or a field: " + join(event_fields()));
    }
  }
  auto where = common.conditions();
  if (!where) return where.error();
  q.where = std::move(where.value());
  // StarlingX: alarms=true shows set/clear rows only, logs=true log rows only, both or neither all.
  q.kinds = alarms == logs ? EventKinds::All : (alarms ? EventKinds::Alarms : EventKinds::Logs);
  q.sort_keys = common.sort_keys;
  q.sort_dir = common.sort_dir.value_or(SortDir::Desc);
  q.limit = common.limit;
  q.marker = common.marker;
  q.include_suppress = common.include_suppress;
  if (auto f = compile_filter<EventRecord>(q.where); !f) return f.error();
  if (auto o = compile_order<EventRecord>(q.sort_keys, q.sort_dir); !o) return o.error();
  return q;
}

}  // namespace roost::fm
