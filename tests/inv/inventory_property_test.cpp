// Property: whatever sequence of adds, removes, updates, state changes, machine inventories and system
// edits an Inventory goes through (some of them refused, some failing in the store), a fresh Inventory
// loaded from the same store holds exactly the same system and hosts: nothing accepted is lost, nothing
// refused or failed is half-kept. Also checked along the way: hostnames, MACs and ids stay unique.
// Runs on MemoryHostStore and on SqliteHostStore.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <ostream>
#include <set>
#include <unistd.h>

#include "backends/sqlite/sqlite_host_store.h"
#include "platform/inv/host_record.h"
#include "platform/inv/inventory.h"
#include "tests/inv/inv_test_support.h"

namespace roost::inv {
namespace {

using nlohmann::json;

enum Kind { Add, Remove, SetStates, Update, MachineInventory, UpdateSystem, kKinds };

struct Op {
  int kind = Add;
  int host = 0;  // index into kNames (removes may use the id instead)
  int x = 0;
  int y = 0;
  bool store_fails = false;  // the store refuses this op's write (adds, updates, removes, system edits)
};

const std::vector<std::string> kNames{"controller-0", "controller-1", "worker-0", "worker-1",
                                      "worker-2",     "storage-0",    "Bad_Name", "worker-3"};

std::ostream& operator<<(std::ostream& os, const Op& op) {
  static const char* kinds[] = {"add", "remove", "set_states", "update", "machine_inventory", "update_system"};
  return os << kinds[op.kind] << "(" << kNames[static_cast<std::size_t>(op.host)] << ", " << op.x << ", " << op.y
            << (op.store_fails ? ", store fails" : "") << ")";
}

rc::Gen<Op> gen_op() {
  return rc::gen::build<Op>(rc::gen::set(&Op::kind, rc::gen::inRange(0, static_cast<int>(kKinds))),
                            rc::gen::set(&Op::host, rc::gen::inRange(0, static_cast<int>(kNames.size()))),
                            rc::gen::set(&Op::x, rc::gen::inRange(0, 8)), rc::gen::set(&Op::y, rc::gen::inRange(0, 8)),
                            rc::gen::set(&Op::store_fails, rc::gen::weightedElement<bool>({{5, false}, {1, true}})));
}

std::string mac(int i) { return i % 4 == 0 ? "" : "08:00:27:00:00:0" + std::to_string(i % 4); }

// Any store, failing its next write on demand (and then changing nothing).
class Flaky final : public HostStore {
 public:
  explicit Flaky(std::shared_ptr<HostStore> inner) : inner_(std::move(inner)) {}
  std::optional<System> load_system() override { return inner_->load_system(); }
  std::vector<Host> load_hosts() override { return inner_->load_hosts(); }
  void put_system(const System& s) override { check(), inner_->put_system(s); }
  void put_host(const Host& h) override { check(), inner_->put_host(h); }
  void remove_host(const std::string& uuid) override { check(), inner_->remove_host(uuid); }
  bool fail_next = false;

