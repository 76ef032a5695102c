// NetworkCut: really cuts traffic of lab addresses on this machine, with nftables. Each lab node has
// its own 127.x.y.z address per network, so dropping every packet from or to one address cuts exactly
// one network of one node, in the kernel, while its process keeps running — as a pulled cable would.
//
//   NetworkCut cut;                                   // creates a private nftables table
//   cut.drop(lab.address("worker-0", Network::ClusterHost));
//   ...
//   cut.restore(addr);                                // or let the destructor remove the table
//
// Needs root and the nft command (tools/bootstrap installs nftables). The table's name carries the test
// process's PID, so parallel tests do not touch each other's rules.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace roost::testing {

class NetworkCut {
 public:
  // Throws std::runtime_error with nft's message if the table cannot be created.
  NetworkCut();
  ~NetworkCut();
  NetworkCut(const NetworkCut&) = delete;
  NetworkCut& operator=(const NetworkCut&) = delete;

  void drop(const std::string& address);     // every packet from or to the address is dropped
  void drop(const std::vector<std::string>& addresses);  // several at one instant (a switch failure)
  void restore(const std::string& address);  // undoes drop(address)
  void restore_all();

  // Whether this machine can cut traffic this way (root, nft present, kernel support).
  static bool available(std::string* why = nullptr);

 private:
  void apply();
  std::string table_;
  std::set<std::string> dropped_;
};

}  // namespace roost::testing
