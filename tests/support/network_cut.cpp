#include "tests/support/network_cut.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace roost::testing {
namespace {

// Runs `nft -f -` with `script` on stdin; returns nft's exit status and its combined output.
int run_nft(const std::string& script, std::string& output) {
  const std::string cmd = "nft -f - 2>&1 <<'ROOST_NFT_EOF'\n" + script + "\nROOST_NFT_EOF\n";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) output += buf.data();
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

NetworkCut::NetworkCut() : table_("roost_cut_" + std::to_string(::getpid())) { apply(); }

NetworkCut::~NetworkCut() {
  std::string out;
  run_nft("delete table inet " + table_, out);
}

void NetworkCut::drop(const std::string& address) {
  dropped_.insert(address);
  apply();
}

void NetworkCut::drop(const std::vector<std::string>& addresses) {
  dropped_.insert(addresses.begin(), addresses.end());
  apply();
}

void NetworkCut::restore(const std::string& address) {
  dropped_.erase(address);
  apply();
}

void NetworkCut::restore_all() {
  dropped_.clear();
  apply();
}

// The whole table is replaced atomically on every change, so a cut of several addresses (a switch
// failure) starts and ends at one instant.
void NetworkCut::apply() {
  std::string rules;
  for (const auto& a : dropped_) rules += "    ip saddr " + a + " drop\n    ip daddr " + a + " drop\n";
  const std::string script = "table inet " + table_ + " {}\n"  // so that the delete below always finds it
                             "delete table inet " + table_ + "\n"
                             "table inet " + table_ + " {\n"
                             "  chain output {\n    type filter hook output priority 0; policy accept;\n" + rules +
                             "  }\n"
                             "  chain input {\n    type filter hook input priority 0; policy accept;\n" + rules +
                             "  }\n"
                             "}";
  std::string out;
  if (run_nft(script, out) != 0) throw std::runtime_error("nft could not set up the network cut: " + out);
}

bool NetworkCut::available(std::string* why) {
  std::string out;
  const std::string t = "roost_probe_" + std::to_string(::getpid());
  const int rc = run_nft("table inet " + t + " {}\ndelete table inet " + t, out);
  if (rc != 0 && why) *why = out.empty() ? "nft is not installed or not runnable" : out;
  return rc == 0;
}

}  // namespace roost::testing
