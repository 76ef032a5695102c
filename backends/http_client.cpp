// One of the two translation units that include Beast (with http_server.cpp).
#include "backends/http_client.h"

#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace roost::backends {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using Failure = HttpClientResult::Failure;

constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

struct Connection {
  explicit Connection(asio::io_context& io) : stream(io) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  SteadyClock::time_point idle_since{};
};

bool is_closed_by_peer(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == http::error::partial_message;
}

Failure classify(const beast::error_code& ec, bool shutting_down) {
  if (shutting_down) return Failure::Shutdown;
  if (ec == beast::error::timeout) return Failure::TimedOut;
  if (ec == asio::error::connection_refused) return Failure::Refused;
  if (is_closed_by_peer(ec)) return Failure::Closed;
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) return Failure::Protocol;
  return Failure::Unreachable;  // host/network unreachable, address not available, ...
}

class Exchange;

}  // namespace

struct HttpClient::State {
  State(asio::io_context& io, TransportLog l) : io(io), log(std::move(l)) {}

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& pool = it->second;
    while (!pool.empty()) {
      auto c = std::move(pool.back());
      pool.pop_back();
      if (c->stream.socket().is_open() && SteadyClock::now() - c->idle_since < kMaxIdle) return c;
    }
    return nullptr;
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> c) {
    auto& pool = idle[key];
    if (closed || pool.size() >= kMaxIdlePerPool) return;
    c->idle_since = SteadyClock::now();
    c->stream.expires_never();
    pool.push_back(std::move(c));
  }

  asio::io_context& io;
  TransportLog log;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;  // "source|address|port"
  std::unordered_set<Exchange*> inflight;
  std::size_t opened = 0;
  bool closed = false;
};

namespace {

// One request from start to `done`: pick or open a connection, write, read, hand the connection back.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<HttpClient::State> client, HttpClientRequest req, std::function<void(HttpClientResult)> done)
      : client_(std::move(client)),
        req_(std::move(req)),
        done_(std::move(done)),
        key_(req_.source_address + "|" + req_.address + "|" + std::to_string(req_.port)),
        deadline_(SteadyClock::now() + std::max(req_.timeout, core::Duration::zero())) {
    client_->inflight.insert(this);
  }
  ~Exchange() { client_->inflight.erase(this); }

  void start() {
    const auto verb = http::string_to_verb(req_.method);
    if (verb == http::verb::unknown) return finish(Failure::Protocol, "unknown HTTP method " + req_.method);
    message_ = http::request<http::string_body>(verb, req_.target, 11);
    message_.set(http::field::host, req_.address + ":" + std::to_string(req_.port));
    message_.set(http::field::user_agent, "roost");
    message_.set(http::field::content_type, req_.content_type);
    message_.keep_alive(true);
    message_.body() = std::move(req_.body);
    message_.prepare_payload();
    conn_ = client_->take_idle(key_);
    if (conn_) {
      reused_ = true;
      return write();
    }
    connect();
  }

  void abort() {
    if (conn_) {
      beast::error_code ec;
      conn_->stream.socket().close(ec);
    }
  }

 private:
  void connect() {
    reused_ = false;
    beast::error_code ec;
    const auto addr = asio::ip::make_address(req_.address, ec);
    if (ec) return finish(Failure::Unreachable, "bad address " + req_.address);
    conn_ = std::make_unique<Connection>(client_->io);
    auto& sock = conn_->stream.socket();
    sock.open(addr.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (!ec && !req_.source_address.empty()) {
      const auto src = asio::ip::make_address(req_.source_address, ec);
      if (!ec) sock.bind(tcp::endpoint(src, 0), ec);
      if (ec) return finish(Failure::Unreachable, "cannot use source address " + req_.source_address + ": " + ec.message());
    }
    if (ec) return finish(Failure::Unreachable, "cannot open a socket: " + ec.message());
    // Calls are small request/response exchanges: Nagle's delay (with delayed ACKs) would add tens of ms.
    sock.set_option(tcp::no_delay(true), ec);
    ++client_->opened;
    conn_->stream.expires_at(deadline_);
    conn_->stream.async_connect(tcp::endpoint(addr, req_.port), [self = shared_from_this()](beast::error_code e) {
      if (e) return self->failed(e, "connect");
      self->write();
    });
  }

  void write() {
    conn_->stream.expires_at(deadline_);
    http::async_write(conn_->stream, message_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (e) return self->failed(e, "write");
      self->read();
    });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxResponseBytes);
    conn_->stream.expires_at(deadline_);
    http::async_read(conn_->stream, conn_->buffer, *parser_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (e) return self->failed(e, "read");
      self->answered();
    });
  }

  void failed(const beast::error_code& ec, const char* step) {
    const bool nothing_answered = !parser_ || !parser_->got_some();
    if (reused_ && !retried_ && nothing_answered && is_closed_by_peer(ec) && !client_->closed) {
      // The server closed this idle keep-alive connection before our request reached it.
      retried_ = true;
      conn_.reset();
      parser_.reset();
      return connect();
    }
    const Failure f = classify(ec, client_->closed);
    finish(f, std::string(step) + " " + req_.address + ":" + std::to_string(req_.port) + ": " +
                  (f == Failure::TimedOut ? "no answer within the deadline" : ec.message()));
  }

  void answered() {
    auto& res = parser_->get();
    HttpClientResult r;
    r.status = static_cast<int>(res.result_int());
    if (auto it = res.find(http::field::content_type); it != res.end()) r.content_type = std::string(it->value());
    r.body = std::move(res.body());
    if (res.keep_alive()) client_->give_back(key_, std::move(conn_));
    finish(std::move(r));
  }

  void finish(Failure f, std::string detail) {
    HttpClientResult r;
    r.failure = f;
    r.detail = std::move(detail);
    finish(std::move(r));
  }

  // Always through post: `done` never runs inside request() and never re-enters a caller's frame.
  void finish(HttpClientResult r) {
    if (finished_) return;
    finished_ = true;
    if (conn_) {
      beast::error_code ec;
      conn_->stream.socket().close(ec);
      conn_.reset();
    }
    asio::post(client_->io, [done = std::move(done_), r = std::move(r)]() mutable { done(std::move(r)); });
  }

  std::shared_ptr<HttpClient::State> client_;
  HttpClientRequest req_;
  std::function<void(HttpClientResult)> done_;
  std::string key_;
  SteadyClock::time_point deadline_;
  http::request<http::string_body> message_;
  std::unique_ptr<Connection> conn_;
  std::optional<http::response_parser<http::string_body>> parser_;
  bool reused_ = false;
  bool retried_ = false;
  bool finished_ = false;
};

}  // namespace

HttpClient::HttpClient(asio::io_context& io, TransportLog log) : state_(std::make_shared<State>(io, std::move(log))) {}

HttpClient::~HttpClient() { close(); }

void HttpClient::request(HttpClientRequest req, std::function<void(HttpClientResult)> done) {
  if (state_->closed) {
    HttpClientResult r;
    r.failure = Failure::Shutdown;
    r.detail = "the HTTP client is closed";
    asio::post(state_->io, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    return;
  }
  std::make_shared<Exchange>(state_, std::move(req), std::move(done))->start();
}

void HttpClient::close() {
  state_->closed = true;
  state_->idle.clear();
  const auto inflight = state_->inflight;  // aborted exchanges complete (with Shutdown) asynchronously
  for (Exchange* e : inflight) e->abort();
}

std::size_t HttpClient::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [_, pool] : state_->idle) n += pool.size();
  return n;
}

std::size_t HttpClient::connections_opened() const { return state_->opened; }

}  // namespace roost::backends
