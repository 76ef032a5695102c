// The real runtime hands a node its host store: a SqliteHostStore at <data-dir>/<node>/inventory.db,
// opened once and the same across the node's incarnations; without a data directory, an error naming
// the option.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "backends/node_resources.h"
#include "platform/inv/host_store.h"

namespace roost::backends {
namespace {

TEST(InvResources, TheRealRuntimeKeepsOneSqliteHostStorePerNode) {
  const auto dir = std::filesystem::temp_directory_path() / ("roost-inv-res-" + std::to_string(getpid()));
  boost::asio::io_context io;
  {
    NodeResources resources(io, dir.string(), "controller-0");
    const auto guard = [](std::function<void()> fn) { fn(); };
    auto a = std::static_pointer_cast<inv::HostStore>(resources.get(typeid(inv::HostStore), guard));
    auto b = std::static_pointer_cast<inv::HostStore>(resources.get(typeid(inv::HostStore), guard));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a, b);  // a second incarnation sees the same disk
    EXPECT_TRUE(std::filesystem::exists(dir / "controller-0" / "inventory.db"));
    inv::System s;
    s.uuid = "sys";
    a->put_system(s);
  }
  {
    NodeResources again(io, dir.string(), "controller-0");
    auto c = std::static_pointer_cast<inv::HostStore>(again.get(typeid(inv::HostStore), [](auto fn) { fn(); }));
    ASSERT_TRUE(c->load_system());
    EXPECT_EQ(c->load_system()->uuid, "sys");
  }
  NodeResources none(io, std::nullopt, "worker-0");
  try {
    none.get(typeid(inv::HostStore), [](auto fn) { fn(); });
    FAIL() << "no data directory, yet a store";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("needs a durable host store"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--data-dir"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace roost::backends
