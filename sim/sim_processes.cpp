#include "sim/sim_processes.h"

#include <csignal>
#include <vector>

#include "sim/node_env.h"
#include "sim/site_runtime.h"
#include "sim/world.h"

namespace roost::sim {

SimProcesses::SimProcesses(NodeEnv& env, SiteRuntime& site, NodeId node) : env_(env), site_(site), node_(node) {}

SimProcesses::~SimProcesses() = default;

void SimProcesses::start(const core::ProcessSpec& spec, std::function<void(core::ProcessId, std::string)> started,
                         std::function<void(core::ProcessExit)> exited) {
  env_.after(kStartDelay, [weak = std::weak_ptr<bool>(alive_), this, name = spec.name, started = std::move(started),
                           exited = std::move(exited)]() mutable {
    if (!weak.expired()) spawn(name, std::move(started), std::move(exited));
  });
}

void SimProcesses::spawn(const std::string& name, std::function<void(core::ProcessId, std::string)> started,
                         std::function<void(core::ProcessExit)> exited) {
  const core::ProcessId id = next_id_++;
  twins_.emplace(id, Twin{name, std::move(exited)});
  World& world = site_.world();
  if (world.faults.crash_loop(node_, name, site_.now()))
    env_.after(kCrashLoopDeath, [weak = std::weak_ptr<bool>(alive_), this, id] {
      if (!weak.expired()) end(id, SIGKILL, "crash-loop");
    });
  if (started) started(id, {});
}

void SimProcesses::stop(core::ProcessId id) { end(id, SIGTERM, nullptr); }

std::size_t SimProcesses::kill(const std::string& process) {
  std::vector<core::ProcessId> victims;
  for (const auto& [id, twin] : twins_)
    if (twin.name == process) victims.push_back(id);
  for (core::ProcessId id : victims) end(id, SIGKILL, "fault");
  return victims.size();
}

void SimProcesses::end(core::ProcessId id, int signal, const char* cause) {
  auto it = twins_.find(id);
  if (it == twins_.end()) return;
  Twin twin = std::move(it->second);
  twins_.erase(it);
  if (cause) {
    World& world = site_.world();
    world.sim_record(site_.now(), "process.killed",
                     {{"node", world.fleet.node(node_).name()}, {"process", twin.name},
                      {"pid", static_cast<std::int64_t>(id)}, {"cause", cause}});
  }
  env_.after(core::Duration::zero(), [exited = std::move(twin.exited), id, signal] {
    if (exited) exited(core::ProcessExit{id, 0, signal});
  });
}

}  // namespace roost::sim
