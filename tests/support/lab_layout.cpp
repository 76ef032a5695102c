#include "tests/support/lab_layout.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace roost::testing {

LabLayout::LabLayout(std::vector<LabNode> nodes, std::uint64_t seed) : nodes_(std::move(nodes)), seed_(seed) {
  if (nodes_.size() > kMaxNodes)
    throw std::invalid_argument("lab layout: " + std::to_string(nodes_.size()) + " nodes, at most " +
                                std::to_string(kMaxNodes));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& n = nodes_[i];
    if (n.name.empty()) throw std::invalid_argument("lab layout: node #" + std::to_string(i) + " has no name");
    if (n.process.empty()) throw std::invalid_argument("lab layout: node " + n.name + " has no process");
    if (n.networks.empty()) throw std::invalid_argument("lab layout: node " + n.name + " is on no network");
    if (!index_.emplace(n.name, i).second) throw std::invalid_argument("lab layout: duplicate node " + n.name);
  }
  // Random, not seeded by `seed`: the point is that concurrent labs pick different addresses.
  std::random_device rd;
  std::mt19937 gen(rd());
  a_ = static_cast<std::uint8_t>(std::uniform_int_distribution<int>(16, 250)(gen));
  b_ = static_cast<std::uint8_t>(16 * std::uniform_int_distribution<int>(0, 14)(gen));
  datagram_port_ = static_cast<std::uint16_t>(2 * std::uniform_int_distribution<int>(10000, 29999)(gen));
  call_port_ = static_cast<std::uint16_t>(datagram_port_ + 1);
}

const LabNode& LabLayout::node(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw std::invalid_argument("lab layout: no node " + name);
  return nodes_[it->second];
}

std::vector<std::string> LabLayout::processes() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_)
    if (std::find(out.begin(), out.end(), n.process) == out.end()) out.push_back(n.process);
  return out;
}

std::vector<std::string> LabLayout::nodes_of(const std::string& process) const {
  std::vector<std::string> out;
  for (const auto& n : nodes_)
    if (n.process == process) out.push_back(n.name);
  return out;
}

std::string LabLayout::address(const std::string& name, core::Network net) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw std::invalid_argument("lab layout: no node " + name);
  const std::size_t i = it->second;
  const auto& nets = nodes_[i].networks;
  if (std::find(nets.begin(), nets.end(), net) == nets.end())
    throw std::invalid_argument("lab layout: node " + name + " is not on network " + std::string(core::to_string(net)));
  const std::size_t third = b_ + 4 * static_cast<std::size_t>(net) + i / 250;
  return "127." + std::to_string(a_) + "." + std::to_string(third) + "." + std::to_string(1 + i % 250);
}

void LabLayout::add_floating(LabFloating f) {
  if (f.name.empty()) throw std::invalid_argument("lab layout: a floating name is empty");
  if (index_.count(f.name)) throw std::invalid_argument("lab layout: floating name " + f.name + " is a node's name");
  for (const auto& g : floating_)
    if (g.name == f.name) throw std::invalid_argument("lab layout: duplicate floating name " + f.name);
  if (f.networks.empty()) throw std::invalid_argument("lab layout: floating name " + f.name + " is on no network");
  if (floating_.size() == kMaxFloating)
    throw std::invalid_argument("lab layout: at most " + std::to_string(kMaxFloating) + " floating names");
  floating_.push_back(std::move(f));
}

std::string LabLayout::floating_address(const std::string& name, core::Network net) const {
  for (std::size_t k = 0; k < floating_.size(); ++k) {
    if (floating_[k].name != name) continue;
    const auto& nets = floating_[k].networks;
    if (std::find(nets.begin(), nets.end(), net) == nets.end())
      throw std::invalid_argument("lab layout: floating name " + name + " is not on network " +
                                  std::string(core::to_string(net)));
    const std::size_t third = b_ + 4 * static_cast<std::size_t>(net);
    return "127." + std::to_string(a_) + "." + std::to_string(third) + "." + std::to_string(251 + k);
  }
  throw std::invalid_argument("lab layout: no floating name " + name);
}

nlohmann::json LabLayout::config_for(const std::string& process, const nlohmann::json& log) const {
  auto addresses = [&](const LabNode& n) {
    nlohmann::json a = nlohmann::json::object();
    for (auto net : n.networks) a[std::string(core::to_string(net))] = address(n.name, net);
    return a;
  };
  nlohmann::json j;
  j["seed"] = seed_;
  j["log"] = log;
  j["ports"] = {{"datagram", datagram_port_}, {"call", call_port_}};
  j["nodes"] = nlohmann::json::array();
  j["peers"] = nlohmann::json::array();
  for (const auto& n : nodes_) {
    if (n.process == process)
      j["nodes"].push_back(
          {{"name", n.name}, {"role", n.role}, {"site", n.site}, {"config", n.config}, {"addresses", addresses(n)}});
    else
      j["peers"].push_back({{"name", n.name}, {"addresses", addresses(n)}});
  }
  if (!floating_.empty()) {
    j["floating"] = nlohmann::json::array();
    for (const auto& f : floating_) {
      nlohmann::json a = nlohmann::json::object();
      for (auto net : f.networks) a[std::string(core::to_string(net))] = floating_address(f.name, net);
      j["floating"].push_back({{"name", f.name}, {"addresses", a}});
    }
  }
  return j;
}

}  // namespace roost::testing
