#include "platform/sm/composite_node.h"

#include <stdexcept>
#include <string>

namespace roost::sm {

namespace {
std::string where(std::size_t i) { return "composite config: parts[" + std::to_string(i) + "]"; }
}  // namespace

CompositeNode::CompositeNode(core::Env& env, const core::NodeSpec& spec, const NodeFactory& factory)
    : Node(env, spec) {
  const auto& c = spec.config;
  if (!c.is_object() || !c.contains("parts") || !c["parts"].is_array() || c["parts"].empty())
    throw std::invalid_argument("composite config: parts: must be a non-empty array of {\"role\", \"config\"}");
  for (const auto& [k, v] : c.items())
    if (k != "parts") throw std::invalid_argument("composite config: " + k + ": unknown key (expected parts)");
  const auto& parts = c["parts"];
  if (parts.size() > 255) throw std::invalid_argument("composite config: parts: at most 255 parts");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (!p.is_object() || !p.contains("role") || !p["role"].is_string())
      throw std::invalid_argument(where(i) + ".role: must be a role name");
    for (const auto& [k, v] : p.items())
      if (k != "role" && k != "config") throw std::invalid_argument(where(i) + "." + k + ": unknown key (expected role, config)");
    core::NodeSpec part = spec;
    part.role = p["role"].get<std::string>();
    if (part.role == "composite") throw std::invalid_argument(where(i) + ".role: a part cannot itself be a composite");
    part.config = p.value("config", nlohmann::json::object());
    try {
      parts_.push_back(factory(env, part));
    } catch (const std::exception& e) {
      throw std::invalid_argument(where(i) + " (" + part.role + "): " + e.what());
    }
  }
}

// Parts go in reverse order of their start: a later part may use an earlier one while it stops.
CompositeNode::~CompositeNode() {
  while (!parts_.empty()) parts_.pop_back();
}

void CompositeNode::start() {
  for (auto& p : parts_) p->start();
}

std::uint8_t CompositeNode::route(std::vector<Route>& cache, core::MessageTypeId t, bool call) {
  const std::uint64_t handlers = core::Node::registrations();
  if (handlers != seen_handlers_) {
    datagram_routes_.clear();
    call_routes_.clear();
    seen_handlers_ = handlers;
  }
  for (const Route& r : cache)
    if (r.type == t) return r.part;
  std::uint8_t part = 0;  // nobody handles it: the first part's unhandled_* decides
  for (std::size_t i = 0; i < parts_.size(); ++i)
    if (call ? parts_[i]->handles_call(t) : parts_[i]->handles_datagram(t)) {
      part = static_cast<std::uint8_t>(i);
      break;
    }
  cache.push_back({t, part});
  return part;
}

void CompositeNode::unhandled_datagram(const core::Peer& from, const core::Envelope& e) {
  parts_[route(datagram_routes_, e.type, false)]->deliver(from, e);
}

void CompositeNode::unhandled_call(const core::Peer& from, const core::Envelope& e, core::Reply reply) {
  parts_[route(call_routes_, e.type, true)]->serve(from, e, std::move(reply));
}

}  // namespace roost::sm
