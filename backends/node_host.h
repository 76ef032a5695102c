// NodeHost: one hosted node and the Env it sees on the real runtime. It owns the node's sockets (one
// UDP socket and one HTTP listener per network, on the node's own address), its timers, its RNG and
// its logger, and the hardware it drives (BMCs through ipmitool children, node_hardware.h). Every
// callback into the node is guarded by the node's incarnation token: once the node is stopped (or
// crashed) no timer, datagram, call, reply or hardware completion reaches it, and a restart builds a
// new Node object, as a process restart would.
//
// Floating names (RuntimeConfig::floating): claim_floating binds the name's addresses (a UDP socket and
// a call listener on each, sharing the node's own router of that network, plus a copy of every
// serve_http listener of the node on that network); frames addressed to a held name are taken as if
// addressed to the node. The kernel is the arbiter: a second claimant, in this process or another, fails
// to bind (EADDRINUSE), so at most one node holds a name. Releasing closes them at once (listeners use
// SO_REUSEADDR, UDP sockets have no TIME_WAIT), so a peer in another roostd can claim the name right
// after. Closing drops connections to the floating address with any answer not yet written on them:
// release after the answers that must get out.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "backends/directory.h"
#include "backends/http_router.h"
#include "backends/log_sink.h"
#include "backends/node_hardware.h"
#include "backends/node_resources.h"
#include "backends/runtime_config.h"
#include "backends/runtime_stats.h"
#include "platform/core/env.h"
#include "platform/core/node.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends {

class DatagramSocket;
class HttpClient;
class HttpListener;

// What every NodeHost of a runtime shares.
struct RuntimeContext {
  boost::asio::io_context& io;
  const RuntimeConfig& config;
  const Directory& directory;
  const core::RoleRegistry& roles;
  LogSink& sink;
  HttpClient& http;
  RuntimeStats& stats;
  std::function<core::TimePoint()> now;
};

class NodeHost final : public core::Env {
 public:
  // `config_index` is the node's index in config.nodes, for error paths ("nodes[3].config").
  NodeHost(RuntimeContext& ctx, const HostedNode& node, std::size_t config_index);
  ~NodeHost() override;

  // Opens the node's sockets and listeners; throws std::runtime_error naming the node and address.
  void bind();
  // Builds the node through the role registry and start()s it; a role that rejects its config throws
  // ConfigError at "nodes[i].config".
  void start_node();
  // Crash semantics: the node object is destroyed, its timers are dropped, its sockets closed.
  void stop(std::string_view reason);

  bool up() const { return node_ != nullptr; }
  std::uint64_t incarnation() const { return incarnation_; }
  // Drops a pending Env::reboot's boot (the node then stays down until started again).
  void cancel_reboot();
  core::Node* node() { return node_.get(); }
  const HostedNode& config() const { return config_; }
  // Routes served on the node's address on `net` (the call endpoint is one); survives restarts.
  HttpRouter& router(core::Network net) { return *routers_[index(net)]; }

  // core::Env
  const std::string& node_name() const override { return config_.spec.name; }
  core::TimePoint now() const override { return ctx_.now(); }
  core::TimerId after(core::Duration d, std::function<void()> fn) override;
  void cancel(core::TimerId id) override;
  void send(const std::string& to, core::Network net, core::Envelope msg) override;
  void call(const std::string& to, core::Network net, core::Envelope request, core::Duration timeout,
            std::function<void(core::CallOutcome)> done) override;
  core::Rng& rng() override { return rng_; }
  core::Logger& log() override { return logger_; }
  core::HardwareAccess& hardware() override { return *hardware_; }
  std::int64_t wall_time_us() const override;
  std::shared_ptr<void> resource(std::type_index type) override;
  // Binds a listener on the node's address on `net` at `port` until the incarnation ends (or stop_http),
  // and a copy on the address on `net` of every floating name the node holds (and claims later). Throws
  // std::runtime_error naming the address if one cannot be bound (then nothing of it stays open).
  void serve_http(core::Network net, std::uint16_t port, std::shared_ptr<const core::HttpRouter> router) override;
  // Closes what serve_http(net, port) opened, floating copies included. Unknown: harmless.
  void stop_http(core::Network net, std::uint16_t port) override;
  // Binds the floating name's addresses (see the header comment). false, logged as floating.claim_failed
  // naming the address and the reason, if the name is not in the config, the node has no address on one of
  // the name's networks, or a bind fails (another node, here or in another process, holds it). Holding it
  // already: true. The claim ends with release_floating or with the incarnation (stop, crash, reboot).
  bool claim_floating(const std::string& name) override;
  void release_floating(const std::string& name) override;
  bool holds_floating(const std::string& name) const { return claims_.count(name) != 0; }
  // OpenSSL (backends/openssl_crypto.h).
  const core::Crypto& crypto() const override;
  // Stops the incarnation after the current callback and starts the next one config().reboot_time later.
  bool reboot(std::string_view reason) override;

 private:
  struct Timer;
  static std::size_t index(core::Network n) { return static_cast<std::size_t>(n); }

  struct FloatingClaim;
  struct ApiService {
    std::shared_ptr<const core::HttpRouter> router;
    std::unique_ptr<HttpListener> listener;  // on the node's own address
  };
  using ApiKey = std::pair<core::Network, std::uint16_t>;

  void on_datagram(core::Network net, std::string_view bytes, const std::string& sender);
  // The node's own name, or a floating name it holds: what its sockets and listeners take frames for.
  bool addressed_to_me(const std::string& to) const;
  // Closes every claim (the incarnation ends), logging floating.release with `reason`.
  void release_all_floating(std::string_view reason);
  std::unique_ptr<HttpListener> open_listener(const std::string& address, std::uint16_t port,
                                              std::shared_ptr<const core::HttpRouter> router);
  void serve_call(core::Network net, core::Frame request, core::Reply reply);
  // Runs node code; an exception out of it crashes this node only (logged), not the process.
  template <class F>
  void guarded(F&& fn);
  void warn_once(std::string_view event, const std::string& to, core::Network net, std::string_view why);
  void runtime_log(core::LogLevel level, std::string_view event, core::LogFields fields);

  RuntimeContext& ctx_;
  HostedNode config_;
  std::size_t config_index_;
  core::Rng rng_;
  NodeLogger logger_;
  std::uint64_t incarnation_ = 0;
  // Reset when the node stops: callbacks hold a weak_ptr to it and drop themselves once it expires.
  std::shared_ptr<const std::uint64_t> life_;
  std::unique_ptr<core::Node> node_;
  std::array<std::unique_ptr<DatagramSocket>, core::kNetworkCount> sockets_;
  std::array<std::unique_ptr<HttpListener>, core::kNetworkCount> listeners_;
  std::array<std::shared_ptr<HttpRouter>, core::kNetworkCount> routers_;
  std::unordered_map<core::TimerId, std::unique_ptr<Timer>> timers_;
  core::TimerId next_timer_ = 0;
  std::set<std::string> warned_;
  std::uint64_t malformed_ = 0;
  std::map<ApiKey, ApiService> api_services_;  // serve_http's, closed when the incarnation ends
  std::map<std::string, std::unique_ptr<FloatingClaim>> claims_;  // held floating names; end with the incarnation
  std::unique_ptr<NodeResources> resources_;                  // survives restarts, like a disk
  struct RebootTimer;
  std::unique_ptr<RebootTimer> reboot_timer_;  // a pending reboot's boot; survives the stop
  std::unique_ptr<NodeHardware> hardware_;  // survives restarts: its children are reaped whoever started them
};

}  // namespace roost::backends
