// RealLab: a lab of roostd processes on loopback, for tests of the real runtime and of everything
// built on it (contract, fault management, maintenance, HA, fleet).
//
//   RealLab lab({{"controller-0", "pulse-controller", "ctl", {{"hosts", {"worker-0"}}}},
//                {"worker-0", "pulse-host", "w0"}});
//   lab.start();                                   // spawns every process, waits for runtime.ready
//   lab.kill("w0");                                // SIGKILL (also pause/resume/restart/stop)
//   auto lost = lab.expect({.event = "pulse.host_lost", .fields = {{"host", "worker-0"}}}, 5s);
//
// Every process gets a config file, a JSON-lines log, a stderr capture and durable state (--data-dir
// <dir>/data unless Options::extra_args names one) in a fresh temp dir (kept
// when ROOST_KEEP_LAB=1, removed otherwise). Children get SIGKILL if the test process dies
// (PR_SET_PDEATHSIG), so start processes from the test's main thread. The destructor stops every
// process by PID (SIGCONT, SIGTERM, then SIGKILL after a grace period) and reaps it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/lab_layout.h"
#include "tests/support/lab_log.h"

namespace roost::testing {

// The roostd built with this tree (a compile definition of the roost_test_lab target), or $ROOSTD.
std::string default_roostd_path();

class RealLab {
 public:
  struct Options {
    std::string roostd = default_roostd_path();
    std::string log_level = "info";
    std::uint64_t seed = 1;
    std::chrono::milliseconds ready_timeout{15000};
    std::chrono::milliseconds stop_grace{3000};  // SIGTERM -> SIGKILL
    std::vector<std::string> extra_args;         // appended to every roostd command line
    // Appended to one process's command line after extra_args (e.g. its own --admin ADDRESS:PORT).
    std::map<std::string, std::vector<std::string>> process_args;
    std::vector<LabFloating> floating;           // floating names in every process's config (add_floating)
  };

  explicit RealLab(std::vector<LabNode> nodes);
  RealLab(std::vector<LabNode> nodes, Options options);
  ~RealLab();
  RealLab(const RealLab&) = delete;
  RealLab& operator=(const RealLab&) = delete;

  const LabLayout& layout() const { return layout_; }
  std::vector<std::string> processes() const { return layout_.processes(); }
  std::string address(const std::string& node, core::Network net) const { return layout_.address(node, net); }
  std::string floating_address(const std::string& name, core::Network net) const {
    return layout_.floating_address(name, net);
  }

  // Spawns every process (or one) and waits until it logs runtime.ready; throws std::runtime_error
  // with the process's stderr if it exits or is not ready in time.
  void start();
  void start(const std::string& process);
  void kill(const std::string& process);    // SIGKILL, reaped
  void pause(const std::string& process);   // SIGSTOP
  void resume(const std::string& process);  // SIGCONT
  void restart(const std::string& process); // kill if running, then start (waits for ready)
  // SIGTERM (after SIGCONT), waits; returns the exit status (128+signal if killed by a signal).
  int stop(const std::string& process);
  void signal(const std::string& process, int signo);
  bool running(const std::string& process);  // reaps it if it has exited
  pid_t pid(const std::string& process) const;  // 0 if not running
  std::optional<int> exit_status(const std::string& process) const;  // of the last exit seen

  // Files.
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path(const std::string& process) const;
  std::filesystem::path log_path(const std::string& process) const;
  std::filesystem::path stderr_path(const std::string& process) const;
  std::string stderr_tail(const std::string& process, std::size_t bytes = 4000) const;

  // Log records of every process (read up to now), in each process's order, processes in layout order.
  std::vector<LabRecord> records();
  std::vector<LabRecord> find(const LogQuery& q);
  std::size_t count(const LogQuery& q) { return find(q).size(); }
  // The first record matching `q`, polling the logs until `timeout`.
  std::optional<LabRecord> wait_for(const LogQuery& q, std::chrono::milliseconds timeout);
  // As wait_for, but throws std::runtime_error describing the query and the last records seen.
  LabRecord expect(const LogQuery& q, std::chrono::milliseconds timeout);
  // How many records process `p` has logged so far: a cursor for LogQuery::since_index.
  std::size_t log_size(const std::string& process);

  static double wall_now();

 private:
  struct Process {
    std::string name;
    pid_t pid = 0;
    bool paused = false;
    std::optional<int> exit_status;
    std::unique_ptr<JsonLinesReader> log;
  };
  Process& process(const std::string& name);
  const Process& process(const std::string& name) const;
  void spawn(Process& p);
  void wait_ready(Process& p, std::size_t since_index);
  void reap(Process& p, int status);
  void poll_logs();
  std::string last_records_text(std::size_t n);

  LabLayout layout_;
  Options options_;
  std::filesystem::path dir_;
  std::map<std::string, Process> processes_;
};

}  // namespace roost::testing
