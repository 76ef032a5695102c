// Several roles on one host: a composite node.
//
// A node runs one role, but a host often runs several services at once: a simplex subcloud's controller
// runs FM, inventory/maintenance, its own host agent and the distributed-cloud agent; a duplex controller
// runs its service manager next to its host agent. The composite builds each part through the same
// RoleRegistry, under the composite's name and on the composite's Env, and lives and dies with the host
// (unlike NestedNodeActions, whose nested nodes start and stop with their service).
//
// Traffic: a datagram or call goes to the first part that registered a handler for its type; a type no
// part handles goes to the first part (an sm-controller passes it on to its nested services, anything else
// logs it / answers NoHandler). So parts of one host reach each other by sending to their own node name.
//
// Config: {"parts": [{"role": "fm", "config": {...}}, ...]}; a part's role may not be "composite".
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "platform/core/node.h"
#include "platform/sm/nested_node.h"

namespace roost::sm {

class CompositeNode final : public core::Node {
 public:
  // Throws std::invalid_argument naming the bad part ("composite config: parts[2].role: ...").
  CompositeNode(core::Env& env, const core::NodeSpec& spec, const NodeFactory& factory);
  ~CompositeNode() override;
  void start() override;

  std::size_t part_count() const { return parts_.size(); }
  core::Node& part(std::size_t i) { return *parts_.at(i); }

 protected:
  void unhandled_datagram(const core::Peer& from, const core::Envelope& e) override;
  void unhandled_call(const core::Peer& from, const core::Envelope& e, core::Reply reply) override;

 private:
  // Which part takes a type: the routing above, remembered (a composite sees some twenty types, and looking
  // each up in every part on every message was a tenth of a fleet simulation's time). Valid while no
  // node registered another handler: `seen_handlers_` is core::Node::registrations() when it was built.
  struct Route {
    core::MessageTypeId type;
    std::uint8_t part;
  };
  std::uint8_t route(std::vector<Route>& cache, core::MessageTypeId t, bool call);

  std::vector<std::unique_ptr<core::Node>> parts_;
  std::vector<Route> datagram_routes_, call_routes_;
  std::uint64_t seen_handlers_ = 0;
};

}  // namespace roost::sm
