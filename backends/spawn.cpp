#include "backends/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace roost::backends {

namespace {

// posix_spawn's C interfaces want char* arrays that live until the call returns.
std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void add_output(posix_spawn_file_actions_t& actions, int fd, int target) {
  if (fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, fd, target);
  } else {
    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0);
  }
}

}  // namespace

Spawned spawn_process(SpawnRequest request) {
  if (request.argv.empty() || request.argv[0].empty()) return {0, "no program given"};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  add_output(actions, request.stdout_fd, STDOUT_FILENO);
  add_output(actions, request.stderr_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto argv = c_strings(request.argv);
  std::vector<char*> own_env;
  char* const* envp = environ;
  if (request.env) {
    own_env = c_strings(*request.env);
    envp = own_env.data();
  }
  pid_t pid = 0;
  const bool search = request.argv[0].find('/') == std::string::npos;
  const int rc = search ? ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp)
                        : ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return {0, request.argv[0] + ": " + std::strerror(rc)};
  return {pid, {}};
}

}  // namespace roost::backends
