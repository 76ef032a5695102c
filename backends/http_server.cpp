// One of the two translation units that include Beast (with http_client.cpp).
#include "backends/http_server.h"

#include <cctype>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace roost::backends {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Session;

}  // namespace

struct HttpListener::State {
  State(asio::io_context& io, std::string addr, std::uint16_t p, std::shared_ptr<const HttpRouter> r, TransportLog l)
      : io(io), address(std::move(addr)), port(p), router(std::move(r)), log(std::move(l)), retry(io) {}

  void accept(const std::shared_ptr<State>& self);

  asio::io_context& io;
  std::string address;
  std::uint16_t port;
  std::shared_ptr<const HttpRouter> router;
  TransportLog log;
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer retry;  // re-arms accept after a transient failure (e.g. out of descriptors)
  std::unordered_set<Session*> sessions;
  bool stopped = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpListener::State> listener)
      : stream_(std::move(socket)), listener_(std::move(listener)) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string();
    listener_->sessions.insert(this);
  }
  ~Session() { listener_->sessions.erase(this); }

  void read() {
    if (listener_->stopped) return;
    parser_.emplace();
    parser_->body_limit(HttpListener::kMaxBodyBytes);
    stream_.expires_after(HttpListener::kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  void answer(HttpResponse r, unsigned version, bool keep_alive) {
    if (listener_->stopped || !stream_.socket().is_open()) return;
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
    res->set(http::field::server, "roost");
    res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(HttpListener::kIdleTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!res->keep_alive()) return self->close();
      self->read();
    });
  }

 private:
  void on_read(beast::error_code ec);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpListener::State> listener_;
  std::string remote_;
};

// The answer side of one request: the first answer is written; an answer never given (every copy of
// the respond function dropped) becomes a 500, so the client is not left waiting for its timeout.
// It keeps the session alive while the handler takes its time (no read is pending meanwhile).
struct PendingAnswer {
  PendingAnswer(std::shared_ptr<Session> s, unsigned v, bool k) : session(std::move(s)), version(v), keep_alive(k) {}
  ~PendingAnswer() {
    if (!answered) give(HttpResponse::error(500, "internal", "the handler dropped the request"));
  }
  void give(HttpResponse r) {
    if (answered) return;
    answered = true;
    session->answer(std::move(r), version, keep_alive);
    session.reset();
  }
  std::shared_ptr<Session> session;
  unsigned version;
  bool keep_alive;
  bool answered = false;
};

void Session::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
      ec == asio::error::connection_reset || ec == asio::error::eof)
    return close();  // the client went away (or idled out): nobody to answer
  if (ec) {
    // A request we cannot parse (or too large): say why, then drop the connection, whose framing is lost.
    const int status = ec == http::error::body_limit ? 413 : 400;
    if (listener_->log)
      listener_->log(core::LogLevel::Debug, "http.bad_request",
                     {{"listener", listener_->address}, {"remote", remote_}, {"error", ec.message()}});
    answer(HttpResponse::error(status, "bad-request", ec.message()), 11, false);
    return;
  }
  if (listener_->stopped) return close();  // read completed just as the listener stopped: its owner may be gone
  auto& msg = parser_->get();
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  split_target(req.target, req.path, req.query);
  for (const auto& f : msg) req.headers[lower({f.name_string().data(), f.name_string().size()})] = std::string(f.value());
  req.body = std::move(msg.body());
  req.local_address = listener_->address;
  req.remote_address = remote_;
  auto pending = std::make_shared<PendingAnswer>(shared_from_this(), msg.version(), msg.keep_alive());
  stream_.expires_never();  // the handler may answer later; the client owns the call's timeout
  listener_->router->dispatch(std::move(req), [pending](HttpResponse r) { pending->give(std::move(r)); });
}

}  // namespace

void HttpListener::State::accept(const std::shared_ptr<State>& self) {
  if (stopped) return;
  acceptor->async_accept(io, [self](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (ec) {
      if (self->log)
        self->log(core::LogLevel::Warn, "http.accept_failed", {{"listener", self->address}, {"error", ec.message()}});
      self->retry.expires_after(std::chrono::milliseconds(50));
      self->retry.async_wait([self](beast::error_code e) {
        if (!e) self->accept(self);
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small answers go out at once (no Nagle delay)
    std::make_shared<Session>(std::move(socket), self)->read();
    self->accept(self);
  });
}

HttpListener::HttpListener(asio::io_context& io, std::string address, std::uint16_t port,
                           std::shared_ptr<const HttpRouter> router, TransportLog log)
    : state_(std::make_shared<State>(io, std::move(address), port, std::move(router), std::move(log))) {}

HttpListener::~HttpListener() { stop(); }

void HttpListener::start() {
  auto& s = *state_;
  const std::string where = "http listener " + s.address + ":" + std::to_string(s.port);
  beast::error_code ec;
  const auto addr = asio::ip::make_address(s.address, ec);
  if (ec) throw std::runtime_error(where + ": bad address: " + ec.message());
  const tcp::endpoint ep(addr, s.port);
  s.acceptor.emplace(s.io);
  s.acceptor->open(ep.protocol(), ec);
  // reuse_address: a restarted roostd binds again while its old connections sit in TIME_WAIT.
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(ep, ec);
  if (ec) throw std::runtime_error(where + ": cannot bind: " + ec.message());
  s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(where + ": cannot listen: " + ec.message());
  s.stopped = false;
  s.accept(state_);
}

void HttpListener::stop() {
  auto& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  beast::error_code ec;
  s.retry.cancel();
  if (s.acceptor) s.acceptor->close(ec);
  const auto open = s.sessions;  // closing queues completions; sessions leave the set when destroyed
  for (Session* session : open) session->close();
}

std::size_t HttpListener::open_connections() const { return state_->sessions.size(); }

}  // namespace roost::backends
