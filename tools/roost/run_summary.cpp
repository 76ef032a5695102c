#include "tools/roost/run_summary.h"

#include <cstdio>
#include <string_view>

#include "tools/roost/terminal.h"

namespace roost::cli {

using nlohmann::json;

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void row(std::ostream& out, std::string_view label, const std::string& value) {
  std::string padded(label);
  padded.resize(14, ' ');
  out << padded << value << "\n";
}

}  // namespace

void print_run_summary(std::ostream& out, const json& r, const SummaryFiles& files, bool colour) {
  const json& s = r["stats"];
  const json& sc = r["scenario"];
  row(out, "Scenario", bold(sc.value("name", ""), colour) + "  (" + sc.value("file", "") + ")");
  row(out, "Seed", std::to_string(r.value("seed", std::uint64_t{0})));
  row(out, "Time", fixed(s.value("sim_s", 0.0), 3) + " s simulated in " + fixed(s.value("wall_s", 0.0), 3) +
                       " s wall (" + fixed(s.value("ratio", 0.0), 1) + "x real time), peak RSS " +
                       fixed(s.value("peak_rss_mb", 0.0), 1) + " MiB");
  row(out, "Events", grouped(s.value("events", std::uint64_t{0})) + " (" +
                         grouped(s.value("timer_events", std::uint64_t{0})) + " timers, " +
                         grouped(s.value("messages", std::uint64_t{0})) + " messages delivered, " +
                         grouped(s.value("dropped", std::uint64_t{0})) + " dropped)");

  if (r.contains("fleet")) {
    const json& f = r["fleet"];
    const json& t = f["by_type"];
    row(out, "Fleet", grouped(f.value("subclouds", std::uint64_t{0})) + " subclouds (" +
                          grouped(t.value("simplex", std::uint64_t{0})) + " simplex, " +
                          grouped(t.value("duplex", std::uint64_t{0})) + " duplex, " +
                          grouped(t.value("standard", std::uint64_t{0})) + " standard), " +
                          grouped(f.value("nodes", std::uint64_t{0})) + " nodes, " +
                          grouped(static_cast<std::uint64_t>(f.value("events_per_s", 0.0))) + " events/s");
    for (const auto& k : f["fault_kinds"]) {
      const json& d = k["detection"];
      out << "  " << k.value("kind", "") << ": " << k.value("instances", 0) << " faults, " << k.value("detected", 0)
          << " detected";
      if (d.contains("p50_s"))
        out << " (p50 " << fixed(d["p50_s"].get<double>(), 3) << " s, max " << fixed(d["max_s"].get<double>(), 3) << " s)";
      out << ", " << k.value("recovered", 0) << " back\n";
    }
  }

  const json& faults = r["faults"];
  row(out, "Faults", std::to_string(faults.size()));
  // A fleet schedules hundreds: the first ones say what they look like, result.json has them all.
  constexpr std::size_t kListed = 20;
  std::size_t listed = 0;
  for (const auto& f : faults) {
    if (listed++ == kListed) {
      out << "  ... and " << faults.size() - kListed << " more (result.json lists them all)\n";
      break;
    }
    const std::string until = f["until_s"].is_number() ? fixed(f["until_s"].get<double>(), 3) + " s" : "end";
    // The simulation reports every fault it applies; say so loudly if one never happened.
    const bool applied = f["started_s"].is_number();
    out << "  " << f.value("index", 0) << "  " << fixed(f.value("at_s", 0.0), 3) << " s - " << until << "  "
        << f.value("description", "") << (applied ? "" : "  " + red("(never applied)", colour)) << "\n";
  }

  const json& ex = r["expectations"];
  std::size_t passed = 0;
  for (const auto& e : ex) passed += e.value("passed", false) ? 1 : 0;
  const std::string tally = std::to_string(passed) + "/" + std::to_string(ex.size()) + " passed";
  row(out, "Expectations", passed == ex.size() ? green(tally, colour) : red(tally, colour));
  for (const auto& e : ex) {
    const bool ok = e.value("passed", false);
    out << "  " << (ok ? green("PASS", colour) : red("FAIL", colour)) << "  " << e.value("index", 0) << "  "
        << e.value("description", "") << "\n"
        << "           observed: " << e.value("observed_text", "") << "\n";
  }

  row(out, "Trace hash", r.value("trace_hash", ""));
  if (!files.result_json.empty()) {
    row(out, "Result", files.result_json);
    row(out, "Report", files.report_html);
  } else {
    row(out, "Files", "none written (use --out DIR for result.json and report.html)");
  }
}

}  // namespace roost::cli
