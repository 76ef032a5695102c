// The report's fleet section (a result.json with "fleet"): the fleet's summary, detection and recovery
// latencies per fault kind with their histograms, subclouds online and active alarms over time, and the
// first fault instances. Plain SVG with <title> tooltips, like the other figures.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "harness/html.h"
#include "harness/report.h"
#include "harness/svg_chart.h"

namespace roost::harness {

using nlohmann::json;

namespace {

using svg::kRight;
using svg::kWidth;
using svg::nice_step;
using svg::open_svg;
constexpr double kLeft = 60;

// An x axis from 0 to `span` with ticks labelled `unit`, at y.
std::string x_axis(double left, double width, double span, double y, std::string_view unit) {
  std::string out = "<g class=\"axis\"><line x1=\"" + html::num(left) + "\" y1=\"" + html::num(y) + "\" x2=\"" +
                    html::num(left + width) + "\" y2=\"" + html::num(y) + "\"/>";
  const double step = nice_step(span, 10);
  for (double t = 0; t <= span + step * 1e-6; t += step) {
    const std::string x = html::num(left + t / std::max(span, 1e-9) * width);
    out += "<line x1=\"" + x + "\" y1=\"" + html::num(y) + "\" x2=\"" + x + "\" y2=\"" + html::num(y + 4) + "\"/>";
    out += "<text x=\"" + x + "\" y=\"" + html::num(y + 16) + "\" text-anchor=\"middle\">" + html::num(t) + " " +
           std::string(unit) + "</text>";
  }
  return out + "</g>";
}

std::string y_axis(double top, double height, double peak, std::string_view suffix = "") {
  return "<g class=\"axis\"><line x1=\"" + html::num(kLeft) + "\" y1=\"" + html::num(top) + "\" x2=\"" + html::num(kLeft) +
         "\" y2=\"" + html::num(top + height) + "\"/><text x=\"" + html::num(kLeft - 6) + "\" y=\"" + html::num(top + 10) +
         "\" text-anchor=\"end\">" + html::grouped(static_cast<std::uint64_t>(std::llround(peak))) + std::string(suffix) +
         "</text><text x=\"" + html::num(kLeft - 6) + "\" y=\"" + html::num(top + height) +
         "\" text-anchor=\"end\">0</text></g>";
}

// A step line of samples taken every `step` seconds, filled below, with a dashed line at `reference`.
std::string series_svg(const json& values, double step, double duration, std::string_view label, std::string_view colour,
                        std::optional<double> reference, std::string_view what) {
  constexpr double kTop = 10, kHeight = 160;
  const double width = kWidth - kLeft - kRight;
  double peak = 1;
  for (const auto& v : values) peak = std::max(peak, v.get<double>());
  if (reference) peak = std::max(peak, *reference);
  auto x = [&](double t) { return kLeft + std::clamp(t / std::max(duration, 1e-9), 0.0, 1.0) * width; };
  auto y = [&](double v) { return kTop + kHeight - v / peak * kHeight; };
  std::string out = open_svg(kTop + kHeight + 26, label) + y_axis(kTop, kHeight, peak);
  if (!values.empty()) {
    std::string points = html::num(x(0)) + "," + html::num(y(0));
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double t0 = static_cast<double>(i) * step, t1 = std::min(duration, t0 + step);
      const std::string yv = html::num(y(values[i].get<double>()));
      points += " " + html::num(x(t0)) + "," + yv + " " + html::num(x(t1)) + "," + yv;
    }
    points += " " + html::num(x(std::min(duration, static_cast<double>(values.size()) * step))) + "," + html::num(y(0));
    out += "<polygon points=\"" + points + "\" fill=\"" + std::string(colour) + "\" opacity=\".55\"><title>" +
           html::escape(what) + " every " + html::num(step) + " s</title></polygon>";
  }
  if (reference)
    out += "<line x1=\"" + html::num(kLeft) + "\" y1=\"" + html::num(y(*reference)) + "\" x2=\"" + html::num(kLeft + width) +
           "\" y2=\"" + html::num(y(*reference)) + "\" stroke=\"#666\" stroke-dasharray=\"4 3\"><title>" +
           html::grouped(static_cast<std::uint64_t>(*reference)) + " subclouds in the fleet</title></line>";
  return out + x_axis(kLeft, width, duration, kTop + kHeight, "s") + "</svg>";
}

std::string stat_cell(const json& s, std::string_view key) {
  return s.contains(key) ? html::fixed(s[std::string(key)].get<double>(), 3) + " s" : "–";
}

}  // namespace