 private:
  void check() {
    if (std::exchange(fail_next, false)) throw StoreError("flaky.db: write: disk I/O error");
  }
  std::shared_ptr<HostStore> inner_;
};

void apply(Inventory& inv, Flaky& store, const Op& op) {
  const std::string& name = kNames[static_cast<std::size_t>(op.host)];
  const bool fallible = op.kind == Add || op.kind == Remove || op.kind == Update || op.kind == UpdateSystem;
  store.fail_next = fallible && op.store_fails;
  switch (op.kind) {
    case Add: {
      HostInput in = testing::input(name, static_cast<Personality>(op.x % 3));
      in.mgmt_mac = mac(op.y);
      if (op.y % 3 == 1) {
        in.bm_type = BmType::Ipmi;
        in.bm_ip = "10.0.0." + std::to_string(op.x);
        in.bm_username = "admin";
        in.bm_password = "pw" + std::to_string(op.y);
      } else if (op.y % 3 == 2) {
        in.bm_type = BmType::Redfish;  // no address: refused
      }
      in.administrative = op.x % 2 ? AdminState::Unlocked : AdminState::Locked;
      inv.add(in);
      break;
    }
    case Remove:
      inv.remove(op.x % 2 ? name : std::to_string(op.y));
      break;
    case SetStates:
      inv.set_states(name, static_cast<AdminState>(op.x % 2), static_cast<OperState>(op.y % 2),
                     static_cast<AvailState>((op.x + op.y) % 9), op.y % 3 ? "" : "Rebooting");
      break;
    case Update: {
      json patch;
      switch (op.x) {
        case 0: patch = {{"console", "ttyS" + std::to_string(op.y)}}; break;
        case 1: patch = {{"mgmt_mac", mac(op.y)}}; break;
        case 2: patch = {{"hostname", kNames[static_cast<std::size_t>(op.y)]}}; break;
        case 3: patch = {{"bm_type", "ipmi"}, {"bm_ip", "bmc" + std::to_string(op.y) + ".lab"}, {"bm_username", "u"}}; break;
        case 4: patch = {{"location", {{"locality", "rack " + std::to_string(op.y)}}}}; break;
        case 5: patch = {{"personality", op.y % 2 ? "storage" : "worker"}}; break;
        case 6: patch = {{"bm_password", "secret-" + std::to_string(op.y)}}; break;
        default: patch = {{"availability", "available"}}; break;  // refused: a state
      }
      inv.update_fields(name, patch);
      break;
    }
    case MachineInventory:
      inv.set_machine_inventory(name, testing::sample_machine(name, static_cast<std::uint32_t>(op.x + 1)));
      break;
    case UpdateSystem:
      inv.update_system(op.y % 4 ? json{{"name", "system-" + std::to_string(op.x)}} : json{{"system_mode", "triplex"}});
      break;
  }
  store.fail_next = false;
}

void check_invariants(const Inventory& inv) {
  std::set<std::string> names, macs;
  std::uint64_t last_id = 0;
  for (const Host* h : inv.hosts()) {
    RC_ASSERT(h->id > last_id);
    last_id = h->id;
    RC_ASSERT(names.insert(h->hostname).second);
    if (!h->mgmt_mac.empty()) RC_ASSERT(macs.insert(h->mgmt_mac).second);
    RC_ASSERT(h->hostname != "Bad_Name");
  }
}

void reload_equals(std::shared_ptr<HostStore> disk, const std::vector<Op>& ops) {
  testing::Fixture f;
  auto store = std::make_shared<Flaky>(disk);
  Inventory inv(f.deps(store));
  inv.load(System{});
  for (const Op& op : ops) {
    f.now_us += 1000;
    apply(inv, *store, op);
    check_invariants(inv);
  }
  Inventory fresh(f.deps(store));
  fresh.load(System{"ignored"});
  RC_ASSERT(same_system(fresh.system(), inv.system()));
  const auto a = inv.hosts(), b = fresh.hosts();
  RC_ASSERT(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_host(*a[i], *b[i]))
      RC_FAIL("host " + a[i]->hostname + " differs after reload:\n  before: " + host_record(*a[i]).dump() +
              "\n  after:  " + host_record(*b[i]).dump());
  }
}

RC_GTEST_PROP(InventoryProperty, ReloadFromMemoryStoreEqualsTheInventory, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
  reload_equals(std::make_shared<MemoryHostStore>(), ops);
}

// A fresh file per case; shorter sequences: every write is an fsync.
RC_GTEST_PROP(InventoryProperty, ReloadFromSqliteStoreEqualsTheInventory, ()) {
  const auto ops = *rc::gen::resize(40, rc::gen::container<std::vector<Op>>(gen_op()));
  static int n = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("roost-inv-prop-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};
  reload_equals(std::make_shared<sqlite::SqliteHostStore>((dir / "inventory.db").string()), ops);
}

}  // namespace
}  // namespace roost::inv
