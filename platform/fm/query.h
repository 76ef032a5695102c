// How callers ask for alarms and events: StarlingX's REST query shape (q.field / q.op / q.value
// conditions, sort_key, sort_dir, limit, marker, include_suppress), parsed from URL parameters here so
// the REST layer stays a thin adapter, and compiled into predicates and orderings the manager runs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/fm/alarm.h"
#include "platform/fm/outcome.h"

namespace roost::fm {

enum class CompareOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };
std::string_view to_string(CompareOp op);
std::optional<CompareOp> parse_compare_op(std::string_view s);  // eq ne lt le gt ge

// One filter. Fields compare by kind: severity by rank (clear < warning < ... < critical), timestamp
// as UTC time (ISO 8601 or integer microseconds), ids as numbers, text as text; on
// entity_instance_id, eq means "at or below this path" (host=controller-0 matches
// host=controller-0.process=sshd) and ne its negation.
struct Condition {
  std::string field;
  CompareOp op = CompareOp::Eq;
  std::string value;
  bool operator==(const Condition&) const = default;
};

enum class SortDir : std::uint8_t { Asc, Desc };
std::string_view to_string(SortDir d);

// URL query parameters in order; a key may repeat (q.field=a&q.field=b).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct AlarmQuery {
  std::vector<Condition> where;          // all must hold
  std::vector<std::string> sort_keys;    // empty: id (the order alarms were raised); ties break on id
  SortDir sort_dir = SortDir::Asc;
  std::optional<std::size_t> limit;      // >= 1
  std::string marker;                    // uuid of the last alarm of the previous page
  bool include_suppress = false;         // also alarms whose id is suppressed
  bool include_masked = false;           // also alarms masked by an inhibiting ancestor (StarlingX: never)

  // Keys: q.field, q.op, q.value (matched by position), limit, marker, sort_key (comma-separated),
  // sort_dir (asc|desc), include_suppress, include_masked, and any filter field as key=value (eq).
  static Outcome<AlarmQuery> from_params(const QueryParams& params);
};

enum class EventKinds : std::uint8_t { All, Alarms, Logs };

struct EventQuery {
  std::vector<Condition> where;
  std::optional<std::int64_t> start_us;  // timestamp >= start
  std::optional<std::int64_t> end_us;    // timestamp <= end
  EventKinds kinds = EventKinds::All;    // Alarms: set and clear rows; Logs: log rows
  std::vector<std::string> sort_keys;    // empty: timestamp, newest first; ties break on id
  SortDir sort_dir = SortDir::Desc;
  std::optional<std::size_t> limit;
  std::string marker;                    // uuid of the last event of the previous page
  bool include_suppress = false;         // also set/clear rows of suppressed alarm ids (logs always show)

  // As AlarmQuery, plus start, end (ISO 8601 or microseconds), alarms=true, logs=true.
  static Outcome<EventQuery> from_params(const QueryParams& params);
};

// The field names a filter or sort may use, for error messages and the API's documentation.
const std::vector<std::string_view>& alarm_fields();
const std::vector<std::string_view>& event_fields();

// Compiled forms. A Filter holds when every condition holds; an Order is a strict weak order that
// ends on id, so pages are stable.
template <class R>
struct Filter {
  std::vector<std::function<bool(const R&)>> tests;
  bool operator()(const R& r) const {
    for (const auto& t : tests)
      if (!t(r)) return false;
    return true;
  }
};
template <class R>
using Order = std::function<bool(const R&, const R&)>;

// R is Alarm or EventRecord (instantiated in query.cpp). Errors name the field or key and list the valid ones.
template <class R>
Outcome<Filter<R>> compile_filter(const std::vector<Condition>& where);
template <class R>
Outcome<Order<R>> compile_order(const std::vector<std::string>& keys, SortDir dir);

}  // namespace roost::fm
