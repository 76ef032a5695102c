#include "backends/process_control.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/spawn.h"

namespace roost::backends {

namespace asio = boost::asio;

namespace {

// A descriptor that becomes readable when `pid` ends (close-on-exec is always set on it), or -1.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

struct ProcessControl::Child {
  explicit Child(asio::io_context& io) : pidfd(io), kill_timer(io) {}
  pid_t pid = 0;
  asio::posix::stream_descriptor pidfd;
  asio::steady_timer kill_timer;  // stop()'s SIGKILL after the grace period
  std::function<void(core::ProcessExit)> exited;
  bool stopping = false;
  bool reaped = false;
  bool abandoned = false;  // the ProcessControl is gone: touch nothing of it
};

ProcessControl::ProcessControl(asio::io_context& io) : io_(io) {}

ProcessControl::~ProcessControl() {
  for (auto& [pid, c] : children_) {
    c->abandoned = true;
    c->exited = nullptr;
    kill_and_reap(pid);
    boost::system::error_code ignored;
    c->pidfd.close(ignored);
    c->kill_timer.cancel();
  }
}

void ProcessControl::start(const core::ProcessSpec& spec, std::function<void(core::ProcessId, std::string)> started,
                           std::function<void(core::ProcessExit)> exited) {
  std::weak_ptr<bool> alive = alive_;
  auto fail = [&](std::string why) {
    asio::post(io_, [alive, started = std::move(started), why = std::move(why)] {
      if (!alive.expired() && started) started(0, why);
    });
  };
  const Spawned child = spawn_process({spec.argv, std::nullopt, -1, -1});
  if (!child.ok()) return fail(child.error);
  const int fd = open_pidfd(child.pid);
  if (fd < 0) {
    const int e = errno;
    kill_and_reap(child.pid);
    return fail("pidfd_open: " + std::string(std::strerror(e)) + " (watching a process needs Linux >= 5.3)");
  }

  auto c = std::make_shared<Child>(io_);
  c->pid = child.pid;
  c->pidfd.assign(fd);
  c->exited = std::move(exited);
  children_.emplace(c->pid, c);
  asio::post(io_, [this, alive, c, started = std::move(started)] {
    if (alive.expired() || c->abandoned) return;
    // The watch's completion is queued by the reactor, so it cannot run before `started` below.
    if (!c->reaped) watch(c);
    if (started) started(c->pid, {});
  });
}

void ProcessControl::watch(const std::shared_ptr<Child>& c) {
  c->pidfd.async_wait(asio::posix::descriptor_base::wait_read, [this, c](const boost::system::error_code& ec) {
    if (c->abandoned || c->reaped) return;  // `this` may be gone: check before touching it
    if (ec == asio::error::operation_aborted) return;
    on_readable(c);
  });
}

void ProcessControl::on_readable(const std::shared_ptr<Child>& c) {
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(c->pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return watch(c);  // not ended after all: keep waiting

  core::ProcessExit exit;
  exit.id = static_cast<core::ProcessId>(c->pid);
  if (r == c->pid) {
    if (WIFEXITED(status)) exit.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  } else {
    exit.exit_code = -1;  // reaped elsewhere (a wildcard wait in this process): its status is lost
  }
  c->reaped = true;
  boost::system::error_code ignored;
  c->pidfd.close(ignored);
  c->kill_timer.cancel();
  children_.erase(c->pid);
  auto exited = std::move(c->exited);
  if (exited) exited(exit);
}

void ProcessControl::stop(core::ProcessId id) {
  auto it = children_.find(static_cast<pid_t>(id));
  if (it == children_.end()) return;
  const auto& c = it->second;
  if (c->stopping) return;
  c->stopping = true;
  // Until we reap it the pid is ours (at worst a zombie), so signalling it cannot hit a stranger.
  ::kill(c->pid, SIGTERM);
  c->kill_timer.expires_after(std::chrono::duration_cast<asio::steady_timer::duration>(kStopGrace));
  c->kill_timer.async_wait([c](const boost::system::error_code& ec) {
    if (ec || c->abandoned || c->reaped) return;
    ::kill(c->pid, SIGKILL);
  });
}

}  // namespace roost::backends
