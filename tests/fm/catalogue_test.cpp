#include <gtest/gtest.h>

#include "platform/fm/catalogue.h"

namespace roost::fm {
namespace {

TEST(Catalogue, BuiltinParsesAndHoldsEveryReferencedId) {
  const Catalogue& c = builtin_catalogue();
  // Every id named in shared/reference/*.md, plus Roost's own FM-client queue overflow (100.900).
  for (const char* id : {"100.101", "100.104", "100.114", "100.119", "200.001", "200.004", "200.005", "200.006",
                         "200.007", "200.009", "200.010", "200.011", "280.001", "280.002", "280.003", "400.001",
                         "400.002", "400.005", "401.001", "401.007", "500.200", "500.210", "800.001", "800.010",
                         "800.011", "900.001", "100.900"}) {
    const CatalogueEntry* e = c.find(id);
    ASSERT_NE(e, nullptr) << id;
    EXPECT_FALSE(e->description.empty()) << id;
    EXPECT_FALSE(e->severities.empty()) << id;
    EXPECT_FALSE(e->probable_causes.empty()) << id;
  }
  EXPECT_EQ(c.find("999.999"), nullptr);
}

TEST(Catalogue, BuiltinFactsMatchStarlingX) {
  const Catalogue& c = builtin_catalogue();
  const CatalogueEntry& locked = *c.find("200.001");
  EXPECT_TRUE(locked.inhibit_alarms);
  EXPECT_FALSE(locked.suppressible);
  EXPECT_EQ(locked.severities, std::vector<Severity>{Severity::Warning});
  const CatalogueEntry& hb = *c.find("200.005");
  EXPECT_EQ(hb.severities, (std::vector<Severity>{Severity::Critical, Severity::Major}));
  EXPECT_TRUE(hb.suppressible);
  EXPECT_EQ(hb.alarm_type, AlarmType::Communication);
  EXPECT_EQ(c.find("280.001")->severities, std::vector<Severity>{Severity::Critical});
  EXPECT_EQ(c.find("401.007")->kind, EntryKind::Log);
  const CatalogueEntry& process = *c.find("200.006");
  EXPECT_TRUE(process.service_affecting_at(Severity::Critical));
  EXPECT_FALSE(process.service_affecting_at(Severity::Minor));
  EXPECT_TRUE(process.degrade_affecting_at(Severity::Major));
  EXPECT_FALSE(process.degrade_affecting_at(Severity::Minor));
  EXPECT_TRUE(process.mgmt_affecting_at(Severity::Minor));  // threshold warning: every severity
  EXPECT_FALSE(c.find("280.001")->mgmt_affecting_at(Severity::Critical));  // threshold none
  EXPECT_NE(process.description_for(Severity::Critical), process.description_for(Severity::Minor));
}

std::string error_of(const std::string& text) {
  try {
    Catalogue::parse(text, "test.json");
  } catch (const CatalogueError& e) {
    return e.what();
  }
  return "";
}

std::string with_entry(const std::string& fields) {
  return R"({"format": "roost-alarm-catalogue/1", "entries": {"200.005": {)" + fields + "}}}";
}

const std::string kGood =
    R"("type": "alarm", "description": "d", "entity_instance_id": "host=<h>", "severities": ["major"],
       "proposed_repair_action": "r", "alarm_type": "communication", "probable_cause": "unknown",
       "service_affecting": true, "suppressible": true, "inhibit_alarms": false,
       "mgmt_affecting_severity": "warning", "degrade_affecting_severity": "none")";

TEST(Catalogue, AcceptsAWellFormedEntry) {
  const Catalogue c = Catalogue::parse(with_entry(kGood), "test.json");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c.entries()[0].mgmt_affecting_severity, Severity::Warning);
  EXPECT_EQ(c.entries()[0].degrade_affecting_severity, std::nullopt);
}

TEST(Catalogue, RefusesBrokenInputWithErrorsNamingEntryAndField) {
  EXPECT_NE(error_of("{").find("test.json: not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"format": "other", "entries": {}})").find("'format'"), std::string::npos);

  std::string bad = kGood;
  bad.replace(bad.find(R"(["major"])"), 9, R"(["huge"])");
  EXPECT_NE(error_of(with_entry(bad)).find("entry '200.005', field 'severities': 'huge' is not a severity"),
            std::string::npos)
      << error_of(with_entry(bad));

  EXPECT_NE(error_of(with_entry(kGood + R"(, "colour": "red")")).find("unknown field 'colour'"), std::string::npos);

  bad = kGood;
  bad.replace(bad.find("communication"), 13, "telepathy");
  EXPECT_NE(error_of(with_entry(bad)).find("field 'alarm_type'"), std::string::npos);

  bad = kGood;
  bad.replace(bad.find("\"unknown\""), 9, "\"bad-luck\"");
  EXPECT_NE(error_of(with_entry(bad)).find("field 'probable_cause'"), std::string::npos);

  bad = kGood;
  bad.replace(bad.find(R"("type": "alarm")"), 15, R"("type": "log")");
  EXPECT_NE(error_of(with_entry(bad)).find("applies to alarms only"), std::string::npos);

  bad = kGood;
  bad.erase(bad.find(R"(, "suppressible": true)"), 22);
  EXPECT_NE(error_of(with_entry(bad)).find("field 'suppressible': is missing"), std::string::npos) << error_of(with_entry(bad));

  const std::string dup = R"({"format": "roost-alarm-catalogue/1", "entries": {"200.005": {)" + kGood + R"(}, "200.005": {)" +
                          kGood + "}}}";
  EXPECT_NE(error_of(dup).find("alarm id '200.005' appears twice"), std::string::npos);

  const std::string bad_id = R"({"format": "roost-alarm-catalogue/1", "entries": {"2000.5": {)" + kGood + "}}}";
  EXPECT_NE(error_of(bad_id).find("is not of the form GGG.EEE"), std::string::npos);

  bad = kGood;
  bad.replace(bad.find(R"("service_affecting": true)"), 25, R"("service_affecting": {"critical": true})");
  EXPECT_NE(error_of(with_entry(bad)).find("field 'service_affecting'"), std::string::npos);
}

}  // namespace
}  // namespace roost::fm
