// What a host's agent (host_agent.h) and the controller's maintenance (host_maintenance.h) say to each
// other, besides heartbeat pulses (pulse.h). Types 0x0203.. in maintenance's band.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/core/codec.h"
#include "platform/core/machine.h"

namespace roost::mtce {

// Worst unrecovered failure of the agent's monitored processes (process_monitor.h).
enum class ProcessImpact : std::uint8_t { None = 0, Minor = 1, Major = 2, Critical = 3 };

// Agent -> every controller, on management, every mtcalive_period (5 s) and at once after start and
// after any change it reports (StarlingX's mtcAlive). boot_id is fresh per incarnation: a new one
// tells maintenance the host rebooted.
struct MtcAlive {
  static constexpr core::MessageTypeId kType = 0x0203;
  static constexpr std::string_view kName = "mtce.mtc_alive";
  std::string host;
  std::uint64_t boot_id = 0;
  std::uint64_t seq = 0;
  std::int64_t uptime_ms = 0;
  bool goenabled = false;                       // the agent's go-enabled checks passed
  ProcessImpact process_impact = ProcessImpact::None;
  std::vector<std::string> failed_processes;    // names, when process_impact != None
  template <class V>
  void visit(V& v) {
    v("host", host); v("boot_id", boot_id); v("seq", seq); v("uptime_ms", uptime_ms); v("goenabled", goenabled);
    v("process_impact", process_impact); v("failed_processes", failed_processes);
  }
};

// Controller -> agent: the agent's machine inventory (asked once per boot_id).
struct InventoryReply {
  static constexpr core::MessageTypeId kType = 0x0205;
  static constexpr std::string_view kName = "mtce.inventory_reply";
  bool ok = false;
  std::string error;                  // why the machine could not be read
  core::MachineInventory inventory;
  template <class V>
  void visit(V& v) { v("ok", ok); v("error", error); v("inventory", inventory); }
};
struct GetInventory {
  static constexpr core::MessageTypeId kType = 0x0204;
  static constexpr std::string_view kName = "mtce.get_inventory";
  using Response = InventoryReply;
  template <class V>
  void visit(V&) {}
};

enum class HostCommandKind : std::uint8_t { Reboot = 1 };

struct HostCommandReply {
  static constexpr core::MessageTypeId kType = 0x0207;
  static constexpr std::string_view kName = "mtce.host_command_reply";
  bool accepted = false;
  std::string detail;
  template <class V>
  void visit(V& v) { v("accepted", accepted); v("detail", detail); }
};
// Controller -> agent: a command the host carries out itself (a reboot over the network, before the
// BMC is used). The agent answers, then acts.
struct HostCommand {
  static constexpr core::MessageTypeId kType = 0x0206;
  static constexpr std::string_view kName = "mtce.host_command";
  using Response = HostCommandReply;
  HostCommandKind kind = HostCommandKind::Reboot;
  std::string reason;
  template <class V>
  void visit(V& v) { v("kind", kind); v("reason", reason); }
};

}  // namespace roost::mtce