std::string fleet_online_svg(const json& result) {
  const json& f = result["fleet"];
  const json& series = f["series"];
  return series_svg(series["online"], series.value("step_s", 10.0), std::max(result.value("duration_s", 0.0), 1e-9),
                    "Subclouds online over time", html::colour(4), f.value("subclouds", 0.0), "subclouds online");
}

std::string fleet_alarms_svg(const json& result) {
  const json& series = result["fleet"]["series"];
  return series_svg(series["active_alarms"], series.value("step_s", 10.0), std::max(result.value("duration_s", 0.0), 1e-9),
                    "Active alarms over time", html::colour(2), std::nullopt, "active alarms");
}

// A histogram of latencies: the "histogram" of a detection or recovery entry ({bin_s, counts}).
std::string latency_histogram_svg(const json& stats, std::string_view label) {
  constexpr double kTop = 10, kHeight = 110;
  const double width = kWidth - kLeft - kRight;
  const json& h = html::member(stats, "histogram");
  const double bin = h.is_object() ? h.value("bin_s", 1.0) : 1.0;
  const json counts = h.is_object() ? h.value("counts", json::array()) : json::array();
  double peak = 1;
  for (const auto& c : counts) peak = std::max(peak, c.get<double>());
  const double span = std::max(bin * static_cast<double>(std::max<std::size_t>(counts.size(), 1)), 1e-9);
  std::string out = open_svg(kTop + kHeight + 26, label) + y_axis(kTop, kHeight, peak);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double n = counts[i].get<double>();
    if (n <= 0) continue;
    const double x0 = kLeft + static_cast<double>(i) * bin / span * width;
    const double w = std::max(1.0, bin / span * width - 1);
    const double hgt = n / peak * kHeight;
    out += "<rect x=\"" + html::num(x0) + "\" y=\"" + html::num(kTop + kHeight - hgt) + "\" width=\"" + html::num(w) +
           "\" height=\"" + html::num(hgt) + "\" fill=\"" + std::string(html::colour(0)) + "\"><title>" +
           html::num(static_cast<double>(i) * bin) + "–" + html::num(static_cast<double>(i + 1) * bin) + " s: " +
           html::grouped(static_cast<std::uint64_t>(n)) + "</title></rect>";
  }
  return out + x_axis(kLeft, width, span, kTop + kHeight, "s") + "</svg>";
}

