// RealRuntime: hosts the nodes of one roostd process on Boost.Asio. One io_context run by ONE
// thread, so every node is single-threaded and no node needs a lock; hundreds of nodes per process
// are fine (each costs a few sockets and its timers). Datagrams go over UDP, calls over HTTP/1.1, each
// node on its own address per network (see runtime_config.h).
//
//   LogSink sink(config.log);
//   RealRuntime rt(config, sink);
//   rt.start();   // binds every socket, builds and starts every node, logs runtime.ready
//   rt.run();     // until stop() (from a signal handler, another thread, or a node's callback)
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "backends/http_router.h"
#include "backends/log_sink.h"
#include "backends/runtime_config.h"
#include "backends/runtime_stats.h"
#include "platform/core/node.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends {

// start() could not bind an address (in use, not local...): names the node, the address and why.
class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RealRuntime {
 public:
  // `roles` must outlive the runtime (the default, platform::roles(), is static).
  RealRuntime(RuntimeConfig config, LogSink& log, const core::RoleRegistry& roles);
  RealRuntime(RuntimeConfig config, LogSink& log);
  ~RealRuntime();  // stops every node; destroy it only once no thread is in run()
  RealRuntime(const RealRuntime&) = delete;
  RealRuntime& operator=(const RealRuntime&) = delete;

  // Binds every node's sockets, then builds and starts the nodes. Throws StartError (binding) or
  // ConfigError (a role rejects its node's config, path "nodes[i].config"); nothing is left bound then.
  void start();

  // Runs the loop on the calling thread until stop().
  void run();
  // Runs the loop for `d` (or until stop()); for tests that drive the runtime from their own thread.
  void run_for(core::Duration d);
  // Runs until `done()` holds (checked after every handler) or `limit` passes; returns done().
  bool run_until(const std::function<bool()>& done, core::Duration limit);
  // Thread-safe: stops every node, then makes run() return.
  void stop();
  bool stopped() const;

  // The runtime's clock: steady time since construction (what every node's now() reads).
  core::TimePoint now() const;
  boost::asio::io_context& io();
  const RuntimeConfig& config() const;
  const RuntimeStats& stats() const;
  LogSink& log_sink();
  // A runtime-level record (node "").
  void log(core::LogLevel level, std::string_view event, const core::LogFields& fields = {});

  // The hosted node by name; null if not hosted here or down. Call from the runtime's thread.
  core::Node* node(const std::string& name);
  // Crash (destroy) a hosted node and start a new incarnation of it, as a process crash and restart
  // would. Call from the runtime's thread. Throw std::invalid_argument for a name not hosted here.
  void stop_node(const std::string& name);
  void restart_node(const std::string& name);
  // What the admin API (admin_api.h) shows of a hosted node, and stops and starts. Runtime's thread only.
  struct HostedNodeState {
    std::string name, role, site;
    bool up = false;
    std::uint64_t incarnation = 0;  // how many times it was started (0: never)
  };
  std::vector<HostedNodeState> hosted_nodes() const;
  std::optional<HostedNodeState> hosted_node(const std::string& name) const;  // nullopt: not hosted here
  // Stops the node and keeps it down (a pending Env::reboot is cancelled) until start_stopped_node.
  // false if it was already down. std::invalid_argument for a name not hosted here.
  bool halt_node(const std::string& name, std::string_view reason);
  // Binds the addresses of a node that is down and starts its next incarnation; false if it was up.
  // Throws StartError (an address cannot be bound) or ConfigError (the role rejects its config); the node
  // is left down then.
  bool start_stopped_node(const std::string& name);
  // The admin API's address:port once start() opened it (RuntimeConfig::admin), else "".
  std::string admin_endpoint() const;

  // The router of `node`'s HTTP listener on `net` (to add REST routes); the call endpoint is already there.
  HttpRouter& router(const std::string& node, core::Network net);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Raises the soft limit of open files to the hard limit (a process hosting hundreds of nodes holds
// thousands of sockets). Returns the new soft limit.
std::uint64_t raise_open_file_limit();

}  // namespace roost::backends
