#include "platform/fm/catalogue.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "platform/fm/embedded_catalogue.h"
#include "platform/fm/entity_path.h"

namespace roost::fm {

namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "roost-alarm-catalogue/1";

// Parses one entry; every error names the source, the entry and the field.
class EntryParser {
 public:
  EntryParser(std::string_view source, const std::string& id, const json& j)
      : where_(std::string(source) + ": entry '" + id + "'"), j_(j) {
    e_.alarm_id = id;
  }

  CatalogueEntry parse() {
    if (auto err = check_alarm_id(e_.alarm_id)) fail_top(*err);
    if (!j_.is_object()) fail_top("must be an object");
    check_known_keys();
    const std::string kind = text("type");
    if (kind == "alarm") {
      e_.kind = EntryKind::Alarm;
    } else if (kind == "log") {
      e_.kind = EntryKind::Log;
    } else {
      fail("type", "must be \"alarm\" or \"log\" (got \"" + kind + "\")");
    }
    parse_description();
    e_.entity_instance_id = text("entity_instance_id");
    parse_severities();
    e_.proposed_repair_action = j_.contains("proposed_repair_action") ? text("proposed_repair_action") : "";
    const std::string type = text("alarm_type");
    const auto t = parse_alarm_type(type);
    if (!t) fail("alarm_type", "'" + type + "' is not an X.733 alarm type (" + alarm_type_names() + ")");
    e_.alarm_type = *t;
    parse_causes();
    parse_service_affecting();
    if (e_.kind == EntryKind::Alarm) {
      if (e_.proposed_repair_action.empty()) fail("proposed_repair_action", "is required for an alarm");
      e_.suppressible = flag("suppressible");
      e_.inhibit_alarms = flag("inhibit_alarms");
      e_.mgmt_affecting_severity = threshold("mgmt_affecting_severity");
      e_.degrade_affecting_severity = threshold("degrade_affecting_severity");
    } else {
      for (const char* k : {"suppressible", "inhibit_alarms", "mgmt_affecting_severity", "degrade_affecting_severity"})
        if (j_.contains(k)) fail(k, "applies to alarms only; this entry is a log");
    }
    return std::move(e_);
  }

 private:
  [[noreturn]] void fail_top(const std::string& why) { throw CatalogueError(where_ + ": " + why); }
  [[noreturn]] void fail(std::string_view field, const std::string& why) {
    throw CatalogueError(where_ + ", field '" + std::string(field) + "': " + why);
  }

  void check_known_keys() {
    static const std::set<std::string, std::less<>> kKnown{
        "type", "description", "entity_instance_id", "severities", "proposed_repair_action", "alarm_type",
        "probable_cause", "service_affecting", "suppressible", "inhibit_alarms", "mgmt_affecting_severity",
        "degrade_affecting_severity"};
    for (const auto& [k, _] : j_.items())
      if (!kKnown.count(k)) fail_top("unknown field '" + k + "' (a typo?)");
  }

  const json& need(std::string_view field) {
    const auto it = j_.find(field);
    if (it == j_.end()) fail(field, "is missing");
    return *it;
  }

  std::string text(std::string_view field) {
    const json& v = need(field);
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) fail(field, "must be a non-empty string");
    return v.get<std::string>();
  }

  bool flag(std::string_view field) {
    const json& v = need(field);
    if (!v.is_boolean()) fail(field, "must be true or false");
    return v.get<bool>();
  }

  Severity severity_of(std::string_view field, const json& v, bool allow_clear = false) {
    const auto s = v.is_string() ? parse_severity(v.get<std::string>()) : std::nullopt;
    if (!s || (*s == Severity::Clear && !allow_clear) || (v.is_string() && v.get<std::string>().size() == 1))
      fail(field, "'" + (v.is_string() ? v.get<std::string>() : v.dump()) +
                      "' is not a severity (critical, major, minor, warning)");
    return *s;
  }

  void parse_description() {
    const json& v = need("description");
    if (v.is_string() && !v.get_ref<const std::string&>().empty()) {
      e_.description = v.get<std::string>();
      return;
    }
    if (!v.is_object() || v.empty()) fail("description", "must be a string, or an object of strings by severity");
    for (const auto& [k, text] : v.items()) {
      const Severity s = severity_of("description", json(k));
      if (!text.is_string() || text.get_ref<const std::string&>().empty())
        fail("description", "the text for '" + k + "' must be a non-empty string");
      e_.description_by_severity[s] = text.get<std::string>();
    }
    // The general text is the most severe one's; description_for() picks the right one.
    e_.description = e_.description_by_severity.rbegin()->second;
  }

  void parse_severities() {
    const json& v = need("severities");
    if (!v.is_array() || v.empty()) fail("severities", "must be a non-empty array of severities");
    for (const json& s : v) {
      const Severity sev = severity_of("severities", s);
      if (e_.allows(sev)) fail("severities", "lists '" + std::string(to_string(sev)) + "' twice");
      e_.severities.push_back(sev);
    }
    std::sort(e_.severities.begin(), e_.severities.end(), std::greater<>());
    for (const auto& [s, _] : e_.description_by_severity)
      if (!e_.allows(s)) fail("description", "has a text for '" + std::string(to_string(s)) + "', which is not among the severities");
  }

