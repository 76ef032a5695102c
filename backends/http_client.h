// An HTTP/1.1 client (Boost.Beast) with keep-alive connection pools per (source address, destination
// address, port). Binding the source address matters: a node's traffic on a network leaves from its
// own address on that network, so cutting one address of one node cuts that node's traffic both ways.
//
// Every request has one deadline covering connect, write and read; `done` runs exactly once, never
// from inside request(). A connection is reused only after a complete keep-alive exchange; one that
// timed out is closed (a late answer would be read as the next request's). A request that fails on a
// reused connection before any answer byte (the server closed it while idle) is retried once on a new
// connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "backends/transport_log.h"
#include "platform/core/time.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends {

struct HttpClientResult {
  enum class Failure {
    None,
    Refused,      // connection refused: nothing listens there
    Unreachable,  // no route, host unreachable, bad address, cannot bind the source address
    Closed,       // the server closed or reset the connection before a full answer
    TimedOut,     // the deadline passed
    Protocol,     // the answer was not valid HTTP
    Shutdown,     // the client was closed while the request was in flight
  };
  Failure failure = Failure::None;
  std::string detail;  // why it failed, for humans
  int status = 0;
  std::string content_type;
  std::string body;
};

struct HttpClientRequest {
  std::string source_address;  // bind the connection to this local address ("" = any)
  std::string address;
  std::uint16_t port = 0;
  std::string method = "POST";
  std::string target = "/";
  std::string content_type = "application/octet-stream";
  std::string body;
  core::Duration timeout = core::seconds(5);
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io, TransportLog log = {});
  ~HttpClient();  // close()s
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void request(HttpClientRequest req, std::function<void(HttpClientResult)> done);

  // Closes every idle and in-flight connection; in-flight requests complete with Shutdown.
  void close();

  std::size_t idle_connections() const;
  std::size_t connections_opened() const;  // total since construction: shows keep-alive reuse

  // Idle connections older than this are not reused (servers close idle ones after a while).
  static constexpr core::Duration kMaxIdle = core::seconds(30);
  static constexpr std::size_t kMaxIdlePerPool = 8;

 struct State;  // defined in the .cpp (public only so its helpers can name it)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace roost::backends