std::string fleet_section_html(const json& result) {
  const json& f = result["fleet"];
  auto item = [](std::string_view label, const std::string& value) {
    return "<div><dt>" + html::escape(label) + "</dt><dd>" + value + "</dd></div>";
  };
  const json& types = f["by_type"];
  std::string out = "<section><h2>Fleet</h2><dl class=\"summary\">";
  out += item("subclouds", html::grouped(f.value("subclouds", std::uint64_t{0})));
  out += item("simplex / duplex / standard", html::grouped(types.value("simplex", std::uint64_t{0})) + " / " +
                                                 html::grouped(types.value("duplex", std::uint64_t{0})) + " / " +
                                                 html::grouped(types.value("standard", std::uint64_t{0})));
  out += item("nodes", html::grouped(f.value("nodes", std::uint64_t{0})));
  out += item("regions", std::to_string(f.value("regions", json::array()).size()));
  out += item("audits", "every " + html::num(f["audit"].value("interval_s", 0.0)) + " s, offline after " +
                            std::to_string(f["audit"].value("offline_after", 0)) + " failures");
  out += item("events", html::grouped(f.value("events", std::uint64_t{0})));
  out += item("events / wall s", html::grouped(static_cast<std::uint64_t>(f.value("events_per_s", 0.0))));
  out += item("simulated / wall", html::num(f.value("ratio", 0.0), 1) + "×");
  out += item("peak memory", html::num(f.value("peak_rss_mb", 0.0), 1) + " MiB");
  out += item("trace records", html::grouped(f.value("trace_records", std::uint64_t{0})));
  out += "</dl>";

  out += "<h2>Subclouds online</h2><p class=\"note\">Subclouds the system controller has online (its last audit "
         "verdict), sampled every " + html::num(f["series"].value("step_s", 10.0)) +
         " s of simulated time; the dashed line is the whole fleet.</p>" + fleet_online_svg(result);
  out += "<h2>Active alarms</h2><p class=\"note\">Alarms raised and not yet cleared: 280.001 (subcloud offline), "
         "280.002 (out of sync) and the subclouds' host maintenance alarms.</p>" + fleet_alarms_svg(result);

  const json& kinds = f["fault_kinds"];
  out += "<h2>Detection and recovery per fault kind</h2>";
  if (kinds.empty()) {
    out += "<p class=\"note\">The fleet's schedule has no faults.</p>";
  } else {
    out += "<table><thead><tr><th>fault kind</th><th>noticed by</th><th class=\"num\">faults</th>"
           "<th class=\"num\">detected</th><th class=\"num\">min</th><th class=\"num\">p50</th><th class=\"num\">p99</th>"
           "<th class=\"num\">max</th><th class=\"num\">recovered</th><th class=\"num\">p50</th><th class=\"num\">max</th>"
           "</tr></thead><tbody>";
    for (const auto& k : kinds) {
      std::string by;
      for (const auto& d : k["detected_by"]) by += (by.empty() ? "" : ", ") + d.get<std::string>();
      const json& d = k["detection"];
      const json& r = k["recovery"];
      out += "<tr><td>" + html::escape(k.value("kind", "")) + "</td><td class=\"mono\">" + html::escape(by) +
             "</td><td class=\"num\">" + html::grouped(k.value("instances", std::uint64_t{0})) + "</td><td class=\"num\">" +
             html::grouped(k.value("detected", std::uint64_t{0})) + "</td><td class=\"num\">" + stat_cell(d, "min_s") +
             "</td><td class=\"num\">" + stat_cell(d, "p50_s") + "</td><td class=\"num\">" + stat_cell(d, "p99_s") +
             "</td><td class=\"num\">" + stat_cell(d, "max_s") + "</td><td class=\"num\">" +
             html::grouped(k.value("recovered", std::uint64_t{0})) + "</td><td class=\"num\">" + stat_cell(r, "p50_s") +
             "</td><td class=\"num\">" + stat_cell(r, "max_s") + "</td></tr>";
    }
    out += "</tbody></table>";
    for (const auto& k : kinds) {
      const std::string kind = k.value("kind", "");
      if (k["detection"].value("count", 0) > 0)
        out += "<h3>" + html::escape(kind) + ": detection latency</h3>" +
               latency_histogram_svg(k["detection"], kind + " detection latency");
      if (k["recovery"].value("count", 0) > 0)
        out += "<h3>" + html::escape(kind) + ": recovery latency</h3>" +
               latency_histogram_svg(k["recovery"], kind + " recovery latency");
    }
  }

  const json& alarms = f["alarms"];
  if (!alarms.empty()) {
    out += "<h2>Alarms</h2><table><thead><tr><th>alarm</th><th class=\"num\">raised</th><th class=\"num\">cleared</th>"
           "</tr></thead><tbody>";
    for (const auto& [id, c] : alarms.items())
      out += "<tr><td class=\"mono\">" + html::escape(id) + "</td><td class=\"num\">" +
             html::grouped(c.value("raised", std::uint64_t{0})) + "</td><td class=\"num\">" +
             html::grouped(c.value("cleared", std::uint64_t{0})) + "</td></tr>";
    out += "</tbody></table>";
  }

  constexpr std::size_t kShown = 300;
  const json& inst = f["instances"];
  const json& rows = inst["rows"];
  out += "<h2>Fault instances</h2><details><summary>" + html::grouped(inst.value("total", std::uint64_t{0})) +
         " fault instances (one per subcloud a fault hits)</summary>";
  if (rows.size() > kShown || inst.value("capped", false))
    out += "<p class=\"note\">The first " + html::grouped(std::min(kShown, rows.size())) + " are shown; result.json lists " +
           html::grouped(rows.size()) + ".</p>";
  out += "<table><thead><tr><th class=\"num\">fault</th><th>kind</th><th>subcloud</th><th>host</th>"
         "<th class=\"num\">at</th><th class=\"num\">until</th><th class=\"num\">detected</th><th class=\"num\">back</th>"
         "</tr></thead><tbody>";
  auto delay = [](const json& v) { return v.is_number() ? "+" + html::fixed(v.get<double>(), 3) + " s" : std::string("–"); };
  for (std::size_t i = 0; i < rows.size() && i < kShown; ++i) {
    const json& r = rows[i];
    out += "<tr><td class=\"num\">" + std::to_string(r.value("fault", 0)) + "</td><td>" + html::escape(r.value("kind", "")) +
           "</td><td>" + html::escape(r.value("subcloud", "")) + "</td><td>" +
           (r["node"].is_string() ? html::escape(r["node"].get<std::string>()) : "") + "</td><td class=\"num\">" +
           html::num(r.value("at_s", 0.0)) + " s</td><td class=\"num\">" +
           (r["until_s"].is_number() ? html::num(r["until_s"].get<double>()) + " s" : "end") + "</td><td class=\"num\">" +
           delay(r["detection_s"]) + "</td><td class=\"num\">" + delay(r["recovery_s"]) + "</td></tr>";
  }
  return out + "</tbody></table></details></section>";
}

}  // namespace roost::harness
