// What every SVG figure of the report shares: the figure width, the tick step and the <svg> opening tag
// (report_charts.cpp for the run's figures, report_fleet.cpp for the fleet's).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "harness/html.h"

namespace roost::harness::svg {

inline constexpr double kWidth = 960;
inline constexpr double kRight = 16;

// A step of 1, 2 or 5 times a power of ten that cuts `span` into at most `max_ticks` pieces.
inline double nice_step(double span, int max_ticks) {
  const double raw = std::max(span, 1e-9) / max_ticks;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (decade * m >= raw) return decade * m;
  return decade * 10;
}

inline std::string open_svg(double height, std::string_view label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + html::num(kWidth) + " " + html::num(height) +
         "\" width=\"" + html::num(kWidth) + "\" height=\"" + html::num(height) + "\" role=\"img\" aria-label=\"" +
         html::escape(label) + "\">";
}

}  // namespace roost::harness::svg
