#include "backends/ipmi/process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/spawn.h"

namespace roost::backends::ipmi {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// A child whose pipes are closed is normally gone or about to be: poll waitpid quickly, backing off.
constexpr auto kFirstReapPoll = std::chrono::milliseconds(1);
constexpr auto kLastReapPoll = std::chrono::milliseconds(50);

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

std::string ProcessResult::describe_end() const {
  if (!started) return "could not start: " + spawn_error;
  if (timed_out) return "killed after its deadline (timed out)";
  if (signal != 0) return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit status " + std::to_string(exit_code);
}

struct ProcessRunner::Child {
  explicit Child(asio::io_context& io) : streams{asio::posix::stream_descriptor(io), asio::posix::stream_descriptor(io)},
                                         deadline(io), reap_timer(io) {}
  pid_t pid = 0;
  std::array<asio::posix::stream_descriptor, 2> streams;  // [0] stdout, [1] stderr
  std::array<bool, 2> open{true, true};
  std::array<std::array<char, 4096>, 2> buffers{};
  asio::steady_timer deadline;
  asio::steady_timer reap_timer;
  SteadyClock::duration reap_delay = kFirstReapPoll;
  SteadyClock::time_point started_at;
  std::size_t max_output = 0;
  ProcessResult result;
  std::function<void(ProcessResult)> done;
  bool reaped = false;
  bool abandoned = false;  // the runner is gone: touch nothing of it

  std::string& text(int i) { return i == 0 ? result.out : result.err; }
};

ProcessRunner::ProcessRunner(asio::io_context& io) : io_(io) {}

ProcessRunner::~ProcessRunner() {
  for (auto& c : children_) {
    c->abandoned = true;
    ::kill(c->pid, SIGKILL);
    int status = 0;
    while (::waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    boost::system::error_code ignored;
    for (auto& s : c->streams) s.close(ignored);
    c->deadline.cancel();
    c->reap_timer.cancel();
  }
}

std::size_t ProcessRunner::running() const { return children_.size(); }

void ProcessRunner::run(ProcessSpec spec, std::function<void(ProcessResult)> done) {
  auto fail = [&](std::string why) {
    ProcessResult r;
    r.spawn_error = std::move(why);
    asio::post(io_, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  };
  if (spec.argv.empty() || spec.argv[0].empty()) return fail("no program given");

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail("pipe: " + errno_text(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return fail("pipe: " + errno_text(e));
  }

  const Spawned child = spawn_process({spec.argv, std::move(spec.env), out_pipe[1], err_pipe[1]});
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!child.ok()) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return fail(child.error);
  }
  const pid_t pid = child.pid;

  auto c = std::make_shared<Child>(io_);
  c->pid = pid;
  c->started_at = SteadyClock::now();
  c->max_output = spec.max_output;
  c->result.started = true;
  c->done = std::move(done);
  c->streams[0].assign(out_pipe[0]);
  c->streams[1].assign(err_pipe[0]);
  children_.push_back(c);

  read(c, 0);
  read(c, 1);
  c->deadline.expires_after(std::chrono::duration_cast<SteadyClock::duration>(spec.timeout));
  c->deadline.async_wait([c](const boost::system::error_code& ec) {
    if (ec || c->abandoned || c->reaped) return;
    c->result.timed_out = true;
    ::kill(c->pid, SIGKILL);
    // Stop waiting for the pipes (a grandchild could hold them open): the reads end, then the reap.
    for (auto& s : c->streams) {
      boost::system::error_code ignored;
      s.cancel(ignored);
    }
  });
}

// Every handler below checks `abandoned` before touching the runner: it may run (with an error) after
// the runner is destroyed, while the io_context lives on.
void ProcessRunner::read(const std::shared_ptr<Child>& c, int i) {
  c->streams[i].async_read_some(asio::buffer(c->buffers[i]), [this, c, i](const boost::system::error_code& ec,
                                                                          std::size_t n) {
    if (c->abandoned) return;
    std::string& t = c->text(i);
    if (n > 0 && t.size() < c->max_output) t.append(c->buffers[i].data(), std::min(n, c->max_output - t.size()));
    if (!ec) return read(c, i);
    // End of file, an error, or the deadline cancelled the read: this stream is done.
    if (!c->open[i]) return;
    c->open[i] = false;
    boost::system::error_code ignored;
    c->streams[i].close(ignored);
    // The pipes close when the child exits (or closes them itself): then poll for its exit.
    if (!c->open[0] && !c->open[1]) poll_exit(c);
  });
}

void ProcessRunner::poll_exit(const std::shared_ptr<Child>& c) {
  if (c->abandoned || c->reaped) return;
  int status = 0;
  const pid_t r = ::waitpid(c->pid, &status, WNOHANG);
  if (r == c->pid) {
    if (WIFEXITED(status)) c->result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) c->result.signal = WTERMSIG(status);
    return finish(c);
  }
  if (r < 0 && errno != EINTR) {  // not our child any more: someone reaped it with a wildcard wait
    c->result.err += "\n[roost] the child was reaped elsewhere: " + errno_text(errno);
    return finish(c);
  }
  c->reap_timer.expires_after(c->reap_delay);
  c->reap_delay = std::min<SteadyClock::duration>(c->reap_delay * 2, kLastReapPoll);
  c->reap_timer.async_wait([this, c](const boost::system::error_code& ec) {
    if (!ec && !c->abandoned) poll_exit(c);
  });
}

void ProcessRunner::finish(const std::shared_ptr<Child>& c) {
  c->reaped = true;
  c->deadline.cancel();
  c->reap_timer.cancel();
  c->result.elapsed = std::chrono::duration_cast<core::Duration>(SteadyClock::now() - c->started_at);
  children_.erase(std::remove(children_.begin(), children_.end(), c), children_.end());
  auto done = std::move(c->done);
  if (done) done(std::move(c->result));
}

}  // namespace roost::backends::ipmi
