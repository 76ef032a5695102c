#include "sim/packet.h"

#include <new>
#include <vector>

namespace roost::sim {
namespace {

// Blocks of sizeof(Packet) bytes no packet uses now. Never shrinks: it holds at most as many blocks as
// were in use at once, and they are given back to malloc when the process ends.
std::vector<void*>& free_blocks() {
  static std::vector<void*> blocks;
  return blocks;
}

}  // namespace

void* Packet::operator new(std::size_t size) {
  auto& blocks = free_blocks();
  if (size != sizeof(Packet) || blocks.empty()) return ::operator new(size);
  void* block = blocks.back();
  blocks.pop_back();
  return block;
}

void Packet::operator delete(void* block, std::size_t size) noexcept {
  if (!block) return;
  if (size != sizeof(Packet)) return ::operator delete(block);
  try {
    free_blocks().push_back(block);
  } catch (...) {
    ::operator delete(block);  // no room to remember it: give it back
  }
}

}  // namespace roost::sim
