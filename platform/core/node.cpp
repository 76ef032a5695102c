#include "platform/core/node.h"

#include <stdexcept>

namespace roost::core {

std::string_view to_string(CallError e) {
  switch (e) {
    case CallError::Timeout: return "timeout";
    case CallError::Unreachable: return "unreachable";
    case CallError::NoHandler: return "no-handler";
    case CallError::Rejected: return "rejected";
    case CallError::Malformed: return "malformed";
  }
  return "?";
}

void Node::deliver(const Peer& from, const Envelope& e) {
  DatagramHandler* h = find(datagram_handlers_, e.type);
  if (!h) return unhandled_datagram(from, e);
  (*h)(from, e);
}

void Node::unhandled_datagram(const Peer& from, const Envelope& e) {
  log().debug("message.unhandled", {{"from", from.node}, {"type", e.type}});
}

void Node::unhandled_call(const Peer&, const Envelope& e, Reply reply) {
  reply.fail(CallError::NoHandler, "node " + name() + " serves no request of type " + std::to_string(e.type));
}

void Node::serve(const Peer& from, const Envelope& e, Reply reply) {
  CallHandler* h = find(call_handlers_, e.type);
  if (!h) return unhandled_call(from, e, std::move(reply));
  (*h)(from, e, std::move(reply));
}

void Node::malformed(const Peer& from, std::string_view type, const std::string& err) {
  log().warn("message.malformed",
             {{"from", from.node}, {"network", std::string(to_string(from.network))}, {"type", type}, {"error", err}});
}

std::vector<std::string> RoleRegistry::roles() const {
  std::vector<std::string> out;
  for (const auto& [k, _] : roles_) out.push_back(k);
  return out;
}

std::unique_ptr<Node> RoleRegistry::make(Env& env, const NodeSpec& spec) const {
  auto it = roles_.find(spec.role);
  if (it == roles_.end()) {
    std::string known;
    for (const auto& [k, _] : roles_) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument("node '" + spec.name + "': unknown role '" + spec.role + "' (known: " + known + ")");
  }
  return it->second(env, spec);
}

}  // namespace roost::core
