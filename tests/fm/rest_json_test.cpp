#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "platform/core/codec.h"
#include "platform/core/message.h"
#include "platform/fm/fault_manager.h"
#include "platform/fm/messages.h"
#include "platform/fm/rest_json.h"
#include "tests/fm/fm_test_support.h"

namespace roost::fm {
namespace {

using nlohmann::json;
using testing::at_second;
using testing::make_alarm;

TEST(RestJson, AlarmLooksLikeStarlingX) {
  MemoryAlarmStore store;
  core::Rng rng(1);
  FaultManager fm(builtin_catalogue(), store, rng);
  fm.load();
  Alarm in = make_alarm("200.006", "host=controller-0.process=sshd", Severity::Major);
  in.timestamp_us = 1714564800123456;
  const auto r = fm.set(in, at_second(1));
  const json j = rest_json(*fm.find(r->uuid));
  EXPECT_EQ(j["uuid"], r->uuid);
  EXPECT_EQ(j["alarm_id"], "200.006");
  EXPECT_EQ(j["alarm_state"], "set");
  EXPECT_EQ(j["severity"], "major");
  EXPECT_EQ(j["timestamp"], "2024-05-01T12:00:00.123456");
  EXPECT_EQ(j["alarm_type"], "operational-violation");
  EXPECT_EQ(j["suppression_status"], "unsuppressed");
  EXPECT_EQ(j["mgmt_affecting"], "True");
  EXPECT_EQ(j["degrade_affecting"], "True");
  EXPECT_EQ(j["service_affecting"], true);
  EXPECT_EQ(j["masked"], false);
  EXPECT_EQ(rest_json(fm.summary()), (json{{"critical", 0}, {"major", 1}, {"minor", 0}, {"warnings", 0}, {"status", "degraded"}}));
  const json e = rest_json(*fm.find_event(fm.events(EventQuery{})->events[0].event.uuid));
  EXPECT_EQ(e["event_log_id"], "200.006");
  EXPECT_EQ(e["state"], "set");
  EXPECT_EQ(e["event_log_type"], "operational-violation");
  const json s = rest_json(*fm.find_suppression("200.006"));
  EXPECT_EQ(s["suppression_status"], "unsuppressed");
  EXPECT_EQ(s["mgmt_affecting"], "warning");
  EXPECT_EQ(s["degrade_affecting"], "major");
  // The body the API shows goes back in as a POST body, and yields the same alarm.
  const auto back = alarm_from_rest_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->alarm_id, "200.006");
  EXPECT_EQ(back->severity, Severity::Major);
  EXPECT_EQ(back->timestamp_us, 1714564800123456);
  EXPECT_EQ(back->alarm_type, AlarmType::OperationalViolation);
}

TEST(RestJson, PostBodyErrorsNameTheField) {
  const auto err = [](json body) {
    const auto r = alarm_from_rest_json(body);
    return r.ok() ? std::string() : r.error().message;
  };
  const json ok{{"alarm_id", "200.005"}, {"entity_instance_id", "host=a"}, {"severity", "major"}};
  EXPECT_EQ(err(ok), "");
  EXPECT_NE(err(json{{"alarm_id", "200.005"}, {"severity", "major"}}).find("'entity_instance_id' is required"), std::string::npos);
  json bad = ok;
  bad["severity"] = "huge";
  EXPECT_NE(err(bad).find("'severity' must be"), std::string::npos);
  bad = ok;
  bad["alarm_state"] = "maybe";
  EXPECT_NE(err(bad).find("'alarm_state'"), std::string::npos);
  bad = ok;
  bad["colour"] = "red";
  EXPECT_NE(err(bad).find("unknown field 'colour'"), std::string::npos);
  bad = ok;
  bad["alarm_type"] = "telepathy";
  EXPECT_NE(err(bad).find("'alarm_type'"), std::string::npos);
  bad = ok;
  bad["timestamp"] = "noon";
  EXPECT_NE(err(bad).find("'timestamp'"), std::string::npos);
  EXPECT_NE(err(json::array()).find("must be a JSON object"), std::string::npos);
}

TEST(RestJson, SuppressionPatchBothForms) {
  EXPECT_EQ(suppression_from_rest_json(json{{"suppression_status", "suppressed"}}).value(), true);
  EXPECT_EQ(suppression_from_rest_json(
                json::array({{{"op", "replace"}, {"path", "/suppression_status"}, {"value", "unsuppressed"}}}))
                .value(),
            false);
  EXPECT_FALSE(suppression_from_rest_json(json{{"suppression_status", "maybe"}}));
  EXPECT_FALSE(suppression_from_rest_json(json::object()));
}

TEST(Messages, AlarmsTravelAsCoreMessages) {
  SetFaults req;
  Alarm a = make_alarm("200.005", "host=a", Severity::Critical);
  a.uuid = "u";
  a.time = core::at_seconds(2.5);
  a.timestamp_us = 123;
  req.alarms = {a, make_alarm("401.007", "host=b", Severity::Critical)};
  req.keep_existing = true;
  req.at = WireStamp::of(at_second(4));
  const core::Envelope env = core::envelope(req);
  EXPECT_EQ(env.type, 0x0101);
  SetFaults back;
  ASSERT_EQ(core::decode(env.body, back), std::nullopt);
  EXPECT_EQ(back.alarms, req.alarms);
  EXPECT_TRUE(back.keep_existing);
  EXPECT_EQ(back.at.stamp().wall_us, at_second(4).wall_us);

  FaultEvent ev;
  ev.event.event_log_id = "200.005";
  ev.event.state = AlarmState::Clear;
  FaultEvent ev_back;
  ASSERT_EQ(core::decode(core::encode(ev), ev_back), std::nullopt);
  EXPECT_EQ(ev_back.event, ev.event);
  EXPECT_EQ(core::to_json(a)["alarm_id"], "200.005");
  for (core::MessageTypeId t : {FmReply::kType, SetFaults::kType, ClearFault::kType, GetFaults::kType,
                                GetFaults::Response::kType, FaultEvent::kType})
    EXPECT_EQ(t >> 8, 0x01);
}

}  // namespace
}  // namespace roost::fm

