// The durable resources (core::Env::resource) the real runtime keeps for one hosted node across its
// incarnations, as a disk outlives a process. Today: FM's alarm store, a SqliteAlarmStore at
// <data_dir>/<node>/fm.db, the inventory's host store, a SqliteHostStore at <data_dir>/<node>/inventory.db, and
// the dc-manager's subcloud store, a SqliteSubcloudStore at <data_dir>/<node>/dc.db, each opened on first use
// and kept open across node restarts. The host and subcloud stores have no completions (their writes are
// synchronous), so every incarnation gets the same object.
//
// Each incarnation gets its own view of a store: completions of batches an incarnation submitted are
// posted onto the runtime's io_context and run through that incarnation's guard, which drops them once
// the incarnation is gone (the new incarnation reloads the committed state instead).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>

namespace boost::asio {
class io_context;
}
namespace roost::sqlite {
class SqliteAlarmStore;
class SqliteHostStore;
class SqliteSubcloudStore;
}

namespace roost::backends {

class NodeResources {
 public:
  // Runs `fn` on the node's thread if the incarnation that made the guard still lives; else drops it.
  using Guard = std::function<void(std::function<void()>)>;

  NodeResources(boost::asio::io_context& io, std::optional<std::string> data_dir, std::string node);
  ~NodeResources();  // commits what is queued (completions go nowhere by then)

  // The resource of `type` for the incarnation `guard` belongs to, or nullptr when this runtime has
  // none of that type. Throws std::runtime_error when it should have one but cannot provide it (no
  // data_dir configured, the database cannot be opened): the message names the file or the option.
  std::shared_ptr<void> get(std::type_index type, Guard guard);

 private:
  boost::asio::io_context& io_;
  std::optional<std::string> data_dir_;
  std::string node_;
  std::shared_ptr<sqlite::SqliteAlarmStore> fm_store_;
  std::shared_ptr<sqlite::SqliteHostStore> inv_store_;  // <data_dir>/<node>/inventory.db, synchronous writes
  std::shared_ptr<sqlite::SqliteSubcloudStore> dc_store_;  // <data_dir>/<node>/dc.db, synchronous writes
};

}  // namespace roost::backends
