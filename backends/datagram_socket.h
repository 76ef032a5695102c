// One UDP socket of one node on one network, bound to the node's address there. Receiving waits for
// readiness and then reads into a buffer shared by every socket of the runtime's thread, so hundreds of
// nodes (x networks) do not each pin a 64 KiB receive buffer. Sending is non-blocking and lossy: a
// datagram the kernel will not take now is dropped, as the network may drop it anyway.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace boost::asio {
class io_context;
}

namespace roost::backends {

class DatagramSocket {
 public:
  // `bytes` is valid only during the call; `sender` is "address:port".
  using Receive = std::function<void(std::string_view bytes, const std::string& sender)>;

  DatagramSocket(boost::asio::io_context& io, std::string address, std::uint16_t port, Receive on_receive);
  ~DatagramSocket();  // close()s
  DatagramSocket(const DatagramSocket&) = delete;
  DatagramSocket& operator=(const DatagramSocket&) = delete;

  // Binds; throws std::runtime_error naming the address and the reason.
  void open();
  void close();

  // Returns an empty string on success, else why the datagram was not sent.
  std::string send_to(std::string_view bytes, const boost::asio::ip::address& to, std::uint16_t port);

  static constexpr std::size_t kMaxDatagram = 65536;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace roost::backends
