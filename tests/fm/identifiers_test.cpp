#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "platform/fm/entity_path.h"
#include "platform/fm/utc_time.h"
#include "platform/fm/uuid.h"
#include "platform/fm/x733.h"

namespace roost::fm {
namespace {

TEST(AlarmId, AcceptsOnlyGroupDotEvent) {
  EXPECT_EQ(check_alarm_id("200.005"), std::nullopt);
  for (const char* bad : {"", "200.05", "2000.005", "200-005", "abc.def", "200.005 ", "200.0050"})
    EXPECT_NE(check_alarm_id(bad), std::nullopt) << bad;
}

TEST(EntityInstanceId, AcceptsStarlingXShapes) {
  for (const char* ok : {"host=controller-0", "host=controller-0.process=sshd", "system=", "region=RegionOne",
                         "host=controller-0.ntp=10.0.0.1", "system.certificate.k8sRootCA",
                         "service_domain=controller.service_group=oam-services.host=controller-0", "subcloud=sc-17"})
    EXPECT_EQ(check_entity_instance_id(ok), std::nullopt) << ok;
  for (const char* bad : {"", ".host=a", "host=a.", "host=a..b", "host=a b", "=x", "1host=a", "host=\"a\"",
                          "ho$t=a"})
    EXPECT_NE(check_entity_instance_id(bad), std::nullopt) << bad;
  EXPECT_NE(check_entity_instance_id(std::string(256, 'a')), std::nullopt);
}

TEST(EntityInstanceId, CoversWholeSegmentsOnly) {
  EXPECT_TRUE(entity_covers("host=controller-1", "host=controller-1"));
  EXPECT_TRUE(entity_covers("host=controller-1", "host=controller-1.process=sshd"));
  EXPECT_FALSE(entity_covers("host=controller-1", "host=controller-10"));
  EXPECT_FALSE(entity_covers("host=controller-1.process=sshd", "host=controller-1"));
  EXPECT_FALSE(entity_covers("", "host=controller-1"));
  std::vector<std::string> seen;
  for_each_entity_ancestor("a=1.b=2.c", [&](std::string_view p) { seen.emplace_back(p); });
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1", "a=1.b=2", "a=1.b=2.c"}));
}

TEST(UtcTime, FormatsLikeStarlingX) {
  EXPECT_EQ(format_utc_micros(0), "1970-01-01T00:00:00.000000");
  EXPECT_EQ(format_utc_micros(1714564800123456), "2024-05-01T12:00:00.123456");
  EXPECT_EQ(format_utc_micros(-1), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(parse_utc_micros("2024-05-01T12:00:00.123456"), 1714564800123456);
  EXPECT_EQ(parse_utc_micros("2024-05-01 12:00:00Z"), 1714564800000000);
  EXPECT_EQ(parse_utc_micros("2024-05-01T12:00:00.5"), 1714564800500000);
  EXPECT_EQ(parse_utc_micros("1714564800123456"), 1714564800123456);
  for (const char* bad : {"", "yesterday", "2024-13-01T00:00:00", "2024-02-30T00:00:00", "2024-05-01T12:00:00+02:00",
                          "2024-05-01T12:00:00."})
    EXPECT_EQ(parse_utc_micros(bad), std::nullopt) << bad;
}

RC_GTEST_PROP(UtcTime, RoundTrips, (std::int64_t seconds, std::uint32_t micros)) {
  // Years 0001..9999 in microseconds.
  const std::int64_t s = seconds % 250'000'000'000LL;
  const std::int64_t us = s * 1'000'000 + micros % 1'000'000;
  RC_PRE(us > -62'135'596'800'000'000LL);  // after 0001-01-01
  RC_ASSERT(parse_utc_micros(format_utc_micros(us)) == std::optional<std::int64_t>(us));
}

TEST(Uuid, IsVersion4AndRepeatableFromTheSeed) {
  core::Rng a(42), b(42), c(43);
  const std::string u = make_uuid(a);
  EXPECT_TRUE(is_uuid(u)) << u;
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
  EXPECT_EQ(u, make_uuid(b));
  EXPECT_NE(u, make_uuid(c));
  EXPECT_FALSE(is_uuid("not-a-uuid"));
  EXPECT_FALSE(is_uuid("0123456789abcdef0123456789abcdef0123"));
}

TEST(X733, ElevenTypesAndTheProbableCauses) {
  EXPECT_EQ(all_alarm_types().size(), 11u);
  for (AlarmType t : all_alarm_types()) EXPECT_EQ(parse_alarm_type(to_string(t)), t);
  EXPECT_EQ(parse_alarm_type(""), std::nullopt);
  EXPECT_TRUE(is_probable_cause("threshold-crossed"));
  EXPECT_TRUE(is_probable_cause("unknown"));
  EXPECT_FALSE(is_probable_cause("gremlins"));
}

}  // namespace
}  // namespace roost::fm
