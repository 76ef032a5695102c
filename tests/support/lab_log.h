// Reading what a lab's processes logged: roostd's JSON-lines files (one object per record:
// wall, mono, node, level, event, fields), read incrementally while the processes run, and queries
// over the records ("pulse.host_lost on controller-0 with host=worker-1, after t").
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace roost::testing {

struct LabRecord {
  std::string process;     // which process's log it came from
  std::size_t index = 0;   // its position in that log (0-based, across restarts)
  double wall = 0;         // unix seconds
  double mono = 0;         // that process's runtime seconds
  std::string node;        // "" for the runtime's own records
  std::string level;
  std::string event;
  nlohmann::json fields = nlohmann::json::object();

  std::string describe() const;  // one line, for failure messages
};

struct LogQuery {
  std::string event;                       // required: exact event name
  std::optional<std::string> node;         // exact node ("" = runtime records)
  std::optional<std::string> process;      // only this process's log
  nlohmann::json fields = nlohmann::json::object();  // each key present with an equal value
  std::function<bool(const LabRecord&)> where;        // any further predicate
  double since_wall = 0;                   // only records with wall >= since_wall
  std::size_t since_index = 0;             // only records with index >= since_index (with `process`)

  bool matches(const LabRecord& r) const;
  std::string describe() const;
};

// One JSON-lines file, read as it grows; an incomplete last line waits for the next poll.
class JsonLinesReader {
 public:
  JsonLinesReader(std::string process, std::string path) : process_(std::move(process)), path_(std::move(path)) {}
  // Reads whatever was appended since the last call; returns how many records it added.
  std::size_t poll();
  const std::vector<LabRecord>& records() const { return records_; }
  std::size_t unparsable_lines() const { return unparsable_; }

 private:
  std::string process_;
  std::string path_;
  std::uint64_t offset_ = 0;
  std::string partial_;
  std::vector<LabRecord> records_;
  std::size_t unparsable_ = 0;
};

}  // namespace roost::testing
