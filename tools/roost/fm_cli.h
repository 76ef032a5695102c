// What `roost alarm`, `roost event` and `roost suppression` share (and `roost host`/`system`, with
// another RestService): the FM REST endpoint (--url, or $ROOST_FM_URL, or http://127.0.0.1:18002), output format (--format table|json), one request with
// the CLI's error conventions (exit 3: the server is unreachable; exit 1: it answered an error, whose
// detail is printed), and plain text tables.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace roost::cli {

// Which REST service a command talks to. The FM nouns use kFmService; other nouns (`roost host`,
// `roost system`: kInventoryService) reuse the same options, requests and tables with their own.
struct RestService {
  const char* what;         // for messages: "cannot reach <what> at URL"
  const char* url_env;      // the environment variable that overrides the default URL
  const char* default_url;
};
inline constexpr RestService kFmService{"the fault manager", "ROOST_FM_URL", "http://127.0.0.1:18002"};
inline constexpr RestService kInventoryService{"the inventory", "ROOST_INV_URL", "http://127.0.0.1:6385"};

struct FmCliOptions {
  std::string url;              // "" until parsed: then --url, $<service.url_env> or the default
  std::string format = "table";
  RestService service = kFmService;  // set before add_fm_options: its help names the service's URL
};

inline constexpr const char* kDefaultFmUrl = kFmService.default_url;

// Adds --url and --format (one of `formats`) to `cmd`.
void add_fm_options(CLI::App* cmd, FmCliOptions& o, const std::vector<std::string>& formats = {"table", "json"});

struct FmAnswer {
  int exit_code = 0;    // 0 when the server answered 2xx
  int status = 0;
  nlohmann::json body;  // null for an empty body
};
// Sends one request; prints what went wrong to stderr when exit_code != 0.
// A body that is not JSON (an XML export) comes back as a JSON string holding the text.
FmAnswer fm_request(const FmCliOptions& o, const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& content_type = "application/json");

// "?k=v&k2=v2" (URL-encoded), "" when empty.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);
// Percent-encodes everything but unreserved characters (for a path segment such as a hostname).
std::string url_encode(const std::string& s);

// Prints rows under headers, columns padded to their widest cell.
void print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);
// A field of `j` as text ("" if absent; numbers and booleans as written).
std::string cell(const nlohmann::json& j, const std::string& key);
// Prints `j` as key: value lines (show commands).
void print_record(const nlohmann::json& j);

}  // namespace roost::cli
