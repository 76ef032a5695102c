// The dc-manager's durable store: every subcloud group and every subcloud's configuration and deploy
// status (dcmanager's database), so that a system controller that restarts keeps what operators added,
// changed and deleted over REST. Audited state (availability, sync, alarm summaries, failed audits) is
// not kept: the first audits after a restart find it again, and the manager adopts its own 280.001/280.002
// from FM. A write returns once it is durable (the real runtime: SQLite with synchronous=FULL at
// <data-dir>/<node>/dc.db, backends/sqlite/sqlite_subcloud_store; the simulation: MemorySubcloudStore kept
// across the node's crashes). The runtime hands it out as Env::resource<dc::SubcloudStore>().
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/store_error.h"
#include "platform/dc/subcloud.h"

namespace roost::dc {

using core::StoreError;  // platform/core/store_error.h

class SubcloudStore {
 public:
  virtual ~SubcloudStore() = default;
  // Both by id. Neither groups nor subclouds: a store never written (the manager seeds it from its config).
  virtual std::vector<SubcloudGroup> load_groups() = 0;
  virtual std::vector<Subcloud> load_subclouds() = 0;
  virtual void put_group(const SubcloudGroup& g) = 0;  // insert or replace, by id
  virtual void remove_group(std::uint64_t id) = 0;     // unknown id: no-op
  virtual void put_subcloud(const Subcloud& s) = 0;    // insert or replace, by id (the record below)
  virtual void remove_subcloud(std::uint64_t id) = 0;  // unknown id: no-op
};

class MemorySubcloudStore final : public SubcloudStore {
 public:
  std::vector<SubcloudGroup> load_groups() override;
  std::vector<Subcloud> load_subclouds() override;
  void put_group(const SubcloudGroup& g) override { groups_[g.id] = g; }
  void remove_group(std::uint64_t id) override { groups_.erase(id); }
  void put_subcloud(const Subcloud& s) override { subclouds_[s.id] = stored(s); }
  void remove_subcloud(std::uint64_t id) override { subclouds_.erase(id); }

 private:
  static Subcloud stored(const Subcloud& s);  // only what a record keeps, as a disk would
  std::map<std::uint64_t, SubcloudGroup> groups_;
  std::map<std::uint64_t, Subcloud> subclouds_;
};

// The records a store keeps, as JSON objects with the REST spellings (dash-separated keys). Reading one
// back throws std::invalid_argument naming the key that is missing or wrong.
nlohmann::json subcloud_record(const Subcloud& s);
Subcloud subcloud_from_record(const nlohmann::json& j);
nlohmann::json group_record(const SubcloudGroup& g);
SubcloudGroup group_from_record(const nlohmann::json& j);

}  // namespace roost::dc
