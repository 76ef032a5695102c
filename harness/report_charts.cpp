// The report's SVG figures: a timeline of faults and notable events per node, stacked bars of trace
// events over time, and the simulation's activity. Plain SVG with <title> tooltips; no script.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
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

struct Scale {
  double left, width, duration;
  double x(double t) const { return left + std::clamp(t / duration, 0.0, 1.0) * width; }
};

std::string time_axis(const Scale& s, double y) {
  std::string out = "<g class=\"axis\"><line x1=\"" + html::num(s.left) + "\" y1=\"" + html::num(y) + "\" x2=\"" +
                    html::num(s.left + s.width) + "\" y2=\"" + html::num(y) + "\"/>";
  const double step = nice_step(s.duration, 10);
  for (double t = 0; t <= s.duration + step * 1e-6; t += step) {
    const std::string x = html::num(s.x(t));
    out += "<line x1=\"" + x + "\" y1=\"" + html::num(y) + "\" x2=\"" + x + "\" y2=\"" + html::num(y + 4) + "\"/>";
    out += "<text x=\"" + x + "\" y=\"" + html::num(y + 16) + "\" text-anchor=\"middle\">" + html::num(t) + " s</text>";
  }
  return out + "</g>";
}

std::string fields_text(const json& fields) {
  std::string out;
  for (const auto& [k, v] : fields.items()) out += " " + html::escape(k) + "=" + html::text(v);
  return out;
}

double duration_of(const json& result) { return std::max(result.value("duration_s", 0.0), 1e-9); }

}  // namespace

std::map<std::string, std::string> event_colours(const json& result) {
  std::vector<std::pair<std::uint64_t, std::string>> by_count;
  for (const auto& [name, n] : html::member(result, "event_counts").items())
    by_count.emplace_back(n.get<std::uint64_t>(), name);
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::map<std::string, std::string> out;
  // The nine most frequent events get their own colour; the rest share the last one.
  for (std::size_t i = 0; i < by_count.size(); ++i) out[by_count[i].second] = std::string(html::colour(std::min<std::size_t>(i, 9)));
  return out;
}

