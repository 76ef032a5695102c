// Drives an io_context from a test's thread until a BMC completion arrives: the real backend's pieces
// (ProcessRunner, IpmiBmc) without a runtime around them.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "backends/ipmi/ipmi_bmc.h"
#include "backends/ipmi/process_runner.h"

namespace roost::testing {

class BmcDriver {
 public:
  BmcDriver() : work_(boost::asio::make_work_guard(io)) {}

  // Starts an operation with `start(done)` and runs the loop until done ran (or `limit` passed: throws).
  template <class T, class Start>
  core::BmcResult<T> run(Start&& start, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    std::optional<core::BmcResult<T>> got;
    start([&got](core::BmcResult<T> r) { got.emplace(std::move(r)); });
    until([&] { return got.has_value(); }, limit);
    if (!got) throw std::runtime_error("no BMC completion within " + std::to_string(limit.count()) + " ms");
    return std::move(*got);
  }

  // Runs the loop until `done()` or `limit`; returns done().
  template <class F>
  bool until(F&& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(20));
    return done();
  }

  void run_for(std::chrono::milliseconds d) { io.run_for(d); }

  boost::asio::io_context io;
  backends::ipmi::ProcessRunner runner{io};

 private:
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
};

}  // namespace roost::testing
