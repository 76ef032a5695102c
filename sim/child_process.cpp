// run_in_child(): one simulation per forked process (SimGrid 3.32 allows one engine per process), the
// result and progress reports coming back over a pipe as JSON lines:
//   {"progress": {...}}   any number
//   {"result": {...}}     or   {"error": "message"}   exactly one, last
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/result_json.h"
#include "sim/simulation.h"

namespace roost::sim {
namespace {

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the parent is gone: nothing more to say
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child_main(Simulation& sim, int fd, bool with_progress, core::Duration every) {
  auto line = [fd](const nlohmann::json& j) { write_all(fd, j.dump() + "\n"); };
  int code = 0;
  try {
    std::function<void(const Progress&)> report;
    if (with_progress) report = [&line](const Progress& p) { line({{"progress", progress_to_json(p)}}); };
    const SimResult r = sim.run(report, every);
    line({{"result", result_to_json(r)}});
  } catch (const std::exception& e) {
    line({{"error", std::string(e.what())}});
    code = 1;
  }
  ::close(fd);
  std::fflush(nullptr);
  ::_exit(code);  // no atexit handlers, no destructors of the parent's objects: the parent owns them
}

}  // namespace

SimResult run_in_child(const SimConfig& config, const core::RoleRegistry& roles,
                       std::function<void(const Progress&)> progress, core::Duration progress_every) {
  Simulation sim(config, roles);  // validates here, so config errors are std::invalid_argument in the caller
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("run_in_child: pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("run_in_child: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(sim, fds[1], static_cast<bool>(progress), progress_every);
  }
  ::close(fds[1]);

  std::optional<SimResult> result;
  std::string error;
  std::string buffer;
  char chunk[1 << 16];
  auto handle = [&](const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) {
      error = "run_in_child: unreadable report from the child";
    } else if (j.contains("progress")) {
      if (progress) progress(progress_from_json(j["progress"]));
    } else if (j.contains("result")) {
      result = result_from_json(j["result"]);
    } else if (j.contains("error")) {
      error = j["error"].get<std::string>();
    }
  };
  while (true) {
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::size_t start = buffer.size();
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t from = 0;
    for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = from) {
      handle(buffer.substr(from, nl - from));
      from = nl + 1;
    }
    buffer.erase(0, from);
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!error.empty()) throw std::runtime_error(error);
  if (!result) {
    if (WIFSIGNALED(status))
      throw std::runtime_error("run_in_child: the simulation process died of signal " +
                               std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")");
    throw std::runtime_error("run_in_child: the simulation process exited with status " +
                             std::to_string(WEXITSTATUS(status)) + " without a result");
  }
  return *result;
}

}  // namespace roost::sim
