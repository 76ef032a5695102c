#include "backends/datagram_socket.h"

#include <array>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace roost::backends {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

// A burst of datagrams is drained up to this many before the socket yields to other work, so one
// flooded node cannot starve the others sharing the thread.
constexpr int kDrainBatch = 64;
constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;

// One per thread; every socket of a runtime is served by that runtime's single thread.
std::array<char, DatagramSocket::kMaxDatagram>& receive_buffer() {
  static thread_local std::array<char, DatagramSocket::kMaxDatagram> buffer;
  return buffer;
}

}  // namespace

struct DatagramSocket::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::string a, std::uint16_t p, Receive r)
      : socket(io), address(std::move(a)), port(p), on_receive(std::move(r)) {}

  void wait() {
    socket.async_wait(udp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed) return;
      self->drain();
    });
  }

  void drain() {
    auto& buf = receive_buffer();
    for (int i = 0; i < kDrainBatch && !closed; ++i) {
      udp::endpoint sender;
      boost::system::error_code ec;
      const std::size_t n = socket.receive_from(asio::buffer(buf), sender, 0, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) continue;  // e.g. an ICMP error reported on the socket: nothing to deliver
      on_receive(std::string_view(buf.data(), n), sender.address().to_string() + ":" + std::to_string(sender.port()));
    }
    if (!closed) wait();
  }

  udp::socket socket;
  std::string address;
  std::uint16_t port;
  Receive on_receive;
  bool closed = true;
};

DatagramSocket::DatagramSocket(asio::io_context& io, std::string address, std::uint16_t port, Receive on_receive)
    : impl_(std::make_shared<Impl>(io, std::move(address), port, std::move(on_receive))) {}

DatagramSocket::~DatagramSocket() { close(); }

void DatagramSocket::open() {
  auto& s = *impl_;
  const std::string where = "udp " + s.address + ":" + std::to_string(s.port);
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(s.address, ec);
  if (ec) throw std::runtime_error(where + ": bad address: " + ec.message());
  const udp::endpoint ep(addr, s.port);
  s.socket.open(ep.protocol(), ec);
  if (!ec) s.socket.bind(ep, ec);
  if (!ec) s.socket.non_blocking(true, ec);
  if (!ec) {
    // Best effort (the kernel caps it at net.core.rmem_max): a controller hosting hundreds of peers
    // receives their answers in bursts, which the default ~200 KiB buffer may not hold.
    boost::system::error_code ignored;
    s.socket.set_option(asio::socket_base::receive_buffer_size(kReceiveBufferBytes), ignored);
  }
  if (ec) {
    s.socket.close();
    throw std::runtime_error(where + ": cannot bind: " + ec.message());
  }
  s.closed = false;
  s.wait();
}

void DatagramSocket::close() {
  impl_->closed = true;
  boost::system::error_code ec;
  impl_->socket.close(ec);
}

std::string DatagramSocket::send_to(std::string_view bytes, const asio::ip::address& to, std::uint16_t port) {
  if (impl_->closed) return "socket closed";
  boost::system::error_code ec;
  impl_->socket.send_to(asio::buffer(bytes.data(), bytes.size()), udp::endpoint(to, port), 0, ec);
  return ec ? ec.message() : std::string();
}

}  // namespace roost::backends
