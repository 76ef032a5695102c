// The trace of a run and its fingerprint: trace records are kept (they are the run's output) and, with
// every delivered message, fed to a SHA-256 digest (OpenSSL EVP) in the order the simulation produces
// them. Two runs of the same config produce the same sequence, hence the same hash; any change in what
// a node logged or in when a message arrived changes it. A delivered message is hashed as a compact
// fixed-size record of node ids (FleetIndex: dense, in config order, so as stable as the names), and
// records are buffered and digested in large blocks: hashing is a small share of a message's cost.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/core/log.h"
#include "platform/core/message.h"
#include "platform/core/network.h"
#include "sim/simulation.h"

namespace roost::sim {

class Trace {
 public:
  explicit Trace(core::LogLevel level);
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  bool enabled(core::LogLevel level) const { return level >= level_; }
  // Keeps and hashes the record, whatever its level (callers check enabled() for node logs).
  void record(TraceRecord r);
  void delivered(std::int64_t t_ns, std::uint32_t from, std::uint32_t to, core::Network net,
                 core::MessageTypeId type, std::size_t size);

  // Ends the digest: the records sorted by time (stable), and the hex hash.
  std::vector<TraceRecord> take_records();
  std::string hash_hex();

 private:
  // Digests what the buffer holds.
  void flush();

  core::LogLevel level_;
  std::vector<TraceRecord> records_;
  struct Digest;
  std::unique_ptr<Digest> digest_;
  std::string buffer_;  // canonical bytes not yet digested, in production order
  bool finished_ = false;  // the hash was taken: nothing more may be fed
};

}  // namespace roost::sim
