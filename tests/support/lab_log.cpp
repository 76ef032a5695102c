#include "tests/support/lab_log.h"

#include <cstdio>
#include <sstream>

namespace roost::testing {

std::string LabRecord::describe() const {
  char wall_text[32];
  std::snprintf(wall_text, sizeof wall_text, "%.3f", wall);
  return "[" + process + "#" + std::to_string(index) + " wall=" + wall_text + "] " + level + " " +
         (node.empty() ? "-" : node) + " " + event + " " + fields.dump();
}

bool LogQuery::matches(const LabRecord& r) const {
  if (r.event != event) return false;
  if (node && r.node != *node) return false;
  if (process && r.process != *process) return false;
  if (r.wall < since_wall) return false;
  if (r.index < since_index) return false;
  for (const auto& [k, v] : fields.items()) {
    auto it = r.fields.find(k);
    if (it == r.fields.end() || *it != v) return false;
  }
  return !where || where(r);
}

std::string LogQuery::describe() const {
  std::string s = "event=" + event;
  if (node) s += " node=" + (node->empty() ? std::string("\"\"") : *node);
  if (process) s += " process=" + *process;
  if (!fields.empty()) s += " fields=" + fields.dump();
  if (where) s += " (+predicate)";
  if (since_wall > 0) s += " since_wall=" + std::to_string(since_wall);
  if (since_index > 0) s += " since_index=" + std::to_string(since_index);
  return s;
}

std::size_t JsonLinesReader::poll() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return 0;  // not created yet
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size < offset_) {  // truncated or replaced: start over
    offset_ = 0;
    partial_.clear();
  }
  if (size == offset_) return 0;
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(size - offset_, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  offset_ += chunk.size();
  partial_ += chunk;

  std::size_t added = 0, start = 0;
  for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    const auto j = nlohmann::json::parse(partial_.begin() + static_cast<std::ptrdiff_t>(start),
                                         partial_.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
    if (!j.is_object()) {
      ++unparsable_;
      continue;
    }
    LabRecord r;
    r.process = process_;
    r.index = records_.size();
    r.wall = j.value("wall", 0.0);
    r.mono = j.value("mono", 0.0);
    r.node = j.value("node", "");
    r.level = j.value("level", "");
    r.event = j.value("event", "");
    if (auto it = j.find("fields"); it != j.end() && it->is_object()) r.fields = *it;
    records_.push_back(std::move(r));
    ++added;
  }
  partial_.erase(0, start);
  return added;
}

}  // namespace roost::testing
