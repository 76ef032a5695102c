// The one error every durable store throws (alarms, hosts, subclouds; SQLite or otherwise): a store that
// cannot be opened, read or written (disk full, I/O error, corrupt row, unwritable place). The text names
// the file (or store), the operation and the cause, so whoever catches it can pass it on as it is.
#pragma once

#include <stdexcept>

namespace roost::core {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace roost::core
