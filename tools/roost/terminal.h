// What the CLI shows on a terminal: a one-line progress display on stderr and optional colour.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sim/simulation.h"

namespace roost::cli {

bool stderr_is_terminal();
// Colour on stdout: only to a terminal, and never when NO_COLOR is set (no-color.org).
bool stdout_wants_colour();

// "\033[32mtext\033[0m" when `on`, else the text unchanged.
std::string green(std::string_view text, bool on);
std::string red(std::string_view text, bool on);
std::string bold(std::string_view text, bool on);

// One line on stderr, rewritten in place: simulated time, % done, events per wall second.
// Does nothing when disabled, so callers need not check.
class ProgressLine {
 public:
  ProgressLine(bool enabled, std::string label);
  ~ProgressLine();
  void update(const sim::Progress& p);
  void finish();  // erases the line

 private:
  bool enabled_;
  bool shown_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace roost::cli
