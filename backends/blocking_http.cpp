#include "backends/blocking_http.h"

#include <charconv>

#include <boost/asio/io_context.hpp>

namespace roost::backends {

std::optional<HttpUrl> parse_http_url(const std::string& url, std::string& error) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    error = "\"" + url + "\" is not an http:// URL";
    return std::nullopt;
  }
  std::string rest = url.substr(scheme.size());
  HttpUrl out;
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    out.base = rest.substr(slash);
    while (!out.base.empty() && out.base.back() == '/') out.base.pop_back();
    rest = rest.substr(0, slash);
  }
  const auto colon = rest.rfind(':');
  out.address = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (out.address == "localhost") out.address = "127.0.0.1";
  if (out.address.empty()) {
    error = "\"" + url + "\" names no host";
    return std::nullopt;
  }
  if (colon != std::string::npos) {
    const std::string p = rest.substr(colon + 1);
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size() || v == 0 || v > 65535) {
      error = "\"" + url + "\": \"" + p + "\" is not a port";
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(v);
  }
  return out;
}

struct BlockingHttpClient::Impl {
  Impl(HttpUrl s, core::Duration t) : server(std::move(s)), timeout(t), client(io) {}
  HttpUrl server;
  core::Duration timeout;
  boost::asio::io_context io;
  HttpClient client;
};

BlockingHttpClient::BlockingHttpClient(HttpUrl server, core::Duration timeout)
    : impl_(std::make_unique<Impl>(std::move(server), timeout)) {}

BlockingHttpClient::~BlockingHttpClient() {
  impl_->client.close();
  impl_->io.poll();
}

HttpClientResult BlockingHttpClient::request(const std::string& method, const std::string& target,
                                             const std::string& body, const std::string& content_type) {
  auto& s = *impl_;
  HttpClientRequest req;
  req.address = s.server.address;
  req.port = s.server.port;
  req.method = method;
  req.target = s.server.base + target;
  req.content_type = content_type;
  req.body = body;
  req.timeout = s.timeout;
  std::optional<HttpClientResult> result;
  s.client.request(std::move(req), [&](HttpClientResult r) { result = std::move(r); });
  s.io.restart();
  while (!result) s.io.run_one();
  return std::move(*result);
}

std::size_t BlockingHttpClient::connections_opened() const { return impl_->client.connections_opened(); }

std::string describe_failure(const HttpClientResult& r) {
  using F = HttpClientResult::Failure;
  const char* what = "";
  switch (r.failure) {
    case F::None: return "";
    case F::Refused: what = "connection refused"; break;
    case F::Unreachable: what = "unreachable"; break;
    case F::Closed: what = "connection closed by the server"; break;
    case F::TimedOut: what = "timed out"; break;
    case F::Protocol: what = "not a valid HTTP answer"; break;
    case F::Shutdown: what = "client shut down"; break;
  }
  return r.detail.empty() ? what : std::string(what) + " (" + r.detail + ")";
}

}  // namespace roost::backends