namespace roost::fm {
namespace {

// Valid UTF-8 from arbitrary code points (controls, quotes, multi-byte, astral; no surrogates).
std::string utf8_of(const std::vector<std::uint32_t>& points) {
  std::string s;
  for (std::uint32_t p : points) {
    p %= 0x110000;
    if (p >= 0xD800 && p <= 0xDFFF) p -= 0x800;
    if (p < 0x80) {
      s.push_back(static_cast<char>(p));
    } else if (p < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (p >> 6)));
      s.push_back(static_cast<char>(0x80 | (p & 0x3F)));
    } else if (p < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (p >> 12)));
      s.push_back(static_cast<char>(0x80 | ((p >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (p & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (p >> 18)));
      s.push_back(static_cast<char>(0x80 | ((p >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((p >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (p & 0x3F)));
    }
  }
  return s;
}

// The fast text writer says exactly what rest_json() says.
RC_GTEST_PROP(RestJsonText, MatchesTheJsonObjects,
              (std::vector<std::uint32_t> reason, std::vector<std::uint32_t> eid, bool suppressed, bool masked)) {
  AlarmView v;
  v.alarm.uuid = "u-1";
  v.alarm.alarm_id = "200.005";
  v.alarm.entity_instance_id = utf8_of(eid);
  v.alarm.reason_text = utf8_of(reason);
  v.alarm.alarm_type = AlarmType::Communication;
  v.alarm.timestamp_us = 1714564800123456;
  v.suppressed = suppressed;
  v.masked = masked;
  std::string text;
  append_rest_json(text, v);
  RC_ASSERT(json::parse(text) == rest_json(v));
  EventView e;
  e.event.uuid = "e-1";
  e.event.reason_text = v.alarm.reason_text;
  e.event.entity_instance_id = v.alarm.entity_instance_id;
  e.suppressed = suppressed;
  std::string etext;
  append_rest_json(etext, e);
  RC_ASSERT(json::parse(etext) == rest_json(e));
}

// ...and stays valid JSON whatever bytes a field holds.
RC_GTEST_PROP(RestJsonText, IsValidJsonOnAnyBytes, (std::string reason, std::string repair)) {
  AlarmView v;
  v.alarm.reason_text = reason;
  v.alarm.proposed_repair_action = repair;
  std::string text;
  append_rest_json(text, v);
  RC_ASSERT(json::parse(text)["reason_text"].is_string());
}

TEST(RestJsonText, EscapesAndReplaces) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01\xff\xc3\xa9", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\xC3\xA9\"");
}

}  // namespace
}  // namespace roost::fm
