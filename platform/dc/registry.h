// SubcloudRegistry: the system controller's subclouds and subcloud groups (dcmanager's database), with the
// validation StarlingX applies on add/update: name syntax, the management subnet and its address range,
// duplicate names and overlapping subnets, unknown groups, and the delete rules. Pure data: no timers, no
// messages (DcManager drives audits and alarms around it). Lookups by id or name are O(log N).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/dc/subcloud.h"

namespace roost::dc {

// What went wrong, with the HTTP status the REST API answers it with (400 bad input, 404 unknown, 409 a rule).
struct DcError {
  int http_status = 400;
  std::string message;
};

template <class T>
class Outcome {
 public:
  Outcome(T v) : v_(std::move(v)) {}
  Outcome(DcError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  const DcError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, DcError> v_;
};

// A subcloud to add. Unset fields take the defaults docs/dc.md lists.
struct SubcloudInput {
  std::string name;
  std::optional<std::string> description, location, region_name, software_version;
  std::optional<ManagementState> management_state;
  std::optional<DeployStatus> deploy_status;
  std::string management_subnet;
  std::optional<std::string> management_start_ip, management_end_ip, management_gateway_ip, systemcontroller_gateway_ip;
  std::optional<std::string> group;  // a group's id or name
  std::optional<std::string> agent;
  bool deploy = false;               // start the deploy phases (pre-install ...)
};

// Reads a subcloud from JSON. Every key may be spelled with dashes (REST: "management-subnet") or underscores
// (config: "management_subnet"); "group_id" and "group" both name the group. Throws std::invalid_argument
// naming the key ("management-subnet: required").
SubcloudInput subcloud_input_from_json(const nlohmann::json& j);

struct GroupInput {
  std::string name;
  std::optional<std::string> description;
  std::optional<ApplyType> update_apply_type;
  std::optional<std::uint32_t> max_parallel_subclouds;
};
// Keys: name, description, update_apply_type, max_parallel_subclouds. `require_name` false for a PATCH.
GroupInput group_input_from_json(const nlohmann::json& j, bool require_name);

class SubcloudRegistry {
 public:
  SubcloudRegistry();  // with the Default group (id 1, parallel, 2)

  // Validates and adds; the subcloud starts offline, every endpoint unknown.
  Outcome<const Subcloud*> add(const SubcloudInput& in, std::int64_t now_us);
  // Only an unmanaged, offline subcloud (409 otherwise).
  Outcome<std::uint64_t> remove(std::string_view ref);

  // ref: a decimal id or a name. nullptr if none.
  const Subcloud* find(std::string_view ref) const;
  const Subcloud* by_id(std::uint64_t id) const;
  Subcloud* mutable_by_id(std::uint64_t id);
  std::vector<const Subcloud*> subclouds() const;  // by id
  std::vector<const Subcloud*> members(std::uint64_t group_id) const;
  std::size_t size() const { return subclouds_.size(); }

  // PATCH of description/location/group (management state goes through DcManager, which owns its rules).
  Outcome<const Subcloud*> set_group(std::uint64_t id, std::string_view group_ref, std::int64_t now_us);
  Outcome<const Subcloud*> set_text(std::uint64_t id, const std::string& field, const std::string& value,
                                    std::int64_t now_us);

  Outcome<const SubcloudGroup*> add_group(const GroupInput& in, std::int64_t now_us);
  Outcome<const SubcloudGroup*> update_group(std::string_view ref, const GroupInput& in, std::int64_t now_us);
  // Not the Default group, not a group with members (409).
  Outcome<std::uint64_t> remove_group(std::string_view ref);
  const SubcloudGroup* find_group(std::string_view ref) const;
  std::vector<const SubcloudGroup*> groups() const;  // by id
  std::size_t member_count(std::uint64_t group_id) const;

  // Puts back what a SubcloudStore kept (a manager that restarts): groups and subclouds with their ids, every
  // subcloud offline with nothing audited yet. Only into a registry holding nothing but the Default group
  // (which a stored Default replaces). Throws std::invalid_argument naming the record when the records
  // contradict each other: a duplicate id or name, a bad name or subnet, overlapping subnets, an unknown group.
  void restore(const std::vector<SubcloudGroup>& groups, const std::vector<Subcloud>& subclouds);
  // Undoing a change the store could not keep: a subcloud or group back as it was before (re-inserted
  // if it was removed), or removed again (if it was added). No rules are checked.
  void put_back(const Subcloud& before);
  void erase(std::uint64_t id);
  void put_back(const SubcloudGroup& before);
  void erase_group(std::uint64_t id);

 private:
  // Inserts `s` and indexes it; why not (and nothing changed) when its id, name or subnet is taken.
  std::optional<std::string> insert(Subcloud s);
  std::map<std::uint64_t, Subcloud> subclouds_;
  std::unordered_map<std::string, std::uint64_t> by_name_;
  std::map<std::uint32_t, std::pair<std::uint32_t, std::uint64_t>> subnets_;  // first address -> {last, subcloud id}
  std::map<std::uint64_t, SubcloudGroup> groups_;
  std::unordered_map<std::uint64_t, std::size_t> members_;  // group id -> member count
  std::uint64_t next_id_ = 1;
  std::uint64_t next_group_id_ = 2;
};

// Name rules (StarlingX's): 1-255 characters of letters, digits, '-', '_', '.', starting with a letter.
// nullopt when valid, else why.
std::optional<std::string> check_subcloud_name(std::string_view name);

}  // namespace roost::dc
