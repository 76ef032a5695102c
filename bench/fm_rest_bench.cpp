// FM REST benchmark (not a ctest): an "fm" node on an in-process real runtime (SQLite store,
// synchronous=FULL, group commit) driven over real HTTP on loopback.
//   1. durable set+clear ops/s through POST /v1/alarms and DELETE /v1/alarms/{uuid} with 1, 8 and 32
//      concurrent keep-alive connections (each op is acknowledged only once on disk);
//   2. p50/p99 latency of GET /v1/alarms?limit=1000 with 10,000 active alarms.
//   fm_rest_bench [--seconds S] [--alarms N] [--gets N] [--data-dir DIR] [--address 127.x.y.z]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/blocking_http.h"
#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "platform/core/rng.h"
#include "platform/fm/catalogue.h"
#include "platform/fm/fault_manager.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/fm/rest_json.h"
#include "platform/roles.h"

namespace backends = roost::backends;
using Clock = std::chrono::steady_clock;

namespace {

std::string alarm_body(const std::string& entity) {
  return nlohmann::json{{"alarm_id", "200.006"}, {"entity_instance_id", entity}, {"entity_type_id", "host"},
                        {"severity", "major"}}
      .dump();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"FM REST benchmark: durable set/clear ops/s and GET /v1/alarms latency"};
  double seconds = 3;
  int alarms = 10000, gets = 200;
  std::string data_dir, address = "127.77.0.1";
  app.add_option("--seconds", seconds, "duration of each set/clear run");
  app.add_option("--alarms", alarms, "active alarms for the GET latency run");
  app.add_option("--gets", gets, "GET /v1/alarms?limit=1000 requests to time");
  app.add_option("--data-dir", data_dir, "where the FM database goes (default: a fresh temp dir)");
  app.add_option("--address", address, "loopback address of the fm node");
  CLI11_PARSE(app, argc, argv);

  if (data_dir.empty()) {
    data_dir = (std::filesystem::temp_directory_path() / ("roost-fm-bench-" + std::to_string(getpid()))).string();
    std::filesystem::remove_all(data_dir);
  }
  nlohmann::json cfg = {{"log", {{"level", "warn"}, {"stderr", true}}},
                        {"data_dir", data_dir},
                        {"nodes", {{{"name", "controller-0"}, {"role", "fm"}, {"site", "bench"},
                                    {"config", {{"rest_port", 18002}}},
                                    {"addresses", {{"oam", address}}}}}}};
  auto config = backends::parse_runtime_config(cfg, roost::platform::roles());
  backends::LogSink sink(config.log);
  backends::RealRuntime rt(config, sink, roost::platform::roles());
  rt.start();
  std::thread loop([&] { rt.run(); });
  const backends::HttpUrl url{address, 18002, ""};
  std::printf("fm_rest_bench: fm node on http://%s:18002, database %s/controller-0/fm.db (synchronous=FULL)\n",
              address.c_str(), data_dir.c_str());

  std::atomic<long> entity_seq{0};
  for (int conns : {1, 8, 32}) {
    std::atomic<long> ops{0}, errors{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> ts;
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(conns));
    const auto start = Clock::now();
    for (int c = 0; c < conns; ++c)
      ts.emplace_back([&, c] {
        backends::BlockingHttpClient http(url);
        while (!stop) {
          const std::string entity = "host=bench.process=p" + std::to_string(entity_seq++);
          auto t0 = Clock::now();
          auto r = http.request("POST", "/v1/alarms", alarm_body(entity));
          if (r.status != 201) {
            ++errors;
            continue;
          }
          lat[static_cast<std::size_t>(c)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          const auto uuid = nlohmann::json::parse(r.body).value("uuid", "");
          t0 = Clock::now();
          auto d = http.request("DELETE", "/v1/alarms/" + uuid);
          if (d.status != 204) {
            ++errors;
            continue;
          }
          lat[static_cast<std::size_t>(c)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          ops += 2;
        }
      });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : ts) t.join();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::printf("set/clear, %2d connections: %8.0f durable ops/s  (p50 %.2f ms, p99 %.2f ms, %ld errors)\n", conns,
                static_cast<double>(ops) / secs, percentile(all, 0.5), percentile(all, 0.99), errors.load());
  }

  // 10,000 active alarms, raised by 32 connections.
  {
    std::atomic<int> next{0};
    std::vector<std::thread> ts;
    const auto start = Clock::now();
    for (int c = 0; c < 32; ++c)
      ts.emplace_back([&] {
        backends::BlockingHttpClient http(url);
        for (int i; (i = next++) < alarms;)
          http.request("POST", "/v1/alarms", alarm_body("host=load-" + std::to_string(i / 100) + ".process=p" + std::to_string(i)));
      });
    for (auto& t : ts) t.join();
    std::printf("raised %d alarms in %.2f s\n", alarms, std::chrono::duration<double>(Clock::now() - start).count());
  }
  {
    backends::BlockingHttpClient http(url);
    auto s = http.get("/v1/alarms/summary");
    std::printf("summary: %s\n", s.body.c_str());
    std::vector<double> lat;
    std::size_t bytes = 0;
    for (int i = 0; i < gets; ++i) {
      const auto t0 = Clock::now();
      auto r = http.get("/v1/alarms?limit=1000");
      lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (r.status != 200) std::printf("GET failed: %d %s\n", r.status, r.body.substr(0, 200).c_str());
      bytes = r.body.size();
    }
    std::printf("GET /v1/alarms?limit=1000 with %d active: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu bytes/answer)\n",
                alarms, percentile(lat, 0.5), percentile(lat, 0.99), *std::max_element(lat.begin(), lat.end()), bytes);
  }
  rt.stop();
  loop.join();

  // The same list without HTTP: where the GET's time goes (query vs. JSON vs. transport).
  {
    roost::fm::MemoryAlarmStore store;
    roost::core::Rng rng(1);
    roost::fm::FaultManager fm(roost::fm::builtin_catalogue(), store, rng);
    fm.load();
    for (int i = 0; i < alarms; ++i) {
      roost::fm::Alarm a;
      a.alarm_id = "200.006";
      a.entity_type_id = "host";
      a.entity_instance_id = "host=load-" + std::to_string(i / 100) + ".process=p" + std::to_string(i);
      a.severity = roost::fm::Severity::Major;
      fm.set(a, roost::fm::Stamp{{}, 1767225600000000LL + i});
    }
    std::vector<double> q, js;
    for (int i = 0; i < gets; ++i) {
      const auto t0 = Clock::now();
      roost::fm::AlarmQuery query;
      query.limit = 1000;
      auto page = fm.list(query);
      const auto t1 = Clock::now();
      std::string out;
      for (const auto& v : page->alarms) roost::fm::append_rest_json(out, v);
      const auto t2 = Clock::now();
      q.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      js.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::printf("in process, %d active: FaultManager::list(limit 1000) p50 %.2f ms p99 %.2f ms; JSON p50 %.2f ms p99 %.2f ms\n",
                alarms, percentile(q, 0.5), percentile(q, 0.99), percentile(js, 0.5), percentile(js, 0.99));
  }
  std::filesystem::remove_all(data_dir);
  return 0;
}
