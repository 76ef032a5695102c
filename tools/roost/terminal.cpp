#include "tools/roost/terminal.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace roost::cli {

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

bool stdout_wants_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

namespace {
std::string wrap(std::string_view text, bool on, const char* code) {
  if (!on) return std::string(text);
  return std::string("\033[") + code + "m" + std::string(text) + "\033[0m";
}
}  // namespace

std::string green(std::string_view text, bool on) { return wrap(text, on, "32"); }
std::string red(std::string_view text, bool on) { return wrap(text, on, "31"); }
std::string bold(std::string_view text, bool on) { return wrap(text, on, "1"); }

ProgressLine::ProgressLine(bool enabled, std::string label) : enabled_(enabled), label_(std::move(label)) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(const sim::Progress& p) {
  if (!enabled_) return;
  // Redraw at most ten times a second: a terminal is slower than a fast simulation.
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double pct = p.duration_seconds > 0 ? 100.0 * p.sim_seconds / p.duration_seconds : 0.0;
  const double rate = p.wall_seconds > 0 ? static_cast<double>(p.events) / p.wall_seconds : 0.0;
  const double speed = p.wall_seconds > 0 ? p.sim_seconds / p.wall_seconds : 0.0;
  const bool mega = rate >= 1e6;
  std::fprintf(stderr, "\r\033[2K%s  %.1f / %.1f s simulated  %3.0f%%  %.1f %s events/s  %.0fx real time",
               label_.c_str(), p.sim_seconds, p.duration_seconds, pct, mega ? rate / 1e6 : rate / 1e3,
               mega ? "M" : "k", speed);
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::finish() {
  if (!shown_) return;
  std::fputs("\r\033[2K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace roost::cli
