// FM store benchmark (not a test): how many set/clear operations per second become durable and
// acknowledged through the fault manager and the SQLite store, with group commit and with one commit
// per operation; and how long listing 1,000 of 10,000 active alarms takes through the FM logic.
//
//   fm_store_bench [--dir DIR] [--ops N] [--window W] [--single-ops N] [--list yes|no]
// DIR (default: the system temp dir) should be on the disk under test: every commit is fsynced there.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "backends/sqlite/completion_queue.h"
#include "backends/sqlite/sqlite_alarm_store.h"
#include "platform/fm/fault_manager.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/fm/rest_json.h"

namespace {

using namespace roost;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string dir = std::filesystem::temp_directory_path().string();
  std::size_t ops = 200'000;
  std::size_t window = 20'000;  // operations in flight at once (concurrent clients)
  std::size_t single_ops = 2'000;
  bool list = true;
};

fm::Stamp now_stamp() {
  const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return fm::Stamp{core::TimePoint(std::chrono::duration_cast<core::Duration>(Clock::now().time_since_epoch())),
                   wall.count()};
}

fm::Alarm heartbeat_alarm(std::size_t host, bool critical) {
  fm::Alarm a;
  a.alarm_id = "200.005";
  a.entity_type_id = "host";
  a.entity_instance_id = "host=compute-" + std::to_string(host);
  a.severity = critical ? fm::Severity::Critical : fm::Severity::Major;
  return a;
}

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct ThroughputResult {
  double ops_per_s = 0;
  double seconds = 0;
  // CPU per operation on the node's thread (FM logic, completions) and on the rest of the process
  // (the store's writer thread): what the throughput would be on idle cores, whatever else runs here.
  double node_cpu_us = 0;
  double writer_cpu_us = 0;
  roost::sqlite::SqliteAlarmStore::Stats stats;
};

