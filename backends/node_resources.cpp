#include "backends/node_resources.h"

#include <filesystem>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "backends/sqlite/sqlite_alarm_store.h"
#include "backends/sqlite/sqlite_host_store.h"
#include "backends/sqlite/sqlite_subcloud_store.h"
#include "platform/dc/subcloud_store.h"
#include "platform/fm/alarm_store.h"
#include "platform/inv/host_store.h"

namespace roost::backends {
namespace {

// One incarnation's view of the node's alarm store: same disk, completions guarded by the incarnation.
class IncarnationAlarmStore final : public fm::AlarmStore {
 public:
  IncarnationAlarmStore(std::shared_ptr<sqlite::SqliteAlarmStore> disk, NodeResources::Guard guard)
      : disk_(std::move(disk)), guard_(std::move(guard)) {}

  fm::StoredState load() override { return disk_->load(); }

  void submit(fm::WriteBatch batch, fm::CommitCallback done) override {
    disk_->submit(std::move(batch), [guard = guard_, done = std::move(done)](const fm::StoreStatus& status) {
      guard([&] { done(status); });
    });
  }
  void submit_at(core::LogPosition at, fm::WriteBatch batch, CapturedCallback done) override {
    disk_->submit_at(at, std::move(batch),
                     [guard = guard_, done = std::move(done)](const fm::StoreStatus& status, std::string changeset) {
                       guard([&] {
                         if (done) done(status, std::move(changeset));
                       });
                     });
  }

  // Replication goes to the same disk; completions are guarded like submit's.
  std::string_view replica_kind() const override { return disk_->replica_kind(); }
  core::LogPosition position() override { return disk_->position(); }
  void apply_changeset(core::LogPosition at, std::string changeset,
                       std::function<void(const core::ReplicaStatus&)> done) override {
    disk_->apply_changeset(at, std::move(changeset),
                           [guard = guard_, done = std::move(done)](const core::ReplicaStatus& status) {
                             guard([&] {
                               if (done) done(status);
                             });
                           });
  }
  Snapshot snapshot() override { return disk_->snapshot(); }
  void install_snapshot(Snapshot snapshot, std::function<void(const core::ReplicaStatus&)> done) override {
    disk_->install_snapshot(std::move(snapshot), [guard = guard_, done = std::move(done)](const core::ReplicaStatus& status) {
      guard([&] {
        if (done) done(status);
      });
    });
  }

 private:
  std::shared_ptr<sqlite::SqliteAlarmStore> disk_;
  NodeResources::Guard guard_;
};

}  // namespace

NodeResources::NodeResources(boost::asio::io_context& io, std::optional<std::string> data_dir, std::string node)
    : io_(io), data_dir_(std::move(data_dir)), node_(std::move(node)) {}

NodeResources::~NodeResources() = default;

std::shared_ptr<void> NodeResources::get(std::type_index type, Guard guard) {
  // <data_dir>/<node>, created on first use; `what` names the store for the error.
  const auto node_dir = [&](const char* what) {
    if (!data_dir_)
      throw std::runtime_error("node " + node_ + " needs a durable " + what +
                               ", but the runtime has no data directory "
                               "(roostd --data-dir DIR, or \"data_dir\" in the config)");
    const auto dir = std::filesystem::path(*data_dir_) / node_;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    return dir;
  };
  if (type == std::type_index(typeid(inv::HostStore))) {
    if (!inv_store_) inv_store_ = std::make_shared<sqlite::SqliteHostStore>((node_dir("host store") / "inventory.db").string());
    std::shared_ptr<inv::HostStore> store = inv_store_;
    return std::shared_ptr<void>(store, store.get());
  }
  if (type == std::type_index(typeid(dc::SubcloudStore))) {
    if (!dc_store_) dc_store_ = std::make_shared<sqlite::SqliteSubcloudStore>((node_dir("subcloud store") / "dc.db").string());
    std::shared_ptr<dc::SubcloudStore> store = dc_store_;
    return std::shared_ptr<void>(store, store.get());
  }
  if (type != std::type_index(typeid(fm::AlarmStore))) return nullptr;
  if (!fm_store_) {
    const auto dir = node_dir("alarm store");
    // Completions leave the writer thread through the io_context: the node's thread.
    fm_store_ = std::make_shared<sqlite::SqliteAlarmStore>(
        (dir / "fm.db").string(), sqlite::SqliteOptions{},
        [io = &io_](std::function<void()> fn) { boost::asio::post(*io, std::move(fn)); });
  }
  std::shared_ptr<fm::AlarmStore> view = std::make_shared<IncarnationAlarmStore>(fm_store_, std::move(guard));
  return std::shared_ptr<void>(view, view.get());
}

}  // namespace roost::backends
