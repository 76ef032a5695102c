// An in-process lab: the nodes of a LabLayout hosted by one RealRuntime in the test's own thread
// (the test drives the loop with run_for/run_until), on real loopback UDP and HTTP. Log records are
// captured through the sink's tap, not printed.
#pragma once

#include <mutex>
#include <vector>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "probe_node.h"
#include "tests/support/lab_layout.h"

namespace roost::testing {

class InProcessLab {
 public:
  // Nodes whose process is "here" are hosted; any other process's nodes are peers nobody runs.
  explicit InProcessLab(std::vector<LabNode> nodes, core::LogLevel level = core::LogLevel::Info)
      : layout(std::move(nodes)),
        roles(test_roles()),
        config(backends::parse_runtime_config(layout.config_for("here", {{"level", "debug"}, {"stderr", false}}), roles)),
        sink(config.log),
        runtime(config, sink, roles) {
    sink.set_level(level);
    sink.set_tap([this](const backends::LogRecord& r) { records.push_back(r); });
    runtime.start();
  }

  ProbeNode& probe(const std::string& name) {
    auto* p = dynamic_cast<ProbeNode*>(runtime.node(name));
    if (!p) throw std::logic_error(name + " is not a running probe");
    return *p;
  }

  std::size_t count(std::string_view event, const std::string& node = "*") const {
    std::size_t n = 0;
    for (const auto& r : records) n += r.event == event && (node == "*" || r.node == node);
    return n;
  }

  LabLayout layout;
  core::RoleRegistry roles;
  std::vector<backends::LogRecord> records;  // before the runtime: it logs while it is destroyed
  backends::RuntimeConfig config;
  backends::LogSink sink;
  backends::RealRuntime runtime;
};

inline LabNode probe(std::string name, std::string process = "here") {
  LabNode n;
  n.name = std::move(name);
  n.role = "probe";
  n.process = std::move(process);
  return n;
}

}  // namespace roost::testing