std::string timeline_svg(const json& result) {
  const double duration = duration_of(result);
  const Scale scale{200, kWidth - 200 - kRight, duration};
  const auto colours = event_colours(result);
  constexpr double kRow = 22, kTop = 8;

  // Rows: every fault, then every node (in scenario order), then anything else that logged.
  std::vector<std::string> nodes;
  for (const auto& n : result.value("nodes", json::array())) nodes.push_back(n.value("name", ""));
  const json& records = result["notable"]["records"];
  for (const auto& r : records) {
    const auto name = r.value("node", "");
    if (std::find(nodes.begin(), nodes.end(), name) == nodes.end()) nodes.push_back(name);
  }
  const json faults = result.value("faults", json::array());
  const double axis_y = kTop + kRow * static_cast<double>(faults.size() + nodes.size()) + 6;
  std::string out = open_svg(axis_y + 24, "Timeline of faults and notable events");

  double y = kTop;
  std::map<std::string, double> row_y;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    row_y[nodes[i]] = kTop + kRow * static_cast<double>(faults.size() + i);
  std::map<std::string, std::string> site_of;
  for (const auto& n : result.value("nodes", json::array())) site_of[n.value("name", "")] = n.value("site", "");

  std::string shading;  // drawn under the marks: each fault also shades the lanes of the nodes it hits
  for (const auto& f : faults) {
    const double at = f.value("at_s", 0.0);
    // A restart is an instant, not a span: it gets a thin mark and shades no lane.
    const bool instant = f.value("kind", "") == "host-restart";
    const double until = instant ? at : f["until_s"].is_number() ? f["until_s"].get<double>() : duration;
    const std::string label = f.value("label", "");
    const std::string row_name = std::to_string(f.value("index", 0)) + " · " +
                                 (label.empty() ? f.value("description", "") : label);
    const std::string name = "fault " + std::to_string(f.value("index", 0)) + ": " + f.value("description", "");
    const std::string when =
        instant ? "at " + html::num(at) + " s"
                : html::num(at) + " s – " + (f["until_s"].is_number() ? html::num(until) + " s" : "end");
    const std::string x = html::num(scale.x(at));
    const std::string w = html::num(std::max(2.0, scale.x(until) - scale.x(at)));
    out += "<g class=\"fault\"><text class=\"row\" x=\"" + html::num(scale.left - 8) + "\" y=\"" + html::num(y + 15) +
           "\" text-anchor=\"end\">" + html::escape(html::shorten(row_name, 30)) +
           "</text><rect x=\"" + x + "\" y=\"" + html::num(y + 4) + "\" width=\"" + w +
           "\" height=\"14\" rx=\"2\"><title>" + html::escape(name) + " (" + html::escape(when) + ")</title></rect></g>";
    std::set<std::string> hit;
    if (!instant) {
      for (const auto& n : html::member(f, "nodes")) hit.insert(n.get<std::string>());
      for (const auto& g : html::member(f, "groups"))
        for (const auto& n : g) hit.insert(n.get<std::string>());
      if (f.contains("site"))
        for (const auto& [n, site] : site_of)
          if (site == f["site"]) hit.insert(n);
    }
    for (const auto& n : hit)
      if (row_y.count(n))
        shading += "<rect class=\"hit\" x=\"" + x + "\" y=\"" + html::num(row_y[n] + 2) + "\" width=\"" + w +
                   "\" height=\"18\"><title>" + html::escape(name) + "</title></rect>";
    y += kRow;
  }
  for (const auto& n : nodes) {
    out += "<text class=\"row\" x=\"" + html::num(scale.left - 8) + "\" y=\"" + html::num(y + 15) +
           "\" text-anchor=\"end\">" + html::escape(n) + "</text><line class=\"lane\" x1=\"" + html::num(scale.left) +
           "\" y1=\"" + html::num(y + 11) + "\" x2=\"" + html::num(scale.left + scale.width) + "\" y2=\"" +
           html::num(y + 11) + "\"/>";
    y += kRow;
  }
  out += shading;
  for (const auto& r : records) {
    const double t = r.value("t", 0.0);
    const auto event = r.value("event", "");
    const auto it = colours.find(event);
    out += "<rect class=\"mark\" x=\"" + html::num(scale.x(t) - 1.5) + "\" y=\"" +
           html::num(row_y[r.value("node", "")] + 4) + "\" width=\"3\" height=\"14\" fill=\"" +
           (it == colours.end() ? std::string(html::colour(9)) : it->second) + "\"><title>" + html::num(t, 3) + " s " +
           html::escape(r.value("node", "")) + " " + html::escape(event) + fields_text(html::member(r, "fields")) +
           "</title></rect>";
  }
  return out + time_axis(scale, axis_y) + "</svg>";
}

