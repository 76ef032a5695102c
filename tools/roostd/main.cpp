// roostd: hosts the nodes its config names on the real runtime until SIGINT/SIGTERM.
//   roostd --config FILE [--log-file F] [--log-level L] [--data-dir DIR] [--admin ADDRESS:PORT]
// Example: tools/roostd/example.json hosts a pulse-controller and one pulse-host, and names a second
// host (worker-1) that no process runs, so the controller reports it lost after 10 periods.
// --admin (or the config's "admin") opens the admin API on a loopback address: stop and start one hosted
// node while the process runs (backends/admin_api.h), e.g. one subcloud of a fleet hosted here.
// Exit status: 0 after a clean stop, 2 for a bad config (the message names the JSON path), 1 if the
// runtime cannot start (an address cannot be bound, the log file cannot be opened).
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "platform/roles.h"

namespace backends = roost::backends;

int main(int argc, char** argv) {
  CLI::App app{"roostd: hosts Roost nodes on the real runtime (UDP datagrams, HTTP calls)"};
  std::string config_file, log_file, log_level, data_dir, admin;
  app.add_option("-c,--config", config_file, "runtime config (JSON): the nodes to host, their peers, ports, logging")
      ->required();
  app.add_option("--log-file", log_file, "write log records as JSON lines to this file (overrides log.file)");
  app.add_option("--log-level", log_level, "debug, info, warn or error (overrides log.level)");
  app.add_option("--data-dir", data_dir,
                 "durable node state (FM's alarm database at DIR/<node>/fm.db); overrides data_dir");
  app.add_option("--admin", admin,
                 "serve the admin API (stop/start one hosted node) at ADDRESS:PORT, a loopback address; "
                 "overrides the config's admin");
  CLI11_PARSE(app, argc, argv);

  backends::RuntimeConfig config;
  try {
    config = backends::load_runtime_config(config_file, roost::platform::roles());
    if (!log_file.empty()) config.log.file = log_file;
    if (!data_dir.empty()) config.data_dir = data_dir;
    if (!admin.empty()) config.admin = backends::parse_admin_listen(admin, "--admin");
    if (!log_level.empty()) {
      const auto level = backends::parse_log_level(log_level);
      if (!level) throw backends::ConfigError("--log-level", "\"" + log_level + "\" is not a log level (debug, info, warn, error)");
      config.log.level = *level;
    }
  } catch (const backends::ConfigError& e) {
    std::cerr << "roostd: bad config: " << e.what() << "\n";
    return 2;
  }

  try {
    backends::LogSink sink(config.log);
    backends::RealRuntime runtime(config, sink, roost::platform::roles());
    try {
      runtime.start();
    } catch (const backends::ConfigError& e) {
      std::cerr << "roostd: bad config: " << e.what() << "\n";
      return 2;
    }
    boost::asio::signal_set signals(runtime.io(), SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      runtime.log(roost::core::LogLevel::Info, "runtime.stopping", {{"signal", signo}});
      runtime.stop();
    });
    runtime.run();
    signals.cancel();
    const auto& st = runtime.stats();
    runtime.log(roost::core::LogLevel::Info, "runtime.stopped",
                {{"datagrams_sent", st.datagrams_sent},
                 {"datagrams_delivered", st.datagrams_delivered},
                 {"datagrams_malformed", st.datagrams_malformed},
                 {"calls_sent", st.calls_sent},
                 {"calls_failed", st.calls_failed},
                 {"calls_served", st.calls_served},
                 {"node_crashes", st.node_crashes}});
  } catch (const std::exception& e) {
    std::cerr << "roostd: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
