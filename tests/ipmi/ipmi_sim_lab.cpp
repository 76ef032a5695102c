#include "tests/ipmi/ipmi_sim_lab.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef ROOST_IPMI_TEST_DIR
#error "ROOST_IPMI_TEST_DIR must name tests/ipmi (a compile definition)"
#endif

namespace roost::testing {

namespace {

using Clock = std::chrono::steady_clock;
const std::filesystem::path kConfigs = ROOST_IPMI_TEST_DIR;
constexpr const char* kName = "roost-bmc";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("ipmi_sim lab: cannot write " + p.string());
}

std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [key, value] : values)
    for (std::size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
  return text;
}

// Binding the port ourselves fails once ipmi_sim holds it: the readiness test, without sending it anything.
bool udp_port_taken(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return taken;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::uint16_t IpmiSimLab::free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("ipmi_sim lab: socket: " + std::string(std::strerror(errno)));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("ipmi_sim lab: cannot find a free UDP port: " + std::string(std::strerror(errno)));
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

IpmiSimLab::IpmiSimLab(IpmiSimOptions options) : options_(std::move(options)) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/roost-ipmi-XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("ipmi_sim lab: mkdtemp: " + std::string(std::strerror(errno)));
  dir_ = templ;
  // Another test may take the port between our probe and ipmi_sim's bind: then try another one.
  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_udp_port();
    write_configs();
    try {
      launch();
      return;
    } catch (const std::exception& e) {
      last_error = e.what();
      stop();
    }
  }
  throw std::runtime_error(last_error);
}

IpmiSimLab::~IpmiSimLab() {
  stop();
  const char* keep = std::getenv("ROOST_KEEP_LAB");
  if (keep && *keep && std::string(keep) != "0") return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void IpmiSimLab::write_configs() {
  const std::vector<std::pair<std::string, std::string>> values{
      {"@NAME@", kName},
      {"@PORT@", std::to_string(port_)},
      {"@DIR@", dir_.string()},
      {"@HOOK@", (kConfigs / "chassis_control.sh").string()},
      {"@USER@", options_.user},
      {"@PASSWORD@", options_.password}};
  write_file(dir_ / "lan.conf", fill(read_file(kConfigs / "lan.conf.in"), values));
  write_file(dir_ / "bmc.emu", fill(read_file(kConfigs / "bmc.emu.in"), values));
  set_sensor("cpu_temp", options_.cpu_temp);
  set_sensor("fan1", options_.fan_rpm);
  set_power(options_.powered);
  std::filesystem::remove(dir_ / "actions.log");

  // ipmi_sim reads its SDR repository from <state>/ipmi_sim/<name>/sdr.20.main only.
  const auto sdr_dir = dir_ / "state" / "ipmi_sim" / kName;
  std::filesystem::create_directories(sdr_dir);
  const std::string cmd = "sdrcomp -o '" + (sdr_dir / "sdr.20.main").string() + "' '" + (kConfigs / "bmc.sdrs").string() +
                          "' > '" + (dir_ / "sdrcomp.out").string() + "' 2>&1";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("ipmi_sim lab: sdrcomp failed (is openipmi installed? tools/bootstrap --deps): " +
                             read_file(dir_ / "sdrcomp.out"));
}

void IpmiSimLab::launch() {
  const std::string lan = (dir_ / "lan.conf").string(), emu = (dir_ / "bmc.emu").string(),
                    state = (dir_ / "state").string(), out = (dir_ / "ipmi_sim.out").string();
  std::vector<std::string> args{"ipmi_sim", "-c", lan, "-f", emu, "-s", state, "-n"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("ipmi_sim lab: fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the test died: do not leave ipmi_sim behind
    if (::getppid() != parent) ::_exit(127);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (out_fd >= 0) {
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(out_fd, STDERR_FILENO);
    }
    ::execvp(argv[0], argv.data());
    const char msg[] = "exec ipmi_sim failed (is openipmi installed? tools/bootstrap --deps)\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  pid_ = pid;
  const auto deadline = t0 + std::chrono::seconds(10);
  while (!udp_port_taken(port_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      throw std::runtime_error("ipmi_sim lab: ipmi_sim exited before binding 127.0.0.1:" + std::to_string(port_) +
                               ": " + output());
    }
    if (Clock::now() > deadline)
      throw std::runtime_error("ipmi_sim lab: ipmi_sim did not bind 127.0.0.1:" + std::to_string(port_) +
                               " within 10 s: " + output());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  startup_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
}

void IpmiSimLab::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = 0;
}

core::BmcEndpoint IpmiSimLab::endpoint(const std::string& host) const {
  core::BmcEndpoint e;
  e.host = host;
  e.address = "127.0.0.1";
  e.port = port_;
  e.user = options_.user;
  e.password = options_.password;
  return e;
}

void IpmiSimLab::set_sensor(const std::string& file, double value) {
  // Write then rename, so that ipmi_sim's poll never reads a half-written file.
  const auto tmp = dir_ / (file + ".tmp");
  write_file(tmp, number(value) + "\n");
  std::filesystem::rename(tmp, dir_ / file);
}

void IpmiSimLab::set_power(bool on) { write_file(dir_ / "power", on ? "1\n" : "0\n"); }

std::vector<std::string> IpmiSimLab::actions() const {
  std::vector<std::string> out;
  std::istringstream in(read_file(dir_ / "actions.log"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string IpmiSimLab::output() const { return read_file(dir_ / "ipmi_sim.out"); }

}  // namespace roost::testing
