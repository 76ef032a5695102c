#include "platform/fm/utc_time.h"

#include <charconv>
#include <chrono>

namespace roost::fm {

namespace {

// Days since 1970-01-01 -> civil date, and back: std::chrono's calendar types do the arithmetic.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string format_utc_micros(std::int64_t us) {
  using namespace std::chrono;
  const std::int64_t day_us = 86'400'000'000LL;
  std::int64_t days = us / day_us;
  std::int64_t rem = us % day_us;
  if (rem < 0) {
    rem += day_us;
    --days;
  }
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  const std::int64_t secs = rem / 1'000'000;
  // Fixed-width fields written in place: this runs once per alarm of every listed page.
  char buf[32] = "0000-00-00T00:00:00.000000";
  const auto put = [&](int pos, int width, std::int64_t v) {
    for (int i = pos + width - 1; i >= pos; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  };
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, secs / 3600);
  put(14, 2, secs / 60 % 60);
  put(17, 2, secs % 60);
  put(20, 6, rem % 1'000'000);
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return std::to_string(year) + std::string(buf + 4, 22);  // outside ISO's 4 digits
  put(0, 4, year);
  return std::string(buf, 26);
}

std::optional<std::int64_t> parse_utc_micros(std::string_view s) {
  using namespace std::chrono;
  if (!s.empty() && s.find_first_not_of("-0123456789") == std::string_view::npos) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
    return std::nullopt;
  }
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  const std::string_view zone = s.substr(pos);
  if (!zone.empty() && zone != "Z" && zone != "+00:00") return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const std::int64_t days = sys_days{ymd}.time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * 60'000'000LL + static_cast<std::int64_t>(sec) * 1'000'000 + micros;
}

}  // namespace roost::fm
