// An HTTP/1.1 listener (Boost.Beast) on one address:port that hands every request to a router.
// Keep-alive: a connection serves requests one after another, each answered (possibly later, from
// the single runtime thread) before the next is read. A connection idle longer than `idle_timeout`
// is closed, so clients that vanish do not pin sockets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "backends/http_router.h"
#include "backends/transport_log.h"
#include "platform/core/time.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends {

class HttpListener {
 public:
  HttpListener(boost::asio::io_context& io, std::string address, std::uint16_t port,
               std::shared_ptr<const HttpRouter> router, TransportLog log);
  ~HttpListener();  // stop()s
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds and starts accepting; throws std::runtime_error naming the address and the reason.
  void start();
  // Closes the listening socket and every open connection; pending answers go nowhere.
  void stop();

  std::size_t open_connections() const;

  static constexpr std::size_t kMaxBodyBytes = 64 * 1024 * 1024;
  static constexpr core::Duration kIdleTimeout = core::seconds(120);

 struct State;  // defined in the .cpp (public only so its helpers can name it)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace roost::backends
