#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "platform/core/codec.h"
#include "platform/core/message.h"

namespace roost::core {
namespace {

enum class Color : std::uint8_t { Red = 1, Green = 2 };

struct Inner {
  std::string name;
  std::int32_t delta = 0;
  template <class V>
  void visit(V& v) { v("name", name); v("delta", delta); }
  bool operator==(const Inner&) const = default;
};

struct Everything {
  static constexpr MessageTypeId kType = 0x7f01;
  static constexpr std::string_view kName = "test.everything";
  std::uint64_t u = 0;
  std::int64_t i = 0;
  bool b = false;
  double d = 0;
  std::string s;
  Color c = Color::Red;
  Duration dur{};
  std::vector<Inner> list;
  std::optional<std::uint32_t> opt;
  std::map<std::string, std::int64_t> map;
  template <class V>
  void visit(V& v) {
    v("u", u); v("i", i); v("b", b); v("d", d); v("s", s); v("c", c); v("dur", dur); v("list", list);
    v("opt", opt); v("map", map);
  }
  bool operator==(const Everything&) const = default;
};

TEST(Codec, RoundTripsEveryFieldKind) {
  Everything e{42, -7, true, 2.5, "hello", Color::Green, milliseconds(1500), {{"a", -1}, {"bb", 300}}, 9u,
               {{"x", -3}, {"y", 1LL << 40}}};
  const std::string bytes = encode(e);
  Everything back;
  ASSERT_EQ(decode(bytes, back), std::nullopt);
  EXPECT_EQ(back, e);
}

struct Seq {
  std::uint64_t seq = 0;
  template <class V>
  void visit(V& v) { v("seq", seq); }
};
struct Longs {
  std::vector<std::uint64_t> xs;
  template <class X>
  void visit(X& x) { x("xs", xs); }
};
struct Mixed {
  std::uint64_t u;
  std::int64_t i;
  std::string s;
  std::vector<std::int32_t> xs;
  template <class V>
  void visit(V& v) { v("u", u); v("i", i); v("s", s); v("xs", xs); }
};

TEST(Codec, SmallMessagesStaySmall) {
  EXPECT_EQ(encode(Seq{5}).size(), 1u);
  EXPECT_EQ(encode(Seq{1000}).size(), 2u);
}

TEST(Codec, TruncatedInputNamesTheField) {
  Everything e;
  e.s = "a string long enough to cut";
  std::string bytes = encode(e);
  bytes.resize(bytes.size() / 2);
  Everything back;
  auto err = decode(bytes, back);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("field"), std::string::npos) << *err;
}

TEST(Codec, HostileLengthsDoNotAllocate) {
  // A vector claiming 2^60 elements in a 10-byte message must fail cleanly, not allocate.
  std::string bytes;
  BinaryWriter w(bytes);
  w.varint(1ULL << 60);
  Longs v;
  EXPECT_TRUE(decode(bytes, v).has_value());
}

TEST(Codec, JsonRendering) {
  Everything e;
  e.s = "x";
  e.dur = milliseconds(250);
  auto j = to_json(e);
  EXPECT_EQ(j["s"], "x");
  EXPECT_DOUBLE_EQ(j["dur"].get<double>(), 0.25);
  EXPECT_TRUE(j["opt"].is_null());
}

RC_GTEST_PROP(CodecProperty, IntegersAndStringsRoundTrip, (std::uint64_t u, std::int64_t i, std::string s,
                                                            std::vector<std::int32_t> xs)) {
  Mixed m{u, i, s, xs}, back{};
  RC_ASSERT(!decode(encode(m), back).has_value());
  RC_ASSERT(back.u == u);
  RC_ASSERT(back.i == i);
  RC_ASSERT(back.s == s);
  RC_ASSERT(back.xs == xs);
}

RC_GTEST_PROP(CodecProperty, ArbitraryBytesNeverCrashTheDecoder, (std::string junk)) {
  Everything e;
  (void)decode(junk, e);
  Frame f;
  (void)decode_frame(junk, f);
}

TEST(Frame, RoundTripAndSize) {
  Envelope e{0x0201, std::string("\x05", 1)};
  const std::string bytes = encode_frame("controller-0", "worker-1", e);
  EXPECT_EQ(bytes.size(), frame_size("controller-0", "worker-1", e));
  Frame f;
  ASSERT_EQ(decode_frame(bytes, f), std::nullopt);
  EXPECT_EQ(f.from, "controller-0");
  EXPECT_EQ(f.to, "worker-1");
  EXPECT_EQ(f.envelope.type, 0x0201);
  EXPECT_EQ(f.envelope.body, e.body);
}

TEST(Frame, RejectsForeignBytesWithAReason) {
  Frame f;
  EXPECT_EQ(decode_frame("GET / HTTP/1.1", f).value(), "not a Roost frame (bad magic)");
  EXPECT_EQ(decode_frame("R", f).value(), "frame shorter than its 4-byte header");
  EXPECT_NE(decode_frame(std::string("R\x09\x01\x02", 4), f).value().find("version"), std::string::npos);
}

}  // namespace
}  // namespace roost::core