std::string event_chart_svg(const json& result) {
  const json& tl = result["event_timeline"];
  const double width_s = tl.value("bucket_s", 1.0);
  const auto buckets = std::max<std::size_t>(tl.value("buckets", std::size_t{1}), 1);
  const auto colours = event_colours(result);
  const Scale scale{60, kWidth - 60 - kRight, duration_of(result)};
  constexpr double kTop = 10, kHeight = 180;

  std::vector<std::uint64_t> totals(buckets, 0);
  for (const auto& [name, counts] : tl["series"].items())
    for (std::size_t i = 0; i < counts.size() && i < buckets; ++i) totals[i] += counts[i].get<std::uint64_t>();
  const double peak = static_cast<double>(std::max<std::uint64_t>(1, *std::max_element(totals.begin(), totals.end())));

  std::string out = open_svg(kTop + kHeight + 26, "Trace events over time");
  out += "<g class=\"axis\"><line x1=\"" + html::num(scale.left) + "\" y1=\"" + html::num(kTop) + "\" x2=\"" +
         html::num(scale.left) + "\" y2=\"" + html::num(kTop + kHeight) + "\"/><text x=\"" + html::num(scale.left - 6) +
         "\" y=\"" + html::num(kTop + 10) + "\" text-anchor=\"end\">" + html::grouped(static_cast<std::uint64_t>(peak)) +
         "</text><text x=\"" + html::num(scale.left - 6) + "\" y=\"" + html::num(kTop + kHeight) +
         "\" text-anchor=\"end\">0</text></g>";
  std::vector<double> stacked(buckets, 0);
  for (const auto& [name, counts] : tl["series"].items()) {
    const auto it = colours.find(name);
    const std::string fill = it == colours.end() ? std::string(html::colour(9)) : it->second;
    for (std::size_t i = 0; i < counts.size() && i < buckets; ++i) {
      const auto n = counts[i].get<std::uint64_t>();
      if (n == 0) continue;
      const double h = static_cast<double>(n) / peak * kHeight;
      stacked[i] += h;
      const double t0 = static_cast<double>(i) * width_s;
      const double x0 = scale.x(t0), x1 = scale.x(t0 + width_s);
      out += "<rect x=\"" + html::num(x0) + "\" y=\"" + html::num(kTop + kHeight - stacked[i]) + "\" width=\"" +
             html::num(std::max(1.0, x1 - x0 - 1)) + "\" height=\"" + html::num(h) + "\" fill=\"" + fill +
             "\"><title>" + html::num(t0) + "–" + html::num(t0 + width_s) + " s: " + html::escape(name) + " × " +
             html::grouped(n) + "</title></rect>";
    }
  }
  return out + time_axis(scale, kTop + kHeight) + "</svg>";
}

std::string activity_svg(const json& result) {
  const Scale scale{60, kWidth - 60 - kRight, duration_of(result)};
  constexpr double kTop = 10, kHeight = 120;
  // Events per simulated second between consecutive samples.
  std::vector<std::pair<double, double>> rate;
  double prev_t = 0, prev_e = 0;
  for (const auto& s : result.value("activity", json::array())) {
    const double t = s.value("t", 0.0), e = s.value("events", 0.0);
    if (t > prev_t) rate.emplace_back(t, (e - prev_e) / (t - prev_t));
    prev_t = t;
    prev_e = e;
  }
  double peak = 1;
  for (const auto& [t, r] : rate) peak = std::max(peak, r);
  std::string out = open_svg(kTop + kHeight + 26, "Simulated events per simulated second");
  out += "<g class=\"axis\"><line x1=\"" + html::num(scale.left) + "\" y1=\"" + html::num(kTop) + "\" x2=\"" +
         html::num(scale.left) + "\" y2=\"" + html::num(kTop + kHeight) + "\"/><text x=\"" + html::num(scale.left - 6) +
         "\" y=\"" + html::num(kTop + 10) + "\" text-anchor=\"end\">" + html::grouped(static_cast<std::uint64_t>(peak)) +
         "/s</text></g>";
  if (!rate.empty()) {
    std::string points = html::num(scale.x(0)) + "," + html::num(kTop + kHeight);
    double t_prev = 0;
    for (const auto& [t, r] : rate) {
      const std::string y = html::num(kTop + kHeight - r / peak * kHeight);
      points += " " + html::num(scale.x(t_prev)) + "," + y + " " + html::num(scale.x(t)) + "," + y;
      t_prev = t;
    }
    points += " " + html::num(scale.x(t_prev)) + "," + html::num(kTop + kHeight);
    out += "<polygon class=\"activity\" points=\"" + points + "\"/>";
  }
  return out + time_axis(scale, kTop + kHeight) + "</svg>";
}

}  // namespace roost::harness
