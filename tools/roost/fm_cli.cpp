#include "tools/roost/fm_cli.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "backends/blocking_http.h"
#include "tools/roost/commands.h"

namespace roost::cli {

void add_fm_options(CLI::App* cmd, FmCliOptions& o, const std::vector<std::string>& formats) {
  cmd->add_option("--url", o.url, std::string("REST API of ") + o.service.what + " (default: $" + o.service.url_env +
                                      ", else " + o.service.default_url + ")");
  std::string help;
  for (const auto& f : formats) help += (help.empty() ? "" : " or ") + f;
  cmd->add_option("--format", o.format, help)->check(CLI::IsMember(formats));
}

FmAnswer fm_request(const FmCliOptions& o, const std::string& method, const std::string& target, const std::string& body,
                    const std::string& content_type) {
  std::string url = o.url;
  if (url.empty()) {
    const char* env = std::getenv(o.service.url_env);
    url = env && *env ? env : o.service.default_url;
  }
  std::string error;
  auto parsed = backends::parse_http_url(url, error);
  if (!parsed) {
    std::cerr << "roost: bad --url: " << error << "\n";
    return {kInvalidInput, 0, nullptr};
  }
  backends::BlockingHttpClient http(*parsed, core::seconds(10));
  auto r = http.request(method, target, body, content_type);
  if (r.failure != backends::HttpClientResult::Failure::None) {
    std::cerr << "roost: cannot reach " << o.service.what << " at " << url << ": " << backends::describe_failure(r) << "\n";
    return {kRunFailed, 0, nullptr};
  }
  FmAnswer a;
  a.status = r.status;
  a.body = r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body, nullptr, false);
  if (a.body.is_discarded()) a.body = nlohmann::json(r.body);
  if (r.status >= 200 && r.status < 300) return a;
  a.exit_code = kExpectationFailed;
  std::string detail = a.body.is_object() ? a.body.value("detail", r.body) : r.body;
  std::string code = a.body.is_object() ? a.body.value("error", "") : "";
  std::cerr << "roost: " << method << " " << target << ": HTTP " << r.status << (code.empty() ? "" : " " + code) << ": "
            << detail << "\n";
  return a;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) q += (q.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
  return q;
}

std::string cell(const nlohmann::json& j, const std::string& key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

void print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      const std::string& c = i < cells.size() ? cells[i] : "";
      out += c;
      if (i + 1 < headers.size()) out += std::string(width[i] - c.size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  };
  line(headers);
  std::vector<std::string> rule;
  for (auto w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& r : rows) line(r);
}

void print_record(const nlohmann::json& j) {
  std::size_t w = 0;
  for (const auto& [k, v] : j.items()) w = std::max(w, k.size());
  for (const auto& [k, v] : j.items()) std::cout << k << std::string(w - k.size() + 2, ' ') << cell(j, k) << "\n";
}

}  // namespace roost::cli
