// `roost host ...` and `roost system ...` as an operator runs them: the real `roost` binary, a child
// process of the test, against the controller's inventory REST API in a lab of roostd processes (fm +
// controller-0 in one process, two workers with their host agents). Checks what the CLI prints, its exit
// codes, and what the FM shows as a result (200.001 for a locked host).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/mtce/fm_probe.h"
#include "tests/support/maintenance_lab.h"
#include "tests/support/real_lab.h"

extern char** environ;

namespace roost::testing {
namespace {

using namespace std::chrono;
using core::Network;

struct CliResult {
  int exit_code = -1;  // 128+signal if it died of one
  std::string out, err;
  std::string describe() const { return "exit " + std::to_string(exit_code) + "\nstdout:\n" + out + "stderr:\n" + err; }
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the roost binary built with this tree: stdin is /dev/null (not a terminal), stdout and stderr go
// to files in `dir`. `env` entries ("K=V") are added to the test's environment, after removing
// ROOST_INV_URL so that only what a test passes picks the server. Killed after 20 s (it would hang the
// test otherwise; its own HTTP timeout is 10 s).
CliResult run_roost(const std::filesystem::path& dir, const std::vector<std::string>& args,
                    const std::vector<std::string>& env = {}) {
  static int counter = 0;
  const auto base = dir / ("cli-" + std::to_string(counter++));
  const std::string out_path = base.string() + ".out", err_path = base.string() + ".err";

  std::vector<std::string> argv_s{ROOST_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("ROOST_INV_URL=", 0) != 0) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error(std::string("cannot run ") + ROOST_CLI_PATH + ": " + std::strerror(rc));

  int status = 0;
  const auto deadline = steady_clock::now() + seconds(20);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

template <class F>
bool eventually(F&& ok, milliseconds limit) {
  const auto end = steady_clock::now() + limit;
  while (steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return ok();
}

// A row of `roost host list`'s table, split on blanks (no cell but TASK is ever empty, and TASK is last).
struct HostRow {
  std::string hostname, personality, administrative, operational, availability;
};

std::map<std::string, HostRow> parse_host_table(const std::string& text) {
  std::map<std::string, HostRow> rows;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // headers
  std::getline(lines, line);  // rules
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string id;
    HostRow r;
    if (cells >> id >> r.hostname >> r.personality >> r.administrative >> r.operational >> r.availability)
      rows[r.hostname] = r;
  }
  return rows;
}

std::string states(const HostRow& r) { return r.administrative + "/" + r.operational + "/" + r.availability; }

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

class HostCliReal : public ::testing::Test {
 protected:
  HostCliReal() {
    MaintenanceLabSpec spec;
    spec.workers = 2;
    spec.soak_s = 1;
    lab_ = std::make_unique<RealLab>(maintenance_lab_nodes(spec));
    lab_->start();
    url_ = "http://" + lab_->address("controller-0", Network::Oam) + ":6385";
    for (const char* w : {"worker-0", "worker-1"})
      lab_->expect({.event = "mtce.enabled", .node = "controller-0", .fields = {{"host", w}}}, seconds(10));
  }

  // `roost <args> --url <controller-0's inventory>`.
  CliResult roost(std::vector<std::string> args) {
    args.push_back("--url");
    args.push_back(url_);
    return run_roost(lab_->dir(), args);
  }
  std::map<std::string, HostRow> host_list() {
    auto r = roost({"host", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return parse_host_table(r.out);
  }
  nlohmann::json show_json(const std::string& host) {
    auto r = roost({"host", "show", host, "--format", "json"});
    if (r.exit_code != 0) return nullptr;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  std::vector<ActiveAlarm> alarms() { return active_alarms(lab_->address("fm", Network::Oam)); }

  std::unique_ptr<RealLab> lab_;
  std::string url_;
};

// list, show, and the lifecycle: lock (200.001 at the FM), refused unlock, unlock back to available,
// refused delete, lock + delete.
TEST_F(HostCliReal, ListShowLockUnlockDelete) {
  auto list = host_list();
  ASSERT_TRUE(list.contains("worker-0") && list.contains("worker-1")) << roost({"host", "list"}).out;
  EXPECT_EQ(list["worker-0"].personality, "worker");
  EXPECT_EQ(states(list["worker-0"]), "unlocked/enabled/available");
  EXPECT_EQ(states(list["worker-1"]), "unlocked/enabled/available");

  {
    auto r = roost({"host", "show", "worker-0", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto h = nlohmann::json::parse(r.out);
    EXPECT_EQ(h.value("hostname", ""), "worker-0");
    EXPECT_EQ(h.value("personality", ""), "worker");
    EXPECT_EQ(h.value("administrative", ""), "unlocked");
    EXPECT_EQ(h.value("operational", ""), "enabled");
    EXPECT_EQ(h.value("availability", ""), "available");
    EXPECT_EQ(h.value("mgmt_mac", ""), "52:54:00:00:00:00");
    EXPECT_EQ(h["location"].value("locality", ""), "lab rack 1");
    EXPECT_EQ(h.value("subfunctions", ""), "worker");  // sysinv's comma-separated string
    EXPECT_FALSE(h.value("uuid", "").empty());
    EXPECT_TRUE(h["id"].is_number_integer());
    EXPECT_FALSE(h.contains("bm_password")) << "write-only field in an answer";
    // The table form: key/value lines.
    auto t = roost({"host", "show", "worker-0"});
    EXPECT_EQ(t.exit_code, 0) << t.describe();
    EXPECT_TRUE(contains(t.out, "hostname")) << t.out;
    EXPECT_TRUE(contains(t.out, "available")) << t.out;
  }
  {
    auto r = roost({"host", "show", "worker-7"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "HTTP 404")) << r.err;
    EXPECT_TRUE(contains(r.err, "worker-7")) << r.err;
  }

  // Lock: the answer is the host's row, already locked; the FM shows 200.001 for it.
  {
    auto r = roost({"host", "lock", "worker-0"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto rows = parse_host_table(r.out);
    ASSERT_TRUE(rows.contains("worker-0")) << r.out;
    EXPECT_EQ(states(rows["worker-0"]), "locked/disabled/online");
    EXPECT_EQ(states(host_list()["worker-0"]), "locked/disabled/online");
    EXPECT_TRUE(eventually([&] { return has_alarm(alarms(), "200.001", "host=worker-0"); }, seconds(3)))
        << describe(alarms());
    EXPECT_EQ(states(host_list()["worker-1"]), "unlocked/enabled/available");
  }

  // Unlock of an unlocked host: refused (409), exit 1, the rule on stderr.
  {
    auto r = roost({"host", "unlock", "worker-1"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "HTTP 409")) << r.err;
    EXPECT_TRUE(contains(r.err, "host worker-1: unlock: the host is already unlocked")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }

  // Unlock: enabling, then available after the soak; 200.001 cleared.
  {
    const double t0 = RealLab::wall_now();
    auto r = roost({"host", "unlock", "worker-0"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(states(parse_host_table(r.out)["worker-0"]), "unlocked/disabled/intest") << r.out;
    EXPECT_TRUE(contains(r.out, "Enabling")) << r.out;
    lab_->expect({.event = "mtce.enabled", .node = "controller-0", .fields = {{"host", "worker-0"}}, .since_wall = t0},
                 seconds(5));
    EXPECT_TRUE(eventually([&] { return states(host_list()["worker-0"]) == "unlocked/enabled/available"; }, seconds(2)));
    EXPECT_TRUE(eventually([&] { return !has_alarm(alarms(), "200.001", "host=worker-0"); }, seconds(3)))
        << describe(alarms());
  }

  // Delete of an unlocked host: refused by the lifecycle rule. Without --yes and no terminal: usage error.
  {
    auto r = roost({"host", "delete", "worker-0", "--yes"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "HTTP 409")) << r.err;
    EXPECT_TRUE(contains(r.err, "host worker-0: delete: the host is unlocked: lock it first")) << r.err;
    auto no_yes = roost({"host", "delete", "worker-0"});
    EXPECT_EQ(no_yes.exit_code, 2) << no_yes.describe();
    EXPECT_TRUE(contains(no_yes.err, "--yes")) << no_yes.err;
    EXPECT_TRUE(host_list().contains("worker-0"));
  }

  // Lock + delete: gone from the list (and its 200.001 cleared); worker-1 untouched.
  {
    ASSERT_EQ(roost({"host", "lock", "worker-0"}).exit_code, 0);
    auto r = roost({"host", "delete", "worker-0", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.out, "Deleted host worker-0")) << r.out;
    auto after = host_list();
    EXPECT_FALSE(after.contains("worker-0")) << roost({"host", "list"}).out;
    EXPECT_EQ(states(after["worker-1"]), "unlocked/enabled/available");
    EXPECT_EQ(roost({"host", "show", "worker-0"}).exit_code, 1);
    EXPECT_TRUE(eventually([&] { return !has_alarm(alarms(), "200.001", "host=worker-0"); }, seconds(3)))
        << describe(alarms());
  }
}

// Provisioning and what the agents reported: add, bulk-add (XML), export, machine inventory, system show.
TEST_F(HostCliReal, AddBulkAddExportInventorySystem) {
  {
    auto r = roost({"host", "add", "--hostname", "worker-9", "--personality", "worker", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto h = nlohmann::json::parse(r.out);
    EXPECT_EQ(h.value("hostname", ""), "worker-9");
    EXPECT_EQ(h.value("administrative", ""), "locked");
    EXPECT_EQ(h.value("availability", ""), "offline");
    EXPECT_EQ(states(host_list()["worker-9"]), "locked/disabled/offline");
    // The same name again: 409, exit 1.
    auto again = roost({"host", "add", "--hostname", "worker-9", "--personality", "worker"});
    EXPECT_EQ(again.exit_code, 1) << again.describe();
    EXPECT_TRUE(contains(again.err, "HTTP 409")) << again.err;
    // Missing --personality: the CLI says so before asking the server.
    auto missing = roost({"host", "add", "--hostname", "worker-8"});
    EXPECT_EQ(missing.exit_code, 2) << missing.describe();
    EXPECT_TRUE(contains(missing.err, "--personality is required")) << missing.err;
  }

  const auto xml = lab_->dir() / "hosts.xml";
  std::ofstream(xml) << R"(<?xml version="1.0" encoding="UTF-8"?>
<hosts>
  <host>
    <hostname>worker-10</hostname>
    <personality>worker</personality>
    <mgmt_mac>08:00:27:00:00:10</mgmt_mac>
    <location>rack 3</location>
  </host>
  <host>
    <hostname>storage-0</hostname>
    <personality>storage</personality>
    <mgmt_mac>08:00:27:00:00:20</mgmt_mac>
  </host>
</hosts>
)";
  {
    auto r = roost({"host", "bulk-add", xml.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.out, "2 added, 0 failed")) << r.out;
    auto list = host_list();
    EXPECT_EQ(states(list["worker-10"]), "locked/disabled/offline");
    EXPECT_EQ(list["storage-0"].personality, "storage");
    EXPECT_EQ(show_json("worker-10")["location"].value("locality", ""), "rack 3");
    // The same file again: nothing added (422), each host's reason listed, exit 1.
    auto again = roost({"host", "bulk-add", xml.string()});
    EXPECT_EQ(again.exit_code, 1) << again.describe();
    EXPECT_TRUE(contains(again.out, "0 added, 2 failed")) << again.out;
    EXPECT_TRUE(contains(again.out, "already exists")) << again.out;
    // A file that is not there: exit 2 naming it.
    auto absent = roost({"host", "bulk-add", (lab_->dir() / "nope.xml").string()});
    EXPECT_EQ(absent.exit_code, 2) << absent.describe();
    EXPECT_TRUE(contains(absent.err, "nope.xml")) << absent.err;
  }

  {
    auto r = roost({"host", "export", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto exported = nlohmann::json::parse(r.out);
    std::set<std::string> names;
    for (const auto& h : exported.at("hosts")) names.insert(h.value("hostname", ""));
    for (const char* n : {"worker-0", "worker-1", "worker-9", "worker-10", "storage-0"})
      EXPECT_TRUE(names.contains(n)) << n << " not in " << r.out;
    EXPECT_FALSE(contains(r.out, "administrative")) << "the export carries no states";
    // XML by default: what bulk-add reads.
    auto x = roost({"host", "export"});
    ASSERT_EQ(x.exit_code, 0) << x.describe();
    EXPECT_TRUE(contains(x.out, "<hostname>worker-10</hostname>")) << x.out;
    EXPECT_TRUE(contains(x.out, "<hosts>")) << x.out;
    // ... and reads back: every host parses and validates; each is refused only as a duplicate.
    const auto exported_xml = lab_->dir() / "export.xml";
    std::ofstream(exported_xml) << x.out;
    auto back = roost({"host", "bulk-add", exported_xml.string(), "--format", "json"});
    EXPECT_EQ(back.exit_code, 1) << back.describe();
    const auto result = nlohmann::json::parse(back.out, nullptr, false);
    ASSERT_TRUE(result.is_object()) << back.describe();
    EXPECT_TRUE(result["added"].empty()) << back.out;
    EXPECT_EQ(result["failed"].size(), 5u) << back.out;
    for (const auto& f : result["failed"]) EXPECT_TRUE(contains(f.value("error", ""), "already exists")) << f.dump();
  }

  // The agent's real machine inventory (/proc of this machine): reported after the agent's first mtcAlive.
  {
    CliResult r;
    EXPECT_TRUE(eventually([&] { return (r = roost({"host", "inventory", "worker-1", "--format", "json"})).exit_code == 0; },
                           seconds(5)))
        << r.describe();
    const auto m = nlohmann::json::parse(r.out);
    // The machine's own hostname (the lab's agents all run on this machine), tied to worker-1 by uuid.
    EXPECT_FALSE(m.value("hostname", "").empty()) << r.out;
    EXPECT_EQ(m.value("ihost_uuid", ""), show_json("worker-1").value("uuid", "?")) << r.out;
    ASSERT_TRUE(m["cpus"].is_array()) << r.out;
    EXPECT_GE(m["cpus"].size(), 1u) << r.out;
    EXPECT_GT(m.value("memory_total_kib", 0), 0) << r.out;
    auto t = roost({"host", "inventory", "worker-1"});
    EXPECT_EQ(t.exit_code, 0) << t.describe();
    EXPECT_TRUE(contains(t.out, "cpus      " + std::to_string(m["cpus"].size()) + " (")) << t.out;
    auto cpus = roost({"host", "inventory", "worker-1", "--part", "cpus"});
    EXPECT_EQ(cpus.exit_code, 0) << cpus.describe();
    EXPECT_TRUE(contains(cpus.out, "CPU  SOCKET")) << cpus.out;
    // A host whose agent never reported: 404 saying so.
    auto none = roost({"host", "inventory", "worker-9"});
    EXPECT_EQ(none.exit_code, 1) << none.describe();
    EXPECT_TRUE(contains(none.err, "no machine inventory yet")) << none.err;
  }

  // system show, here through $ROOST_INV_URL instead of --url.
  {
    auto r = run_roost(lab_->dir(), {"system", "show"}, {"ROOST_INV_URL=" + url_});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.out, "name")) << r.out;
    EXPECT_TRUE(contains(r.out, "lab")) << r.out;
    EXPECT_TRUE(contains(r.out, "duplex")) << r.out;
    auto j = roost({"system", "show", "--format", "json"});
    ASSERT_EQ(j.exit_code, 0) << j.describe();
    const auto s = nlohmann::json::parse(j.out);
    EXPECT_EQ(s.value("name", ""), "lab");
    EXPECT_EQ(s.value("system_mode", ""), "duplex");
  }
}

// No server: exit 3, naming the inventory and the URL (no lab needed; nothing listens on port 1).
TEST(HostCliRealNoServer, UnreachableInventoryExits3) {
  std::string templ = (std::filesystem::temp_directory_path() / "roost-cli-XXXXXX").string();
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  const std::filesystem::path dir = templ;
  struct Remove {
    std::filesystem::path p;
    ~Remove() { std::filesystem::remove_all(p); }
  } remove{dir};
  auto r = run_roost(dir, {"host", "list", "--url", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(contains(r.err, "cannot reach the inventory at http://127.0.0.1:1")) << r.err;
  auto bad = run_roost(dir, {"system", "show", "--url", "nonsense://x"});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
  EXPECT_TRUE(contains(bad.err, "bad --url")) << bad.err;
}

}  // namespace
}  // namespace roost::testing
