#include <algorithm>
#include "tests/support/real_lab.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace roost::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::filesystem::path make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/roost-lab-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("real lab: cannot create a temp dir: " + std::string(std::strerror(errno)));
  return templ;
}

// The layout with the options' floating names (a bad one throws before any temp dir exists).
LabLayout make_layout(std::vector<LabNode> nodes, const RealLab::Options& options) {
  LabLayout layout(std::move(nodes), options.seed);
  for (const auto& f : options.floating) layout.add_floating(f);
  return layout;
}

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string default_roostd_path() {
  if (const char* env = std::getenv("ROOSTD"); env && *env) return env;
#ifdef ROOSTD_PATH
  return ROOSTD_PATH;
#else
  return "roostd";
#endif
}

double RealLab::wall_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

RealLab::RealLab(std::vector<LabNode> nodes) : RealLab(std::move(nodes), Options{}) {}

RealLab::RealLab(std::vector<LabNode> nodes, Options options)
    : layout_(make_layout(std::move(nodes), options)), options_(std::move(options)), dir_(make_temp_dir()) {
  for (const auto& name : layout_.processes()) {
    Process p;
    p.name = name;
    p.log = std::make_unique<JsonLinesReader>(name, log_path(name).string());
    const nlohmann::json log = {{"level", options_.log_level}, {"file", log_path(name).string()}, {"stderr", true}};
    std::ofstream(config_path(name)) << layout_.config_for(name, log).dump(2) << "\n";
    processes_.emplace(name, std::move(p));
  }
}