// Drives `ops` operations (a set, then later a clear, of heartbeat alarms on 5,000 hosts) through a
// FaultManager on a SQLite store, with at most `window` unacknowledged at once. Counts an operation
// only when its ack says it is durable.
ThroughputResult durable_throughput(const std::string& path, sqlite::SqliteOptions options, std::size_t ops,
                                    std::size_t window) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  sqlite::CompletionQueue completions;
  sqlite::SqliteAlarmStore store(path, options, completions.executor());
  core::Rng rng(1);
  fm::FaultManager manager(fm::builtin_catalogue(), store, rng);
  manager.load();
  store.flush();
  completions.run_ready();

  std::size_t issued = 0, acked = 0, failed = 0;
  const auto on_ack = [&](bool ok) {
    ++acked;
    failed += ok ? 0 : 1;
  };
  const std::size_t hosts = 5000;
  const double node_cpu0 = cpu_seconds(RUSAGE_THREAD), all_cpu0 = cpu_seconds(RUSAGE_SELF);
  const auto start = Clock::now();
  while (acked < ops) {
    while (issued < ops && issued - acked < window) {
      const std::size_t host = issued % hosts;
      const bool clear_round = (issued / hosts) % 2 == 1;  // set all hosts, clear all hosts, ...
      const fm::Stamp at = now_stamp();
      if (clear_round) {
        manager.clear("200.005", "host=compute-" + std::to_string(host), at,
                      [&](const fm::Outcome<fm::ClearResult>& o) { on_ack(o.ok()); });
      } else {
        manager.set(heartbeat_alarm(host, issued % 7 == 0), at, {},
                    [&](const fm::Outcome<fm::SetResult>& o) { on_ack(o.ok()); });
      }
      ++issued;
    }
    completions.wait_and_run(std::chrono::milliseconds(100));
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const double node_cpu = cpu_seconds(RUSAGE_THREAD) - node_cpu0;
  const double writer_cpu = cpu_seconds(RUSAGE_SELF) - all_cpu0 - node_cpu;
  if (failed) std::fprintf(stderr, "warning: %zu operations failed\n", failed);
  const double n = static_cast<double>(ops);
  return ThroughputResult{n / secs, secs, 1e6 * node_cpu / n, 1e6 * writer_cpu / n, store.stats()};
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// p50/p99 of listing a page of 1,000 out of 10,000 active alarms (in-memory store: this times the FM
// logic alone; the store is never read on a list).
void list_latency() {
  fm::MemoryAlarmStore store;
  core::Rng rng(2);
  fm::FaultManager manager(fm::builtin_catalogue(), store, rng);
  manager.load();
  const std::vector<std::string> ids{"200.005", "200.009", "100.101", "200.006"};
  for (std::size_t i = 0; i < 10'000; ++i) {
    fm::Alarm a = heartbeat_alarm(i / 4, i % 5 == 0);
    a.alarm_id = ids[i % 4];
    if (a.alarm_id == "200.006") {
      a.entity_instance_id += ".process=p" + std::to_string(i);
      a.severity = fm::Severity::Minor;
    }
    manager.set(a, now_stamp());
  }
  struct Case {
    const char* name;
    fm::QueryParams params;
  };
  const std::vector<Case> cases{
      {"first page, default order (id)", {{"limit", "1000"}}},
      {"sorted by severity desc, entity", {{"limit", "1000"}, {"sort_key", "severity,entity_instance_id"}, {"sort_dir", "desc"}}},
      {"filtered severity>=major", {{"limit", "1000"}, {"q.field", "severity"}, {"q.op", "ge"}, {"q.value", "major"}}},
      {"5th page via marker", {{"limit", "1000"}}},
  };
  std::printf("\nlist 1,000 of %zu active alarms through FaultManager::list (+ rendering the page as REST JSON text)\n",
              manager.active_count());
  for (const Case& c : cases) {
    auto query = fm::AlarmQuery::from_params(c.params).value();
    if (std::string(c.name).rfind("5th", 0) == 0) {
      for (int page = 0; page < 4; ++page) query.marker = manager.list(query)->next_marker;
    }
    std::vector<double> list_us, json_us;
    std::size_t returned = 0;
    for (int run = 0; run < 300; ++run) {
      const auto t0 = Clock::now();
      const auto page = manager.list(query);
      const auto t1 = Clock::now();
      std::string text = "[";
      for (const auto& v : page->alarms) {
        if (text.size() > 1) text.push_back(',');
        fm::append_rest_json(text, v);
      }
      text.push_back(']');
      const auto t2 = Clock::now();
      returned = page->alarms.size();
      list_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      json_us.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
    }
    std::printf("  %-34s returned %4zu  list p50 %7.0f us  p99 %7.0f us | list+json p50 %7.0f us  p99 %7.0f us\n",
                c.name, returned, percentile(list_us, 0.5), percentile(list_us, 0.99), percentile(json_us, 0.5),
                percentile(json_us, 0.99));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--dir") {
      args.dir = v;
    } else if (k == "--ops") {
      args.ops = std::stoul(v);
    } else if (k == "--window") {
      args.window = std::stoul(v);
    } else if (k == "--single-ops") {
      args.single_ops = std::stoul(v);
    } else if (k == "--list") {
      args.list = v != "no";
    } else {
      std::fprintf(stderr, "usage: %s [--dir DIR] [--ops N] [--window W] [--single-ops N] [--list yes|no]\n", argv[0]);
      return 2;
    }
  }
  const std::string path = (std::filesystem::path(args.dir) / ("fm-bench-" + std::to_string(getpid()) + ".db")).string();
  std::printf("FM store benchmark: %s (WAL, synchronous=FULL), %u hardware threads\n", path.c_str(),
              std::thread::hardware_concurrency());

  const auto group = durable_throughput(path, {}, args.ops, args.window);
  std::printf("\ngroup commit:        %9.0f acknowledged durable ops/s  (%zu ops in %.2f s, %llu commits, "
              "%.0f ops/commit avg, largest %zu)\n",
              group.ops_per_s, args.ops, group.seconds, static_cast<unsigned long long>(group.stats.commits),
              static_cast<double>(group.stats.batches) / static_cast<double>(std::max<std::uint64_t>(1, group.stats.commits)),
              group.stats.largest_group);
  std::printf("  CPU per op: node thread %.1f us, store writer %.1f us -> %.0f ops/s if each had a core to itself\n",
              group.node_cpu_us, group.writer_cpu_us, 1e6 / std::max(group.node_cpu_us, group.writer_cpu_us));

  sqlite::SqliteOptions single;
  single.max_batches_per_commit = 1;
  const auto one = durable_throughput(path, single, args.single_ops, args.window);
  std::printf("one op per commit:   %9.0f acknowledged durable ops/s  (%zu ops in %.2f s, %llu commits)\n",
              one.ops_per_s, args.single_ops, one.seconds, static_cast<unsigned long long>(one.stats.commits));

  const auto serial = durable_throughput(path, {}, args.single_ops, 1);
  std::printf("one client (window 1): %7.0f acknowledged durable ops/s  (%.3f ms per op)\n", serial.ops_per_s,
              1000.0 * serial.seconds / static_cast<double>(args.single_ops));

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  if (args.list) list_latency();
  return 0;
}
