#include "platform/inv/host_store.h"

#include <algorithm>

namespace roost::inv {

std::vector<Host> MemoryHostStore::load_hosts() {
  std::vector<Host> out = hosts_;
  std::stable_sort(out.begin(), out.end(), [](const Host& a, const Host& b) { return a.id < b.id; });
  return out;
}

void MemoryHostStore::put_host(const Host& h) {
  for (Host& existing : hosts_) {
    if (existing.uuid == h.uuid) {
      existing = h;
      return;
    }
  }
  hosts_.push_back(h);
}

void MemoryHostStore::remove_host(const std::string& uuid) {
  std::erase_if(hosts_, [&](const Host& h) { return h.uuid == uuid; });
}

}  // namespace roost::inv
