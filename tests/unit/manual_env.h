// A hand-driven Env for unit tests of node logic: time moves only when the test says so, and every
// datagram and call a node makes is captured for the test to inspect or answer.
#pragma once

#include <map>
#include <vector>

#include "platform/core/env.h"

namespace roost::testing {

class CapturingLogger : public core::Logger {
 public:
  struct Record {
    core::LogLevel level;
    std::string event;
    core::LogFields fields;
  };
  bool enabled(core::LogLevel) const override { return true; }
  void write(core::LogLevel l, std::string_view e, core::LogFields f) override {
    records.push_back({l, std::string(e), std::move(f)});
  }
  std::vector<Record> with_event(std::string_view e) const {
    std::vector<Record> out;
    for (const auto& r : records)
      if (r.event == e) out.push_back(r);
    return out;
  }
  std::vector<Record> records;
};

class ManualEnv : public core::Env {
 public:
  struct Sent {
    std::string to;
    core::Network net;
    core::Envelope msg;
  };
  struct Call {
    std::string to;
    core::Network net;
    core::Envelope request;
    core::Duration timeout;
    std::function<void(core::CallOutcome)> done;
  };

  explicit ManualEnv(std::string name = "node-under-test") : name_(std::move(name)) {}

  const std::string& node_name() const override { return name_; }
  core::TimePoint now() const override { return now_; }
  core::TimerId after(core::Duration d, std::function<void()> fn) override {
    const auto id = ++next_id_;
    timers_.emplace(std::make_pair(now_ + std::max(d, core::Duration(0)), id), std::move(fn));
    return id;
  }
  void cancel(core::TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it)
      if (it->first.second == id) return void(timers_.erase(it));
  }
  void send(const std::string& to, core::Network net, core::Envelope msg) override {
    sent.push_back({to, net, std::move(msg)});
  }
  void call(const std::string& to, core::Network net, core::Envelope req, core::Duration timeout,
            std::function<void(core::CallOutcome)> done) override {
    calls.push_back({to, net, std::move(req), timeout, std::move(done)});
  }
  core::Rng& rng() override { return rng_; }
  core::Logger& log() override { return logger; }
  std::int64_t wall_time_us() const override { return wall_us + (now_ - core::TimePoint{}).count() / 1000; }
  std::shared_ptr<void> resource(std::type_index type) override {
    auto it = resources.find(type);
    return it == resources.end() ? nullptr : it->second;
  }
  void serve_http(core::Network net, std::uint16_t port, std::shared_ptr<const core::HttpRouter> router) override {
    served.push_back({net, port, std::move(router)});
  }
  core::HardwareAccess& hardware() override { return hardware_ ? *hardware_ : core::Env::hardware(); }
  const core::Crypto& crypto() const override { return crypto_impl ? *crypto_impl : core::Env::crypto(); }
  // What crypto() hands out (tests link backends/openssl_crypto); null: the default (throws).
  const core::Crypto* crypto_impl = nullptr;

  // What hardware() hands out (BMCs, processes): a test's fake, which must outlive the node; null: the
  // default (no hardware: every operation fails).
  void set_hardware(core::HardwareAccess* hw) { hardware_ = hw; }

  // UTC microseconds at now() == 0 (2026-01-01T00:00:00Z); wall_time_us() moves with advance().
  std::int64_t wall_us = 1767225600000000;
  // What resource<T>() hands out, by type: tests put e.g. a MemoryAlarmStore here.
  std::map<std::type_index, std::shared_ptr<void>> resources;
  struct Served {
    core::Network net;
    std::uint16_t port;
    std::shared_ptr<const core::HttpRouter> router;
  };
  std::vector<Served> served;

  // Runs every timer due up to now + d, in time order, moving the clock to each.
  void advance(core::Duration d) {
    const auto until = now_ + d;
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key().first;
      node.mapped()();
    }
    now_ = until;
  }

  std::vector<Sent> sent;
  std::vector<Call> calls;
  CapturingLogger logger;

 private:
  std::string name_;
  core::TimePoint now_{};
  core::TimerId next_id_ = 0;
  std::map<std::pair<core::TimePoint, core::TimerId>, std::function<void()>> timers_;
  core::Rng rng_{1};
  core::HardwareAccess* hardware_ = nullptr;
};

}  // namespace roost::testing
