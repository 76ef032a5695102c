#include "backends/directory.h"

#include <stdexcept>

namespace roost::backends {

Directory::Directory(const RuntimeConfig& config) {
  for (const auto& n : config.nodes) add(n.spec.name, n.addresses, true, false);
  for (const auto& p : config.peers) add(p.name, p.addresses, false, false);
  for (const auto& f : config.floating) add(f.name, f.addresses, false, true);
}

void Directory::add(const std::string& name, const NodeAddresses& addresses, bool hosted, bool floating) {
  DirectoryEntry e;
  e.name = name;
  e.hosted_here = hosted;
  e.floating = floating;
  for (const auto& [net, text] : addresses) {
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(text, ec);
    if (ec) throw std::invalid_argument("node " + name + ": address " + text + " does not parse: " + ec.message());
    e.address[static_cast<std::size_t>(net)] = addr;
    e.address_text[static_cast<std::size_t>(net)] = text;
  }
  entries_[name] = std::move(e);
}

const DirectoryEntry* Directory::find(const std::string& node) const {
  auto it = entries_.find(node);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace roost::backends