RealLab::~RealLab() {
  // Stop everything by PID: SIGCONT (a paused process cannot act on SIGTERM), SIGTERM, then SIGKILL.
  for (auto& [_, p] : processes_)
    if (p.pid > 0) {
      ::kill(p.pid, SIGCONT);
      ::kill(p.pid, SIGTERM);
    }
  const auto deadline = Clock::now() + options_.stop_grace;
  for (auto& [_, p] : processes_) {
    while (p.pid > 0) {
      int status = 0;
      const pid_t r = waitpid(p.pid, &status, WNOHANG);
      if (r == p.pid || (r < 0 && errno == ECHILD)) {
        p.pid = 0;
        break;
      }
      if (Clock::now() >= deadline) {
        ::kill(p.pid, SIGKILL);
        waitpid(p.pid, &status, 0);
        p.pid = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  const char* keep = std::getenv("ROOST_KEEP_LAB");
  if (keep && *keep && std::string(keep) != "0") return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::filesystem::path RealLab::config_path(const std::string& p) const { return dir_ / (p + ".config.json"); }
std::filesystem::path RealLab::log_path(const std::string& p) const { return dir_ / (p + ".log.jsonl"); }
std::filesystem::path RealLab::stderr_path(const std::string& p) const { return dir_ / (p + ".stderr"); }

RealLab::Process& RealLab::process(const std::string& name) {
  auto it = processes_.find(name);
  if (it == processes_.end()) throw std::invalid_argument("real lab: no process " + name);
  return it->second;
}

const RealLab::Process& RealLab::process(const std::string& name) const {
  auto it = processes_.find(name);
  if (it == processes_.end()) throw std::invalid_argument("real lab: no process " + name);
  return it->second;
}

std::string RealLab::stderr_tail(const std::string& p, std::size_t bytes) const {
  std::ifstream in(stderr_path(p), std::ios::binary);
  if (!in) return "";
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

void RealLab::start() {
  for (const auto& name : layout_.processes()) spawn(process(name));
  for (const auto& name : layout_.processes()) wait_ready(process(name), 0);
}

void RealLab::start(const std::string& name) {
  auto& p = process(name);
  if (running(name)) throw std::logic_error("real lab: process " + name + " is already running");
  const std::size_t since = log_size(name);
  spawn(p);
  wait_ready(p, since);
}

void RealLab::spawn(Process& p) {
  if (p.pid > 0) throw std::logic_error("real lab: process " + p.name + " is already running");
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args{options_.roostd, "--config", config_path(p.name).string()};
  for (const auto& a : options_.extra_args) args.push_back(a);
  if (auto it = options_.process_args.find(p.name); it != options_.process_args.end())
    for (const auto& a : it->second) args.push_back(a);
  // Durable node state (FM alarms, inventory) lives in the lab's own dir unless the test chose one.
  if (std::find(options_.extra_args.begin(), options_.extra_args.end(), "--data-dir") == options_.extra_args.end()) {
    args.push_back("--data-dir");
    args.push_back((dir_ / "data").string());
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string err_path = stderr_path(p.name).string();
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("real lab: fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // the test died: do not leave roostd behind
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    if (err_fd >= 0) {
      dup2(err_fd, STDOUT_FILENO);
      dup2(err_fd, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    const char msg[] = "real lab: exec of roostd failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  p.pid = pid;
  p.paused = false;
  p.exit_status.reset();
}

void RealLab::wait_ready(Process& p, std::size_t since_index) {
  const auto deadline = Clock::now() + options_.ready_timeout;
  LogQuery ready{.event = "runtime.ready", .process = p.name, .since_index = since_index};
  while (true) {
    p.log->poll();
    for (const auto& r : p.log->records())
      if (ready.matches(r)) return;
    if (!running(p.name))
      throw std::runtime_error("real lab: roostd process " + p.name + " exited with status " +
                               std::to_string(p.exit_status.value_or(-1)) + " before it was ready; stderr:\n" +
                               stderr_tail(p.name));
    if (Clock::now() >= deadline)
      throw std::runtime_error("real lab: roostd process " + p.name + " not ready after " +
                               std::to_string(options_.ready_timeout.count()) + " ms; stderr:\n" + stderr_tail(p.name));
    std::this_thread::sleep_for(kPollInterval);
  }
}

void RealLab::reap(Process& p, int status) {
  p.pid = 0;
  p.paused = false;
  p.exit_status = status_code(status);
}

bool RealLab::running(const std::string& name) {
  auto& p = process(name);
  if (p.pid <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(p.pid, &status, WNOHANG);
  if (r == p.pid) {
    reap(p, status);
    return false;
  }
  return true;
}

pid_t RealLab::pid(const std::string& name) const { return process(name).pid; }
std::optional<int> RealLab::exit_status(const std::string& name) const { return process(name).exit_status; }

void RealLab::signal(const std::string& name, int signo) {
  auto& p = process(name);
  if (p.pid <= 0) throw std::logic_error("real lab: process " + name + " is not running");
  if (::kill(p.pid, signo) != 0)
    throw std::runtime_error("real lab: kill(" + std::to_string(p.pid) + ", " + std::to_string(signo) +
                             "): " + std::strerror(errno));
}

void RealLab::kill(const std::string& name) {
  auto& p = process(name);
  if (!running(name)) return;
  signal(name, SIGKILL);
  int status = 0;
  waitpid(p.pid, &status, 0);
  reap(p, status);
}

void RealLab::pause(const std::string& name) {
  signal(name, SIGSTOP);
  process(name).paused = true;
}

void RealLab::resume(const std::string& name) {
  signal(name, SIGCONT);
  process(name).paused = false;
}

void RealLab::restart(const std::string& name) {
  kill(name);
  start(name);
}

int RealLab::stop(const std::string& name) {
  auto& p = process(name);
  if (!running(name)) return p.exit_status.value_or(-1);
  ::kill(p.pid, SIGCONT);
  signal(name, SIGTERM);
  const auto deadline = Clock::now() + options_.stop_grace;
  int status = 0;
  while (waitpid(p.pid, &status, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      ::kill(p.pid, SIGKILL);
      waitpid(p.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reap(p, status);
  return *p.exit_status;
}

void RealLab::poll_logs() {
  for (auto& [_, p] : processes_) p.log->poll();
}

std::size_t RealLab::log_size(const std::string& name) {
  auto& p = process(name);
  p.log->poll();
  return p.log->records().size();
}

std::vector<LabRecord> RealLab::records() {
  poll_logs();
  std::vector<LabRecord> out;
  for (const auto& name : layout_.processes())
    for (const auto& r : process(name).log->records()) out.push_back(r);
  return out;
}

std::vector<LabRecord> RealLab::find(const LogQuery& q) {
  poll_logs();
  std::vector<LabRecord> out;
  for (const auto& name : layout_.processes()) {
    if (q.process && *q.process != name) continue;
    for (const auto& r : process(name).log->records())
      if (q.matches(r)) out.push_back(r);
  }
  return out;
}

std::optional<LabRecord> RealLab::wait_for(const LogQuery& q, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto found = find(q);
    if (!found.empty()) return found.front();
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string RealLab::last_records_text(std::size_t n) {
  const auto all = records();
  std::string out;
  for (std::size_t i = all.size() > n ? all.size() - n : 0; i < all.size(); ++i) out += "  " + all[i].describe() + "\n";
  return out;
}

LabRecord RealLab::expect(const LogQuery& q, std::chrono::milliseconds timeout) {
  if (auto r = wait_for(q, timeout)) return *r;
  throw std::runtime_error("real lab: no record " + q.describe() + " within " + std::to_string(timeout.count()) +
                           " ms; last records:\n" + last_records_text(20) + "(lab dir " + dir_.string() + ")");
}

}  // namespace roost::testing
