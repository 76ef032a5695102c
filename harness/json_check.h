// A small, table-driven checker for hand-written JSON documents (scenarios). No JSON-schema library
// for C++ ships in Debian, and a scenario author needs better messages than a schema validator gives
// anyway: every error names the JSON path, says what is wrong and, for a typo, what was probably meant.
// The checker collects every error instead of stopping at the first.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace roost::harness {

// One thing wrong with a document. `path` is a JSONPath-like location ("$.sites[0].nodes[1].role");
// for a file that is not JSON at all, `line`/`column` say where parsing stopped and `path` is empty.
struct DocumentError {
  std::string path;
  std::string message;
  int line = 0;
  int column = 0;
};

// "file: $.path: message", or "file:line:column: message" for syntax errors.
std::string format_error(std::string_view file, const DocumentError& e);

// The JSON types a field may hold; a field may accept several (Integer is a Number without fraction).
enum JsonType : unsigned {
  kString = 1u << 0,
  kNumber = 1u << 1,
  kInteger = 1u << 2,
  kBool = 1u << 3,
  kObject = 1u << 4,
  kArray = 1u << 5,
};

struct FieldRule {
  std::string_view name;
  unsigned types;  // a JsonType mask
  bool required = false;
};

// "string", "integer", "number", "boolean", "object", "array" or "null": what a value is, as users say it.
std::string json_type_name(const nlohmann::json& j);
bool has_type(const nlohmann::json& j, unsigned types);

// The candidate closest to `word` by edit distance, if close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string> candidates);
// `" (did you mean \"x\"?)"` or "".
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

// Path building: child("$", "sites") == "$.sites", index("$.sites", 0) == "$.sites[0]".
std::string child(const std::string& path, std::string_view key);
std::string index(const std::string& path, std::size_t i);

// A JSON value as a short literal for messages: -5, 1.5, "abc".
std::string literal(const nlohmann::json& j);

class JsonChecker {
 public:
  void error(std::string path, std::string message);
  void syntax_error(int line, int column, std::string message);

  // Checks that `j` (found at `path`) is an object whose keys are all among `rules`, with every required
  // key present and every key of an allowed type. Keys listed in `not_here` are known to the format but
  // do not apply in this place; they get `not_here_reason` instead of "unknown field".
  // Returns false (after recording why) if `j` is not an object at all.
  bool check_object(const nlohmann::json& j, const std::string& path, std::span<const FieldRule> rules,
                    std::span<const FieldRule> not_here = {}, std::string_view not_here_reason = {});
  // Checks the type of a single value (an array element, say).
  bool check_type(const nlohmann::json& j, const std::string& path, unsigned types);

  const std::vector<DocumentError>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }

 private:
  std::vector<DocumentError> errors_;
};

// Typed reads of a field that check_object has already vetted: nullopt when absent or of the wrong
// type (the checker has said so already), so semantic checks never report the same problem twice.
std::optional<std::string> get_string(const nlohmann::json& obj, std::string_view key);
std::optional<double> get_number(const nlohmann::json& obj, std::string_view key);
std::optional<std::int64_t> get_integer(const nlohmann::json& obj, std::string_view key);
// An integer >= 0 that may use all 64 bits (seeds).
std::optional<std::uint64_t> get_unsigned(const nlohmann::json& obj, std::string_view key);
std::optional<bool> get_bool(const nlohmann::json& obj, std::string_view key);
const nlohmann::json* get_field(const nlohmann::json& obj, std::string_view key);

}  // namespace roost::harness
