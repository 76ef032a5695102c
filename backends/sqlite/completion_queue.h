// A minimal executor for programs without an event loop (tools, tests, benchmarks): store completions
// are posted here from the writer thread and run on whichever thread drains the queue. The real
// runtime posts completions onto the node's Asio strand instead.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace roost::sqlite {

using Executor = std::function<void(std::function<void()>)>;

class CompletionQueue {
 public:
  void post(std::function<void()> fn) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

  // An Executor that posts here; the queue must outlive whoever holds it.
  Executor executor() {
    return [this](std::function<void()> fn) { post(std::move(fn)); };
  }

  // Runs everything queued now (not what those runs post); returns how many ran.
  std::size_t run_ready() {
    std::deque<std::function<void()>> ready;
    {
      std::lock_guard lock(mu_);
      ready.swap(queue_);
    }
    for (auto& fn : ready) fn();
    return ready.size();
  }

  // Waits up to `timeout` for work, then runs what is queued; returns how many ran.
  std::size_t wait_and_run(std::chrono::milliseconds timeout) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); });
    }
    return run_ready();
  }

  // Runs completions until `done()` holds or `timeout` passes; returns done().
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return done();
      wait_and_run(std::min(left, std::chrono::milliseconds(50)));
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
};

}  // namespace roost::sqlite