  void parse_causes() {
    const json& v = need("probable_cause");
    std::vector<json> list = v.is_array() ? std::vector<json>(v.begin(), v.end()) : std::vector<json>{v};
    if (list.empty()) fail("probable_cause", "must name at least one probable cause");
    for (const json& c : list) {
      if (!c.is_string() || !is_probable_cause(c.get<std::string>()))
        fail("probable_cause", c.dump() + " is not an X.733 probable cause (see platform/fm/x733.cpp)");
      e_.probable_causes.push_back(c.get<std::string>());
    }
  }

  void parse_service_affecting() {
    const json& v = need("service_affecting");
    if (v.is_boolean()) {
      for (Severity s : e_.severities) e_.service_affecting[s] = v.get<bool>();
      return;
    }
    if (!v.is_object()) fail("service_affecting", "must be true, false, or an object of booleans by severity");
    for (const auto& [k, b] : v.items()) {
      const Severity s = severity_of("service_affecting", json(k));
      if (!e_.allows(s)) fail("service_affecting", "names '" + k + "', which is not among the severities");
      if (!b.is_boolean()) fail("service_affecting", "the value for '" + k + "' must be true or false");
      e_.service_affecting[s] = b.get<bool>();
    }
    for (Severity s : e_.severities)
      if (!e_.service_affecting.count(s))
        fail("service_affecting", "gives no value for '" + std::string(to_string(s)) + "'");
  }

  std::optional<Severity> threshold(std::string_view field) {
    const json& v = need(field);
    if (v.is_string() && v.get<std::string>() == "none") return std::nullopt;
    return severity_of(field, v);
  }

  std::string where_;
  const json& j_;
  CatalogueEntry e_;
};

}  // namespace

std::string_view to_string(EntryKind k) { return k == EntryKind::Alarm ? "alarm" : "log"; }

bool CatalogueEntry::allows(Severity s) const {
  return std::find(severities.begin(), severities.end(), s) != severities.end();
}

bool CatalogueEntry::allows_cause(std::string_view cause) const {
  return std::find(probable_causes.begin(), probable_causes.end(), cause) != probable_causes.end();
}

bool CatalogueEntry::service_affecting_at(Severity s) const {
  const auto it = service_affecting.find(s);
  return it != service_affecting.end() && it->second;
}

// StarlingX's alarm_allowed(severity, threshold): an alarm at or above the threshold is affecting.
bool CatalogueEntry::mgmt_affecting_at(Severity s) const {
  return mgmt_affecting_severity && s >= *mgmt_affecting_severity;
}

bool CatalogueEntry::degrade_affecting_at(Severity s) const {
  return degrade_affecting_severity && s >= *degrade_affecting_severity;
}

const std::string& CatalogueEntry::description_for(Severity s) const {
  const auto it = description_by_severity.find(s);
  return it != description_by_severity.end() ? it->second : description;
}

std::string CatalogueEntry::severity_names() const {
  std::string out;
  for (Severity s : severities) out += (out.empty() ? "" : ", ") + std::string(to_string(s));
  return out;
}

Catalogue Catalogue::parse(std::string_view json_text, std::string_view source) {
  const std::string src(source);
  // nlohmann keeps the last of duplicate keys; a duplicated alarm id is a mistake worth refusing.
  std::set<std::string> seen;
  std::string duplicate;
  json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 2 && parsed.is_string()) {
      if (!seen.insert(parsed.get<std::string>()).second && duplicate.empty()) duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(json_text.begin(), json_text.end(), cb);
  } catch (const json::parse_error& e) {
    throw CatalogueError(src + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw CatalogueError(src + ": must be a JSON object with 'format' and 'entries'");
  if (!doc.contains("format") || doc["format"] != kFormat)
    throw CatalogueError(src + ": 'format' must be \"" + std::string(kFormat) + "\"");
  if (!doc.contains("entries") || !doc["entries"].is_object() || doc["entries"].empty())
    throw CatalogueError(src + ": 'entries' must be a non-empty object keyed by alarm id");
  if (!duplicate.empty()) throw CatalogueError(src + ": alarm id '" + duplicate + "' appears twice");
  for (const auto& [k, _] : doc.items())
    if (k != "format" && k != "entries" && k != "comment")
      throw CatalogueError(src + ": unknown top-level field '" + k + "'");

  Catalogue c;
  for (const auto& [id, entry] : doc["entries"].items()) c.entries_.push_back(EntryParser(source, id, entry).parse());
  std::sort(c.entries_.begin(), c.entries_.end(),
            [](const CatalogueEntry& a, const CatalogueEntry& b) { return a.alarm_id < b.alarm_id; });
  for (std::size_t i = 0; i < c.entries_.size(); ++i) c.index_.emplace(c.entries_[i].alarm_id, i);
  return c;
}

const CatalogueEntry* Catalogue::find(std::string_view alarm_id) const {
  const auto it = index_.find(alarm_id);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const Catalogue& builtin_catalogue() {
  static const Catalogue catalogue = Catalogue::parse(embedded_catalogue_json(), "platform/fm/alarm_catalogue.json");
  return catalogue;
}

}  // namespace roost::fm
