// The inventory's durable store: the system record and every host (machine inventory included).
// A write returns once it is durable (the real runtime: SQLite with synchronous=FULL at
// <data-dir>/<node>/inventory.db, backends/sqlite/sqlite_host_store; the simulation: MemoryHostStore
// kept across the node's crashes). The runtime hands it out as Env::resource<inv::HostStore>().
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/core/store_error.h"
#include "platform/inv/host.h"

namespace roost::inv {

using core::StoreError;  // platform/core/store_error.h

class HostStore {
 public:
  virtual ~HostStore() = default;
  virtual std::optional<System> load_system() = 0;
  virtual std::vector<Host> load_hosts() = 0;          // by id
  virtual void put_system(const System& s) = 0;
  virtual void put_host(const Host& h) = 0;            // insert or replace (by uuid), password included
  virtual void remove_host(const std::string& uuid) = 0;  // unknown uuid: no-op
};

class MemoryHostStore final : public HostStore {
 public:
  std::optional<System> load_system() override { return system_; }
  std::vector<Host> load_hosts() override;
  void put_system(const System& s) override { system_ = s; }
  void put_host(const Host& h) override;
  void remove_host(const std::string& uuid) override;

 private:
  std::optional<System> system_;
  std::vector<Host> hosts_;
};

}  // namespace roost::inv
