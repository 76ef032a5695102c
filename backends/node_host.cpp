#include "backends/node_host.h"

#include <chrono>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/call_transport.h"
#include "backends/datagram_socket.h"
#include "backends/http_client.h"
#include "backends/http_server.h"
#include "backends/openssl_crypto.h"

namespace roost::backends {

namespace asio = boost::asio;

namespace {

// A roostd process start is a boot of every node it hosts: their random streams must not repeat the
// previous process's, or a restarted node replays its last life's "fresh" values (the sm peer link's
// instance id, whose hellos the peer then drops as replays of the dead incarnation for as long as that
// one lived; a host agent's boot id; uuids). Drawn once per process from the OS; the config's seed and
// the node's name and incarnation still pick the stream within it.
std::uint64_t process_boot_token() {
  static const std::uint64_t token = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  return token;
}

std::uint64_t stream_seed(std::uint64_t seed, const std::string& node, std::uint64_t incarnation) {
  return core::Rng::derive(seed, node + "#" + std::to_string(incarnation) + "@" + std::to_string(process_boot_token()));
}

}  // namespace

struct NodeHost::Timer {
  explicit Timer(asio::io_context& io, std::function<void()> f) : timer(io), fn(std::move(f)) {}
  asio::steady_timer timer;
  std::function<void()> fn;
};

// What one held floating name keeps open: per network of the name, a datagram socket and a call
// listener on its address, and the copies of the node's serve_http listeners there. Destroying it closes
// them all.
struct NodeHost::FloatingClaim {
  const FloatingName* spec = nullptr;
  std::vector<std::unique_ptr<DatagramSocket>> sockets;
  std::vector<std::unique_ptr<HttpListener>> call_listeners;
  std::map<ApiKey, std::unique_ptr<HttpListener>> api_listeners;
};

struct NodeHost::RebootTimer {
  RebootTimer(asio::io_context& io, core::Duration d) : timer(io, d) {}
  asio::steady_timer timer;
};

NodeHost::NodeHost(RuntimeContext& ctx, const HostedNode& node, std::size_t config_index)
    : ctx_(ctx),
      config_(node),
      config_index_(config_index),
      rng_(stream_seed(ctx.config.seed, node.spec.name, 1)),
      logger_(ctx.sink, node.spec.name, ctx.now) {
  for (auto& r : routers_) r = std::make_shared<HttpRouter>();
  resources_ = std::make_unique<NodeResources>(ctx.io, ctx.config.data_dir, node.spec.name);
  hardware_ = std::make_unique<NodeHardware>(
      ctx.io,
      [this]() -> NodeHardware::Guard {
        return [this, life = std::weak_ptr(life_)](std::function<void()> fn) {
          if (life.expired()) return;  // the incarnation that asked is gone
          guarded(fn);
        };
      },
      ipmi::IpmiOptions{},
      [this](const ipmi::CommandTrace& t) {
        core::LogFields fields{{"host", t.host},
                               {"operation", t.operation},
                               {"ms", core::to_millis(t.result.elapsed)},
                               {"ok", t.ok}};
        if (!t.ok) fields.emplace_back("error", t.error);
        if (t.abandoned) fields.emplace_back("abandoned", true);  // the incarnation that asked is gone
        runtime_log(t.ok ? core::LogLevel::Debug : core::LogLevel::Info, "bmc.command", std::move(fields));
      });
  for (const auto& [net, _] : config_.addresses)
    add_call_route(*routers_[index(net)], [this, net = net](core::Frame f, core::Reply r) {
      serve_call(net, std::move(f), std::move(r));
    });
}

NodeHost::~NodeHost() {
  reboot_timer_.reset();
  stop("runtime shutdown");
}

bool NodeHost::reboot(std::string_view reason) {
  if (!up() || reboot_timer_) return false;
  runtime_log(core::LogLevel::Info, "node.rebooting",
              {{"reason", reason}, {"boot_s", core::to_seconds(config_.reboot_time)}});
  // Not inside the node's own callback: the node object must outlive the call that asked.
  asio::post(ctx_.io, [this, life = std::weak_ptr(life_), reason = std::string(reason)] {
    if (life.expired()) return;  // crashed or stopped meanwhile
    stop("reboot: " + reason);
    reboot_timer_ = std::make_unique<RebootTimer>(ctx_.io, config_.reboot_time);
    reboot_timer_->timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // the runtime is shutting down
      reboot_timer_.reset();
      if (up()) return;
      try {
        bind();
        start_node();
      } catch (const std::exception& e) {
        runtime_log(core::LogLevel::Error, "node.boot_failed", {{"error", e.what()}});
      }
    });
  });
  return true;
}

