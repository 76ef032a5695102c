#include "harness/report.h"

#include <algorithm>
#include <vector>

#include "harness/html.h"

namespace roost::harness {

using nlohmann::json;

namespace {

constexpr std::string_view kStyle = R"css(
:root { --pass: #2e7d32; --fail: #c62828; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1000px;
       padding: 24px; color: #222; }
h1 { margin: 0 0 4px; font-size: 24px; } h2 { font-size: 17px; margin: 28px 0 8px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600;
         font-size: 13px; vertical-align: middle; margin-left: 8px; }
.pass { background: var(--pass); } .fail { background: var(--fail); }
.desc { color: var(--muted); margin: 4px 0 16px; }
dl.summary { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px 16px; margin: 0; }
dl.summary div { border-left: 3px solid var(--line); padding-left: 8px; }
dt { color: var(--muted); font-size: 12px; } dd { margin: 0; font-weight: 600; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.result { font-weight: 700; } td.result.pass { color: var(--pass); background: none; }
td.result.fail { color: var(--fail); background: none; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
svg { display: block; max-width: 100%; height: auto; font-size: 11px; }
svg text { fill: #333; } svg .axis line { stroke: #999; } svg .lane { stroke: #eee; }
svg .fault rect { fill: var(--fail); opacity: .55; } svg .hit { fill: var(--fail); opacity: .12; } svg .activity { fill: #4e79a7; opacity: .6; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; font-size: 12px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px;
                       background: var(--c); vertical-align: -1px; }
.note { color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
)css";

std::string cell(const std::string& content, std::string_view cls = {}) {
  return cls.empty() ? "<td>" + content + "</td>" : "<td class=\"" + std::string(cls) + "\">" + content + "</td>";
}

std::string summary_item(std::string_view label, const std::string& value) {
  return "<div><dt>" + html::escape(label) + "</dt><dd>" + value + "</dd></div>";
}

std::string header(const json& r) {
  const json& s = r["stats"];
  const json& ex = r["expectations"];
  const auto passed = std::count_if(ex.begin(), ex.end(), [](const json& e) { return e.value("passed", false); });
  const bool ok = r.value("passed", false);
  std::string out = "<header><h1>" + html::escape(r["scenario"].value("name", "")) + "<span class=\"badge " +
                    (ok ? "pass\">PASS" : "fail\">FAIL") + " " + std::to_string(passed) + "/" +
                    std::to_string(ex.size()) + "</span></h1>";
  out += "<p class=\"desc\">" + html::escape(r["scenario"].value("description", "")) + "</p><dl class=\"summary\">";
  out += summary_item("seed", html::escape(std::to_string(r.value("seed", std::uint64_t{0}))));
  out += summary_item("simulated", html::num(s.value("sim_s", 0.0), 3) + " s");
  out += summary_item("wall clock", html::num(s.value("wall_s", 0.0), 3) + " s");
  out += summary_item("speed", html::num(s.value("ratio", 0.0), 1) + "× real time");
  out += summary_item("events", html::grouped(s.value("events", std::uint64_t{0})));
  out += summary_item("messages", html::grouped(s.value("messages", std::uint64_t{0})));
  out += summary_item("dropped", html::grouped(s.value("dropped", std::uint64_t{0})));
  out += summary_item("peak memory", html::num(s.value("peak_rss_mb", 0.0), 1) + " MiB");
  out += summary_item("faults", std::to_string(r.value("faults", json::array()).size()));
  out += summary_item("LAN mode", html::escape(r.value("lan_mode", "")));
  out += summary_item("scenario file", "<span class=\"mono\">" + html::escape(r["scenario"].value("file", "")) + "</span>");
  out += summary_item("trace hash", "<span class=\"mono\">" + html::escape(r.value("trace_hash", "")) + "</span>");
  return out + "</dl></header>";
}

std::string window_text(const json& e) {
  const json& w = e["window_s"];
  if (!w.is_array() || w.size() != 2) return "";
  return html::num(w[0].get<double>()) + " – " + html::num(w[1].get<double>()) + " s";
}

std::string expectations_table(const json& r) {
  const json& ex = r["expectations"];
  if (ex.empty()) return "<p class=\"note\">This scenario states no expectations.</p>";
  std::string out = "<table><thead><tr><th>#</th><th>result</th><th>expectation</th><th>window</th><th>observed</th>"
                    "</tr></thead><tbody>";
  for (const auto& e : ex) {
    const bool ok = e.value("passed", false);
    std::string what = html::escape(e.value("description", ""));
    if (e.value("description", "") != e.value("rule", ""))
      what += "<br><span class=\"note\">" + html::escape(e.value("rule", "")) + "</span>";
    out += "<tr>" + cell(std::to_string(e.value("index", 0)), "num") +
           cell(ok ? "PASS" : "FAIL", ok ? "result pass" : "result fail") + cell(what) + cell(window_text(e)) +
           cell(html::escape(e.value("observed_text", ""))) + "</tr>";
  }
  return out + "</tbody></table>";
}

std::string legend(const json& r) {
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& [name, colour] : event_colours(r)) items.emplace_back(name, colour);
  if (items.empty()) return "";
  std::string out = "<div class=\"legend\">";
  for (const auto& [name, colour] : items)
    out += "<span style=\"--c:" + html::escape(colour) + "\">" + html::escape(name) + "</span>";
  return out + "</div>";
}

std::string detection_table(const json& r) {
  const json& d = r.value("detection_latencies", json::array());
  if (d.empty())
    return "<p class=\"note\">No expectation ties an event to the start of a fault, so there is nothing to time.</p>";
  std::string out = "<table><thead><tr><th>fault kind</th><th>detected by</th><th class=\"num\">samples</th>"
                    "<th class=\"num\">min</th><th class=\"num\">mean</th><th class=\"num\">max</th></tr></thead><tbody>";
  for (const auto& g : d)
    out += "<tr>" + cell(html::escape(g.value("fault_kind", ""))) + cell(html::escape(g.value("event", ""))) +
           cell(std::to_string(g["samples"].size()), "num") + cell(html::fixed(g.value("min_s", 0.0), 3) + " s", "num") +
           cell(html::fixed(g.value("mean_s", 0.0), 3) + " s", "num") + cell(html::fixed(g.value("max_s", 0.0), 3) + " s", "num") +
           "</tr>";
  return out + "</tbody></table>";
}

std::string counts_table(const json& r) {
  std::vector<std::pair<std::uint64_t, std::string>> rows;
  for (const auto& [name, n] : html::member(r, "event_counts").items())
    rows.emplace_back(n.get<std::uint64_t>(), name);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string out = "<table><thead><tr><th>event</th><th class=\"num\">records</th></tr></thead><tbody>";
  for (const auto& [n, name] : rows) out += "<tr>" + cell(html::escape(name), "mono") + cell(html::grouped(n), "num") + "</tr>";
  return out + "</tbody></table>";
}

std::string records_table(const json& r) {
  constexpr std::size_t kShown = 2000;  // a page stays light; result.json has the rest
  const json& notable = r["notable"];
  const json& records = notable["records"];
  std::string out = "<details><summary>" + html::grouped(notable.value("total", std::uint64_t{0})) +
                    " records at level info or above</summary>";
  if (notable.value("capped", false)) out += "<p class=\"note\">" + html::escape(notable.value("note", "")) + "</p>";
  if (records.size() > kShown)
    out += "<p class=\"note\">The first " + html::grouped(kShown) + " are shown; result.json lists " +
           html::grouped(records.size()) + ".</p>";
  out += "<table><thead><tr><th class=\"num\">t (s)</th><th>node</th><th>level</th><th>event</th><th>fields</th></tr>"
         "</thead><tbody>";
  for (std::size_t i = 0; i < records.size() && i < kShown; ++i) {
    const json& rec = records[i];
    std::string fields;
    for (const auto& [k, v] : html::member(rec, "fields").items())
      fields += (fields.empty() ? "" : " ") + html::escape(k) + "=" + html::text(v);
    out += "<tr>" + cell(html::num(rec.value("t", 0.0), 6), "num") + cell(html::escape(rec.value("node", ""))) +
           cell(html::escape(rec.value("level", ""))) + cell(html::escape(rec.value("event", "")), "mono") +
           cell(fields, "mono") + "</tr>";
  }
  return out + "</tbody></table></details>";
}

}  // namespace

std::string report_html(const json& r) {
  const bool ok = r.value("passed", false);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
                    html::escape(r["scenario"].value("name", "")) + (ok ? " · PASS" : " · FAIL") +
                    " · Roost</title><style>" + std::string(kStyle) + "</style></head><body>\n";
  out += header(r);
  out += "\n<section><h2>Expectations</h2>" + expectations_table(r) + "</section>";
  if (r.contains("fleet")) {
    // A lane per node does not scale to a fleet: its own section has the figures that do.
    out += "\n" + fleet_section_html(r);
  } else {
    out += "\n<section><h2>Timeline</h2><p class=\"note\">Faults as bars from start to end; each mark is one notable "
           "trace record on that node (hover for details).</p>" + timeline_svg(r) + legend(r) + "</section>";
  }
  out += "\n<section><h2>Detection latency</h2>" + detection_table(r) + "</section>";
  out += "\n<section><h2>Trace events over time</h2><p class=\"note\">Records per " +
         html::num(r["event_timeline"].value("bucket_s", 1.0)) + " s of simulated time, stacked by event.</p>" +
         event_chart_svg(r) + legend(r) + "</section>";
  out += "\n<section><h2>Simulation activity</h2><p class=\"note\">Timer firings and message deliveries per simulated "
         "second.</p>" + activity_svg(r) + "</section>";
  out += "\n<section><h2>Event counts</h2>" + counts_table(r) + "</section>";
  out += "\n<section><h2>Notable records</h2>" + records_table(r) + "</section>";
  out += "\n<footer>Generated by roost " + html::escape(r.value("roost_version", "")) + " with SimGrid " +
         html::escape(r.value("simgrid_version", "")) + " · result format " +
         std::to_string(r.value("roost_result", 0)) + "</footer>\n</body></html>\n";
  return out;
}

}  // namespace roost::harness
