#include "backends/runtime.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "backends/admin_api.h"
#include "backends/directory.h"
#include "backends/http_client.h"
#include "backends/http_server.h"
#include "backends/node_host.h"
#include "platform/roles.h"

namespace roost::backends {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

std::uint64_t raise_open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

struct RealRuntime::Impl {
  Impl(RuntimeConfig c, LogSink& s, const core::RoleRegistry& r)
      : io(1),  // concurrency hint: exactly one thread runs this context
        work(asio::make_work_guard(io)),
        config(std::move(c)),
        sink(s),
        roles(r),
        origin(SteadyClock::now()),
        directory(config),
        http(io, [this](core::LogLevel l, std::string_view e, core::LogFields f) { sink.write(now(), "", l, e, f); }),
        ctx{io, config, directory, roles, sink, http, stats, [this] { return now(); }} {
    for (std::size_t i = 0; i < config.nodes.size(); ++i) {
      hosts.push_back(std::make_unique<NodeHost>(ctx, config.nodes[i], i));
      by_name[config.nodes[i].spec.name] = hosts.back().get();
    }
  }

  core::TimePoint now() const {
    return core::TimePoint(std::chrono::duration_cast<core::Duration>(SteadyClock::now() - origin));
  }

  NodeHost& host(const std::string& name) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw std::invalid_argument("node " + name + " is not hosted by this runtime");
    return *it->second;
  }

  void teardown(std::string_view reason) {
    if (admin) admin->stop();
    for (auto& h : hosts) h->stop(reason);
    http.close();
  }

  // Declared first so that it is destroyed last: pending handlers die with it after everything they
  // could refer to has been stopped.
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  RuntimeConfig config;
  LogSink& sink;
  const core::RoleRegistry& roles;
  SteadyClock::time_point origin;
  Directory directory;
  RuntimeStats stats;
  HttpClient http;
  RuntimeContext ctx;
  std::vector<std::unique_ptr<NodeHost>> hosts;
  std::unordered_map<std::string, NodeHost*> by_name;
  std::shared_ptr<HttpRouter> admin_router;
  std::unique_ptr<HttpListener> admin;  // the admin API (admin_api.h), when config.admin asks for it
  bool started = false;
  std::atomic<bool> stopped{false};
};

RealRuntime::RealRuntime(RuntimeConfig config, LogSink& log, const core::RoleRegistry& roles)
    : impl_(std::make_unique<Impl>(std::move(config), log, roles)) {}

RealRuntime::RealRuntime(RuntimeConfig config, LogSink& log) : RealRuntime(std::move(config), log, platform::roles()) {}

RealRuntime::~RealRuntime() {
  impl_->teardown("runtime destroyed");
  impl_->hosts.clear();
}

void RealRuntime::start() {
  auto& s = *impl_;
  if (s.started) throw std::logic_error("RealRuntime::start called twice");
  s.started = true;
  raise_open_file_limit();
  // Bind everything first, so that the first datagram a node sends to a neighbour in this process
  // finds it listening.
  try {
    for (auto& h : s.hosts) h->bind();
  } catch (const std::exception& e) {
    s.teardown("start failed");
    throw StartError(e.what());
  }
  try {
    for (auto& h : s.hosts) h->start_node();
  } catch (...) {
    s.teardown("start failed");
    throw;
  }
  if (s.config.admin) {
    s.admin_router = make_admin_router(*this);
    s.admin = std::make_unique<HttpListener>(
        s.io, s.config.admin->address, s.config.admin->port, s.admin_router,
        [this](core::LogLevel l, std::string_view e, core::LogFields f) { log(l, e, std::move(f)); });
    try {
      s.admin->start();
    } catch (const std::exception& e) {
      s.teardown("start failed");
      throw StartError(std::string("admin API: ") + e.what());
    }
  }
  core::LogFields ready{{"nodes", s.hosts.size()},
                        {"peers", s.config.peers.size()},
                        {"datagram_port", s.config.ports.datagram},
                        {"call_port", s.config.ports.call},
                        {"pid", static_cast<std::int64_t>(getpid())}};
  if (s.admin) ready.emplace_back("admin", admin_endpoint());
  log(core::LogLevel::Info, "runtime.ready", std::move(ready));
}