void NodeHost::cancel_reboot() {
  if (!reboot_timer_) return;
  reboot_timer_.reset();  // destroying the timer cancels its wait: the boot handler sees operation_aborted
  runtime_log(core::LogLevel::Info, "node.reboot_cancelled", {});
}

void NodeHost::runtime_log(core::LogLevel level, std::string_view event, core::LogFields fields) {
  ctx_.sink.write(ctx_.now(), config_.spec.name, level, event, fields);
}

template <class F>
void NodeHost::guarded(F&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    ++ctx_.stats.node_crashes;
    runtime_log(core::LogLevel::Error, "node.crashed", {{"error", e.what()}});
    stop("crashed");
  }
}

void NodeHost::bind() {
  TransportLog tlog = [this](core::LogLevel l, std::string_view e, core::LogFields f) { runtime_log(l, e, std::move(f)); };
  try {
    for (const auto& [net, address] : config_.addresses) {
      const auto i = index(net);
      sockets_[i] = std::make_unique<DatagramSocket>(
          ctx_.io, address, ctx_.config.ports.datagram,
          [this, net = net](std::string_view bytes, const std::string& sender) { on_datagram(net, bytes, sender); });
      sockets_[i]->open();
      listeners_[i] = std::make_unique<HttpListener>(ctx_.io, address, ctx_.config.ports.call, routers_[i], tlog);
      listeners_[i]->start();
    }
  } catch (const std::exception& e) {
    for (auto& s : sockets_) s.reset();
    for (auto& l : listeners_) l.reset();
    throw std::runtime_error("node " + config_.spec.name + ": " + e.what());
  }
}

void NodeHost::start_node() {
  ++incarnation_;
  if (incarnation_ > 1)  // a restarted node draws a fresh stream
    rng_ = core::Rng(stream_seed(ctx_.config.seed, config_.spec.name, incarnation_));
  life_ = std::make_shared<const std::uint64_t>(incarnation_);
  try {
    node_ = ctx_.roles.make(*this, config_.spec);
  } catch (const std::exception& e) {
    life_.reset();
    throw ConfigError("nodes[" + std::to_string(config_index_) + "].config",
                      "node " + config_.spec.name + " (role " + config_.spec.role + ") rejects its config: " + e.what());
  }
  core::LogFields fields{{"role", config_.spec.role}, {"site", config_.spec.site}, {"incarnation", incarnation_}};
  for (const auto& [net, a] : config_.addresses) fields.emplace_back(core::to_string(net), a);  // mgmt=127.0.1.1 ...
  runtime_log(core::LogLevel::Info, "node.started", std::move(fields));
  guarded([&] { node_->start(); });
}

void NodeHost::stop(std::string_view reason) {
  const bool was_up = up();
  life_.reset();  // from here on no callback reaches the node
  for (auto& l : listeners_)
    if (l) l->stop();
  release_all_floating(reason);  // its floating names go with it: another node may claim them now
  api_services_.clear();  // the APIs the incarnation served go with it
  for (auto& s : sockets_)
    if (s) s->close();
  timers_.clear();  // destroying a timer cancels its wait; the handler sees operation_aborted
  node_.reset();
  for (auto& s : sockets_) s.reset();
  for (auto& l : listeners_) l.reset();
  if (was_up) runtime_log(core::LogLevel::Info, "node.stopped", {{"reason", reason}, {"incarnation", incarnation_}});
}

