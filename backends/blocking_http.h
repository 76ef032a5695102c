// A blocking HTTP/1.1 client for programs without an event loop (the roost CLI, tests, benchmarks):
// the runtime's HttpClient on a private io_context, one request at a time, keep-alive between them.
// Not thread-safe: one BlockingHttpClient per thread (a benchmark's concurrent connections use one each).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "backends/http_client.h"
#include "platform/core/time.h"

namespace roost::backends {

// "http://host:port[/base]" -> address, port (default 80), base path. nullopt for anything else
// (https, no host, a bad port); `error` then says what is wrong.
struct HttpUrl {
  std::string address;
  std::uint16_t port = 80;
  std::string base;  // "" or "/prefix" (no trailing slash)
};
std::optional<HttpUrl> parse_http_url(const std::string& url, std::string& error);

class BlockingHttpClient {
 public:
  explicit BlockingHttpClient(HttpUrl server, core::Duration timeout = core::seconds(10));
  ~BlockingHttpClient();
  BlockingHttpClient(const BlockingHttpClient&) = delete;
  BlockingHttpClient& operator=(const BlockingHttpClient&) = delete;

  // `target` is appended to the server's base path. Blocks until the answer or the timeout.
  HttpClientResult request(const std::string& method, const std::string& target, const std::string& body = "",
                           const std::string& content_type = "application/json");
  HttpClientResult get(const std::string& target) { return request("GET", target); }

  std::size_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "connection refused", "timed out"... for a failed result; "" when it got an answer.
std::string describe_failure(const HttpClientResult& r);

}  // namespace roost::backends
