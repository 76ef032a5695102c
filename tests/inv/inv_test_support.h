// Helpers shared by the inventory tests: a store that fails on demand, deterministic uuids and clock,
// and an Inventory wired to them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform/core/machine.h"
#include "platform/inv/host_store.h"
#include "platform/inv/inventory.h"
#include "tests/unit/manual_env.h"

namespace roost::inv::testing {

// Passes everything to a MemoryHostStore, except that the next `fail_next` writes throw StoreError
// (and change nothing), as a full disk would.
class FailingHostStore final : public HostStore {
 public:
  std::optional<System> load_system() override { return inner.load_system(); }
  std::vector<Host> load_hosts() override { return inner.load_hosts(); }
  void put_system(const System& s) override {
    maybe_fail("write the system");
    inner.put_system(s);
  }
  void put_host(const Host& h) override {
    maybe_fail("write a host");
    inner.put_host(h);
    ++host_writes;
  }
  void remove_host(const std::string& uuid) override {
    maybe_fail("remove a host");
    inner.remove_host(uuid);
  }

  MemoryHostStore inner;
  int fail_next = 0;
  int host_writes = 0;

 private:
  void maybe_fail(const std::string& op) {
    if (fail_next > 0) {
      --fail_next;
      throw StoreError("test.db: " + op + ": database or disk is full (SQLITE_FULL)");
    }
  }
};

// What every test Inventory runs on: uuids "uuid-1", "uuid-2"... and a clock the test moves.
struct Fixture {
  std::shared_ptr<FailingHostStore> store = std::make_shared<FailingHostStore>();
  roost::testing::CapturingLogger log;
  std::int64_t now_us = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
  int uuids = 0;

  Inventory::Deps deps(std::shared_ptr<HostStore> s = nullptr) {
    Inventory::Deps d;
    d.store = s ? std::move(s) : store;
    d.make_uuid = [this] { return "uuid-" + std::to_string(++uuids); };
    d.wall_us = [this] { return now_us; };
    d.log = &log;
    return d;
  }
  std::unique_ptr<Inventory> make(Inventory::Listener listener = {}) {
    auto inv = std::make_unique<Inventory>(deps(), std::move(listener));
    inv->load(System{});
    return inv;
  }
};

inline HostInput input(std::string hostname, Personality p = Personality::Worker) {
  HostInput in;
  in.hostname = std::move(hostname);
  in.personality = p;
  return in;
}

inline core::MachineInventory sample_machine(std::string hostname, std::uint32_t cpus = 4) {
  core::MachineInventory m;
  m.hostname = std::move(hostname);
  m.kernel = "Linux 6.1.0-13-amd64";
  for (std::uint32_t i = 0; i < cpus; ++i) m.cpus.push_back({i, i / 2, i % 2, 0, 0, "Xeon"});
  m.memory.push_back({0, 16u << 20, 8u << 20, 0, 0});
  m.disks.push_back({"/dev/sda", 500'000'000'000ULL, false, "SSD", "S1"});
  m.ports.push_back({"eth0", "52:54:00:12:34:56", 10000, 1500, "virtio_net", "0000:00:03.0", true});
  return m;
}

// The value of `key` in a log record's fields, as text ("" if absent).
inline std::string field(const roost::testing::CapturingLogger::Record& r, std::string_view key) {
  for (const auto& f : r.fields) {
    if (f.key != key) continue;
    if (const auto* s = std::get_if<std::string>(&f.value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
    if (const auto* b = std::get_if<bool>(&f.value)) return *b ? "true" : "false";
  }
  return "";
}

}  // namespace roost::inv::testing