std::int64_t NodeHost::wall_time_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<void> NodeHost::resource(std::type_index type) {
  return resources_->get(type, [this, life = std::weak_ptr(life_)](std::function<void()> fn) {
    if (life.expired()) return;  // the incarnation that submitted is gone: the new one reloads instead
    guarded(fn);
  });
}

std::unique_ptr<HttpListener> NodeHost::open_listener(const std::string& address, std::uint16_t port,
                                                       std::shared_ptr<const core::HttpRouter> router) {
  TransportLog tlog = [this](core::LogLevel l, std::string_view e, core::LogFields f) { runtime_log(l, e, std::move(f)); };
  auto listener = std::make_unique<HttpListener>(ctx_.io, address, port, std::move(router), std::move(tlog));
  listener->start();  // throws naming the address and why
  return listener;
}

void NodeHost::serve_http(core::Network net, std::uint16_t port, std::shared_ptr<const core::HttpRouter> router) {
  const std::string net_name(core::to_string(net));
  auto it = config_.addresses.find(net);
  if (it == config_.addresses.end())
    throw std::runtime_error("node " + node_name() + " has no address on " + net_name + " to serve HTTP on");
  const ApiKey key{net, port};
  if (api_services_.count(key))
    throw std::runtime_error("node " + node_name() + " already serves HTTP on " + net_name + " at " + it->second + ":" +
                             std::to_string(port));
  ApiService service{router, open_listener(it->second, port, router)};
  // The copies on held floating addresses: all or none (a failure closes what was opened, as locals).
  std::vector<std::pair<FloatingClaim*, std::unique_ptr<HttpListener>>> copies;
  for (auto& [name, claim] : claims_) {
    auto a = claim->spec->addresses.find(net);
    if (a == claim->spec->addresses.end()) continue;
    try {
      copies.emplace_back(claim.get(), open_listener(a->second, port, router));
    } catch (const std::exception& e) {
      throw std::runtime_error("node " + node_name() + ": floating name " + name + ": " + e.what());
    }
  }
  core::LogFields fields{{"network", net_name}, {"address", it->second}, {"port", port}};
  for (auto& [claim, listener] : copies) {
    fields.emplace_back("floating_" + claim->spec->name, claim->spec->addresses.at(net));
    claim->api_listeners[key] = std::move(listener);
  }
  runtime_log(core::LogLevel::Info, "http.serving", std::move(fields));
  api_services_[key] = std::move(service);
}

void NodeHost::stop_http(core::Network net, std::uint16_t port) {
  const ApiKey key{net, port};
  auto it = api_services_.find(key);
  if (it == api_services_.end()) return;
  api_services_.erase(it);  // destroying a listener closes it and its connections
  for (auto& [_, claim] : claims_) claim->api_listeners.erase(key);
  runtime_log(core::LogLevel::Info, "http.stopped", {{"network", std::string(core::to_string(net))}, {"port", port}});
}