void RealRuntime::run() {
  if (impl_->stopped) return;
  impl_->io.run();
}

void RealRuntime::run_for(core::Duration d) {
  if (impl_->stopped) return;
  impl_->io.run_for(std::chrono::duration_cast<SteadyClock::duration>(d));
}

bool RealRuntime::run_until(const std::function<bool()>& done, core::Duration limit) {
  const auto deadline = SteadyClock::now() + limit;
  while (!done()) {
    const auto left = deadline - SteadyClock::now();
    if (left <= SteadyClock::duration::zero() || impl_->stopped) return done();
    // One handler at a time, so that done() is checked as soon as anything happened.
    impl_->io.run_one_for(std::min<SteadyClock::duration>(left, std::chrono::milliseconds(50)));
  }
  return true;
}

void RealRuntime::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [s = impl_.get()] {
    s->teardown("runtime stopped");
    s->work.reset();
    s->io.stop();
  });
}

bool RealRuntime::stopped() const { return impl_->stopped; }
core::TimePoint RealRuntime::now() const { return impl_->now(); }
asio::io_context& RealRuntime::io() { return impl_->io; }
const RuntimeConfig& RealRuntime::config() const { return impl_->config; }
const RuntimeStats& RealRuntime::stats() const {
  impl_->stats.call_connections_opened = impl_->http.connections_opened();
  return impl_->stats;
}
LogSink& RealRuntime::log_sink() { return impl_->sink; }

void RealRuntime::log(core::LogLevel level, std::string_view event, const core::LogFields& fields) {
  impl_->sink.write(now(), "", level, event, fields);
}

core::Node* RealRuntime::node(const std::string& name) {
  auto it = impl_->by_name.find(name);
  return it == impl_->by_name.end() ? nullptr : it->second->node();
}

void RealRuntime::stop_node(const std::string& name) { impl_->host(name).stop("stopped by the runtime"); }

void RealRuntime::restart_node(const std::string& name) {
  auto& h = impl_->host(name);
  h.stop("restarting");
  try {
    h.bind();
  } catch (const std::exception& e) {
    throw StartError(e.what());
  }
  h.start_node();
}

namespace {
RealRuntime::HostedNodeState state_of(const NodeHost& h) {
  const auto& spec = h.config().spec;
  return {spec.name, spec.role, spec.site, h.up(), h.incarnation()};
}
}  // namespace

std::vector<RealRuntime::HostedNodeState> RealRuntime::hosted_nodes() const {
  std::vector<HostedNodeState> out;
  out.reserve(impl_->hosts.size());
  for (const auto& h : impl_->hosts) out.push_back(state_of(*h));
  return out;
}

std::optional<RealRuntime::HostedNodeState> RealRuntime::hosted_node(const std::string& name) const {
  auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end()) return std::nullopt;
  return state_of(*it->second);
}

bool RealRuntime::halt_node(const std::string& name, std::string_view reason) {
  auto& h = impl_->host(name);
  h.cancel_reboot();
  if (!h.up()) return false;
  h.stop(reason);
  return true;
}

bool RealRuntime::start_stopped_node(const std::string& name) {
  auto& h = impl_->host(name);
  if (h.up()) return false;
  h.cancel_reboot();  // started now: the pending boot must not start it a second time
  try {
    h.bind();
  } catch (const std::exception& e) {
    throw StartError(e.what());
  }
  try {
    h.start_node();
  } catch (...) {
    h.stop("start failed");  // closes what bind() opened
    throw;
  }
  return true;
}

std::string RealRuntime::admin_endpoint() const {
  if (!impl_->admin) return "";
  const auto& a = *impl_->config.admin;
  return (a.address.find(':') != std::string::npos ? "[" + a.address + "]" : a.address) + ":" + std::to_string(a.port);
}

HttpRouter& RealRuntime::router(const std::string& node, core::Network net) { return impl_->host(node).router(net); }

}  // namespace roost::backends
