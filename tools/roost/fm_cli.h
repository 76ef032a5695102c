// What `roost alarm`, `roost event` and `roost suppression` share: the FM REST endpoint (--url, or
// $ROOST_FM_URL, or http://127.0.0.1:18002), output format (--format table|json), one request with
// the CLI's error conventions (exit 3: the server is unreachable; exit 1: it answered an error, whose
// detail is printed), and plain text tables.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace roost::cli {

struct FmCliOptions {
  std::string url;              // "" until parsed: then --url, $ROOST_FM_URL or the default
  std::string format = "table";
};

inline constexpr const char* kDefaultFmUrl = "http://127.0.0.1:18002";

// Adds --url and --format to `cmd`.
void add_fm_options(CLI::App* cmd, FmCliOptions& o);

struct FmAnswer {
  int exit_code = 0;    // 0 when the server answered 2xx
  int status = 0;
  nlohmann::json body;  // null for an empty body
};
// Sends one request; prints what went wrong to stderr when exit_code != 0.
FmAnswer fm_request(const FmCliOptions& o, const std::string& method, const std::string& target,
                    const std::string& body = "");

// "?k=v&k2=v2" (URL-encoded), "" when empty.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// Prints rows under headers, columns padded to their widest cell.
void print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);
// A field of `j` as text ("" if absent; numbers and booleans as written).
std::string cell(const nlohmann::json& j, const std::string& key);
// Prints `j` as key: value lines (show commands).
void print_record(const nlohmann::json& j);

}  // namespace roost::cli