bool NodeHost::claim_floating(const std::string& name) {
  if (!up()) return false;
  if (claims_.count(name)) return true;
  auto refuse = [&](const std::string& why) {
    runtime_log(core::LogLevel::Warn, "floating.claim_failed", {{"name", name}, {"error", why}});
    return false;
  };
  const FloatingName* spec = ctx_.config.find_floating(name);
  if (!spec) return refuse("unknown floating name (the roostd config's \"floating\" does not list it)");
  // Answers leave from the node's own address on the network they came in on, so it needs one on each.
  for (const auto& [net, address] : spec->addresses)
    if (!config_.addresses.count(net))
      return refuse("node " + node_name() + " has no address on " + std::string(core::to_string(net)) +
                    ", where the floating name has " + address);
  auto claim = std::make_unique<FloatingClaim>();
  claim->spec = spec;
  try {
    for (const auto& [net, address] : spec->addresses) {
      auto socket = std::make_unique<DatagramSocket>(
          ctx_.io, address, ctx_.config.ports.datagram,
          [this, net = net](std::string_view bytes, const std::string& sender) { on_datagram(net, bytes, sender); });
      socket->open();  // throws "udp <address>:<port>: cannot bind: Address already in use" when held elsewhere
      claim->sockets.push_back(std::move(socket));
      // The node's own router of that network: the call endpoint, and whatever routes were added to it.
      claim->call_listeners.push_back(open_listener(address, ctx_.config.ports.call, routers_[index(net)]));
      for (const auto& [key, service] : api_services_)
        if (key.first == net) claim->api_listeners[key] = open_listener(address, key.second, service.router);
    }
  } catch (const std::exception& e) {
    return refuse(e.what());  // `claim` goes out of scope: whatever it had bound is closed
  }
  core::LogFields fields{{"name", name}};
  for (const auto& [net, address] : spec->addresses) fields.emplace_back(core::to_string(net), address);
  runtime_log(core::LogLevel::Info, "floating.claim", std::move(fields));
  claims_.emplace(name, std::move(claim));
  return true;
}

void NodeHost::release_floating(const std::string& name) {
  auto it = claims_.find(name);
  if (it == claims_.end()) return;
  // Closed now, which frees the addresses for another claimant at once. This may run inside a callback
  // of one of the claim's own sockets or listeners: their state is shared with the pending operations,
  // which see the close and end.
  claims_.erase(it);
  runtime_log(core::LogLevel::Info, "floating.release", {{"name", name}, {"reason", "released"}});
}

void NodeHost::release_all_floating(std::string_view reason) {
  auto claims = std::move(claims_);
  claims_.clear();
  for (auto& [name, claim] : claims) {
    claim.reset();
    runtime_log(core::LogLevel::Info, "floating.release", {{"name", name}, {"reason", reason}});
  }
}

bool NodeHost::addressed_to_me(const std::string& to) const { return to == config_.spec.name || claims_.count(to); }

const core::Crypto& NodeHost::crypto() const { return openssl_crypto(); }

core::TimerId NodeHost::after(core::Duration d, std::function<void()> fn) {
  if (!up()) return 0;
  const core::TimerId id = ++next_timer_;
  auto& t = *timers_.emplace(id, std::make_unique<Timer>(ctx_.io, std::move(fn))).first->second;
  t.timer.expires_after(std::max(d, core::Duration::zero()));
  t.timer.async_wait([this, life = std::weak_ptr(life_), id](const boost::system::error_code& ec) {
    if (ec || life.expired()) return;
    auto it = timers_.find(id);
    if (it == timers_.end()) return;  // cancelled after it had already fired
    auto fn = std::move(it->second->fn);
    timers_.erase(it);
    guarded(fn);
  });
  return id;
}

void NodeHost::cancel(core::TimerId id) { timers_.erase(id); }

void NodeHost::warn_once(std::string_view event, const std::string& to, core::Network net, std::string_view why) {
  const std::string key = std::string(event) + "|" + to + "|" + std::string(core::to_string(net));
  const auto level = warned_.insert(key).second ? core::LogLevel::Warn : core::LogLevel::Debug;
  runtime_log(level, event, {{"to", to}, {"network", std::string(core::to_string(net))}, {"reason", why}});
}

