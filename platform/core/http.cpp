#include "platform/core/http.h"

#include <stdexcept>

namespace roost::core {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const std::size_t j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

bool is_param(const std::string& seg) { return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}'; }

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>& params) {
  if (pattern.size() != path.size()) return false;
  std::map<std::string, std::string> bound;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i]))
      bound[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    else if (pattern[i] != path[i])
      return false;
  }
  params = std::move(bound);
  return true;
}

}  // namespace

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse HttpResponse::error(int status, std::string_view code, std::string_view detail) {
  return json(status, {{"error", code}, {"detail", detail}});
}

void split_target(const std::string& target, std::string& path, std::string& query) {
  const auto q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string::npos ? "" : target.substr(q + 1);
}

void HttpRouter::add(std::string method, std::string pattern, HttpHandler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), std::move(handler)});
}

void HttpRouter::dispatch(HttpRequest request, HttpRespond respond) const {
  const auto segments = split_path(request.path);
  bool path_known = false;
  std::string allowed;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match(r.segments, segments, params)) continue;
    path_known = true;
    if (r.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + r.method;
      continue;
    }
    request.params = std::move(params);
    // A handler that throws answers 500 rather than taking its server (or the whole process) down.
    try {
      r.handler(request, respond);
    } catch (const std::exception& e) {
      respond(HttpResponse::error(500, "internal-error", std::string(request.method) + " " + request.path + ": " + e.what()));
    }
    return;
  }
  if (path_known) {
    auto res = HttpResponse::error(405, "method-not-allowed", request.method + " " + request.path + " (allowed: " + allowed + ")");
    res.headers.emplace_back("Allow", allowed);
    return respond(std::move(res));
  }
  respond(HttpResponse::error(404, "not-found", "no route for " + request.path));
}

}  // namespace roost::core

namespace roost::core {

std::string url_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i <= query.size()) {
    std::size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    const auto part = query.substr(i, j - i);
    if (!part.empty()) {
      const auto eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(url_decode(part), "");
      else
        out.emplace_back(url_decode(part.substr(0, eq)), url_decode(part.substr(eq + 1)));
    }
    i = j + 1;
  }
  return out;
}

std::string json_error_text(const char* what) {
  std::string s = what;
  if (!s.empty() && s.front() == '[') {
    const auto end = s.find("] ");
    if (end != std::string::npos) s.erase(0, end + 2);
  }
  return s;
}

}  // namespace roost::core
