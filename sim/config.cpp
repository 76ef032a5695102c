#include "sim/config.h"

namespace roost::sim {

std::string_view to_string(FaultKind k) {
  switch (k) {
    case FaultKind::HostCrash: return "host-crash";
    case FaultKind::HostRestart: return "host-restart";
    case FaultKind::NetworkDown: return "network-down";
    case FaultKind::SiteWanDown: return "site-wan-down";
    case FaultKind::Partition: return "partition";
    case FaultKind::MessageLoss: return "message-loss";
    case FaultKind::MessageDelay: return "message-delay";
    case FaultKind::ProcessKill: return "process-kill";
  }
  return "?";
}

}  // namespace roost::sim