void NodeHost::send(const std::string& to, core::Network net, core::Envelope msg) {
  if (!up()) return;
  const DirectoryEntry* dst = ctx_.directory.find(to);
  DatagramSocket* sock = sockets_[index(net)].get();
  const char* why = !dst                ? "unknown destination node"
                    : !dst->on(net)     ? "the destination has no address on this network"
                    : !sock             ? "this node has no address on this network"
                                        : nullptr;
  if (why) {
    ++ctx_.stats.datagrams_undeliverable;
    return warn_once("datagram.undeliverable", to, net, why);
  }
  const std::string err = sock->send_to(core::encode_frame(config_.spec.name, to, msg), *dst->on(net),
                                        ctx_.config.ports.datagram);
  if (err.empty()) {
    ++ctx_.stats.datagrams_sent;
  } else {
    ++ctx_.stats.datagram_send_errors;
    runtime_log(core::LogLevel::Debug, "datagram.send_failed",
                {{"to", to}, {"network", std::string(core::to_string(net))}, {"error", err}});
  }
}

void NodeHost::call(const std::string& to, core::Network net, core::Envelope request, core::Duration timeout,
                    std::function<void(core::CallOutcome)> done) {
  if (!up()) return;  // a dead node makes no calls and gets no answers
  ++ctx_.stats.calls_sent;
  auto finish = [this, life = std::weak_ptr(life_), done = std::move(done)](core::CallOutcome o) {
    if (life.expired()) return;  // the node stopped meanwhile: the answer goes nowhere
    if (std::holds_alternative<core::CallFailure>(o)) ++ctx_.stats.calls_failed;
    guarded([&] { done(std::move(o)); });
  };
  const DirectoryEntry* dst = ctx_.directory.find(to);
  const std::string why = !dst                        ? "unknown destination node " + to
                          : !dst->on(net)             ? to + " has no address on " + std::string(core::to_string(net))
                          : !config_.addresses.count(net) ? node_name() + " has no address on " + std::string(core::to_string(net))
                                                      : "";
  if (!why.empty()) {
    asio::post(ctx_.io, [finish = std::move(finish), why]() mutable {
      finish(core::CallFailure{core::CallError::Unreachable, why});
    });
    return;
  }
  const CallRoute route{config_.addresses.at(net), dst->text_on(net), ctx_.config.ports.call};
  send_call(ctx_.http, route, config_.spec.name, to, request, timeout, std::move(finish));
}

void NodeHost::on_datagram(core::Network net, std::string_view bytes, const std::string& sender) {
  if (!up()) return;
  core::Frame frame;
  if (auto err = core::decode_frame(bytes, frame)) {
    ++ctx_.stats.datagrams_malformed;
    ++malformed_;
    // Logged, but not at a rate a flood could turn into a disk-filling log: the first ten, then powers of two.
    if (malformed_ <= 10 || (malformed_ & (malformed_ - 1)) == 0)
      runtime_log(core::LogLevel::Warn, "datagram.malformed",
                  {{"sender", sender}, {"network", std::string(core::to_string(net))}, {"bytes", bytes.size()},
                   {"error", *err}, {"count", malformed_}});
    return;
  }
  if (!addressed_to_me(frame.to)) {
    ++ctx_.stats.datagrams_misaddressed;
    runtime_log(core::LogLevel::Debug, "datagram.misaddressed",
                {{"from", frame.from}, {"to", frame.to}, {"network", std::string(core::to_string(net))}});
    return;
  }
  ++ctx_.stats.datagrams_delivered;
  guarded([&] { node_->deliver(core::Peer{std::move(frame.from), net}, frame.envelope); });
}

void NodeHost::serve_call(core::Network net, core::Frame request, core::Reply reply) {
  if (!up()) return reply.fail(core::CallError::Unreachable, "node " + node_name() + " is down");
  if (!addressed_to_me(request.to))
    return reply.fail(core::CallError::Unreachable,
                      "node " + request.to + " is not at this address (" + node_name() + " is)");
  ++ctx_.stats.calls_served;
  guarded([&] { node_->serve(core::Peer{std::move(request.from), net}, request.envelope, std::move(reply)); });
}

}  // namespace roost::backends
