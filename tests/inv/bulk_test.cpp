// Bulk host files: StarlingX's XML and the JSON twin, every kind of error, and export -> parse roundtrips.
#include <gtest/gtest.h>

#include "platform/inv/bulk.h"
#include "platform/inv/inventory.h"
#include "tests/inv/inv_test_support.h"

namespace roost::inv {
namespace {

using nlohmann::json;

const char* kGoodXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- a two-controller lab -->
<hosts>
  <host>
    <hostname>controller-1</hostname>
    <personality>controller</personality>
    <mgmt_mac>08:00:27:AA:00:01</mgmt_mac>
    <bm_ip>10.10.10.11</bm_ip>
    <bm_type>ipmi</bm_type>
    <bm_username>admin</bm_username>
    <bm_password>pw-c1</bm_password>
    <boot_device>/dev/sda</boot_device>
    <rootfs_device>/dev/sda</rootfs_device>
    <console>ttyS0,115200</console>
    <install_output>text</install_output>
    <location>rack 1, slot 2</location>
    <power_on/>
  </host>
  <host>
    <hostname>worker-0</hostname>
    <personality>worker</personality>
    <subfunctions>worker,lowlatency</subfunctions>
    <mgmt_mac>08:00:27:aa:00:02</mgmt_mac>
    <mgmt_ip>192.168.204.20</mgmt_ip>
    <bm_type/>
    <location></location>
  </host>
  <host>
    <hostname>storage-0</hostname>
    <personality>storage</personality>
    <bm_port>6230</bm_port>
    <clock_synchronization>ptp</clock_synchronization>
  </host>
</hosts>
)";

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

std::string xml_error(const std::string& xml) { return error_of([&] { parse_bulk_xml(xml); }); }
std::string json_error(const std::string& text) { return error_of([&] { parse_bulk(text); }); }

json as_json(const std::vector<HostInput>& in) {
  json out = json::array();
  for (const auto& h : in) out.push_back(host_input_json(h, true));
  return out;
}

TEST(BulkXml, ReadsStarlingXsFormat) {
  const auto hosts = parse_bulk_xml(kGoodXml);
  ASSERT_EQ(hosts.size(), 3u);
  const HostInput& c1 = hosts[0];
  EXPECT_EQ(c1.hostname, "controller-1");
  EXPECT_EQ(c1.personality, Personality::Controller);
  EXPECT_EQ(c1.mgmt_mac, "08:00:27:AA:00:01");
  EXPECT_EQ(c1.bm_type, BmType::Ipmi);
  EXPECT_EQ(c1.bm_ip, "10.10.10.11");
  EXPECT_EQ(c1.bm_username, "admin");
  EXPECT_EQ(c1.bm_password, "pw-c1");
  EXPECT_EQ(c1.boot_device, "/dev/sda");
  EXPECT_EQ(c1.console, "ttyS0,115200");
  EXPECT_EQ(c1.install_output, "text");
  EXPECT_EQ(c1.location, (json{{"locality", "rack 1, slot 2"}}));
  EXPECT_TRUE(c1.power_on);
  EXPECT_EQ(c1.administrative, AdminState::Locked);
  const HostInput& w0 = hosts[1];
  EXPECT_EQ(w0.subfunctions, (std::vector<std::string>{"worker", "lowlatency"}));
  EXPECT_EQ(w0.bm_type, BmType::None);
  EXPECT_EQ(w0.location, json::object());
  EXPECT_FALSE(w0.power_on);
  EXPECT_EQ(hosts[2].bm_port, 6230);
  EXPECT_EQ(hosts[2].clock_synchronization, ClockSync::Ptp);

  // And the inventory takes them.
  testing::Fixture f;
  auto inv = f.make();
  const BulkResult r = inv->add_bulk(hosts);
  EXPECT_TRUE(r.failed.empty());
  EXPECT_EQ(r.added, (std::vector<std::string>{"controller-1", "worker-0", "storage-0"}));
  EXPECT_EQ(parse_bulk_xml("<hosts/>").size(), 0u);
}

TEST(BulkXml, ErrorsNameTheHostAndTheField) {
  EXPECT_EQ(xml_error(R"(<hosts>
  <host><hostname>controller-1</hostname><personality>controller</personality></host>
  <host><hostname>worker-0</hostname><personality>worker</personality></host>
  <host><hostname>worker-2</hostname><personality>worker</personality><bm_type>ipmx</bm_type></host>
</hosts>)"),
            "host[3] (worker-2): bm_type: 'ipmx' is not one of none, dynamic, ipmi, redfish");
  EXPECT_EQ(xml_error("<hosts><host><personality>worker</personality></host></hosts>"), "host[1]: hostname: required");
  EXPECT_EQ(xml_error("<hosts><host><hostname>w</hostname><personality>router</personality></host></hosts>"),
            "host[1] (w): personality: 'router' is not one of controller, worker, storage");
  EXPECT_EQ(xml_error("<hosts><host><hostname>w</hostname><personality>worker</personality><bm_tpye/></host></hosts>"),
            "host[1] (w): unknown element <bm_tpye>");
  EXPECT_EQ(xml_error("<hosts><host><hostname>w</hostname><hostname>v</hostname></host></hosts>"),
            "host[1] (w): hostname: given twice");
  EXPECT_EQ(xml_error("<hosts><host><hostname>w</hostname><personality>worker</personality>"
                      "<bm_port>x623</bm_port></host></hosts>"),
            "host[1] (w): bm_port: 'x623' is not a port number");
  EXPECT_EQ(xml_error("<hosts><host><hostname>w</hostname><personality>worker</personality>"
                      "<power_on>maybe</power_on></host></hosts>"),
            "host[1] (w): power_on: 'maybe' is not empty, true or false");
  EXPECT_EQ(xml_error("<hosts><host><hostname>w</hostname><personality><a/></personality></host></hosts>"),
            "host[1] (w): personality: expected text, found child elements");
  EXPECT_EQ(xml_error("<hosts><host>stray<hostname>w</hostname></host></hosts>"),
            "host[1] (w): unexpected text 'stray' (expected elements)");
  EXPECT_EQ(xml_error("<hosts><server/></hosts>"), "hosts: unexpected element <server> (expected <host>)");
  EXPECT_EQ(xml_error("<systems/>"), "root element: expected <hosts>, found <systems>");
}

TEST(BulkXml, ParseErrorsGiveTheByteLineAndColumn) {
  const std::string bad = "<hosts>\n  <host>\n    <hostname>w</hostnme>\n  </host>\n</hosts>\n";
  const std::string e = xml_error(bad);
  EXPECT_EQ(e.rfind("XML parse error at byte ", 0), 0u) << e;
  EXPECT_NE(e.find("(line 3, column"), std::string::npos) << e;
  EXPECT_NE(e.find("Start-end tags mismatch"), std::string::npos) << e;
  EXPECT_EQ(xml_error("").rfind("XML parse error at byte 0 (line 1, column 1): No document element found", 0), 0u)
      << xml_error("");
}

TEST(BulkJson, ReadsAnObjectOrABareArray) {
  const std::string text = R"({"hosts": [
    {"hostname": "worker-0", "personality": "worker", "bm_type": "redfish", "bm_ip": "bmc0.lab",
     "bm_username": "root", "bm_password": "pw", "location": {"locality": "rack 2", "row": "B"}},
    {"hostname": "worker-1", "personality": "worker", "administrative": "unlocked", "power_on": true}]})";
  const auto hosts = parse_bulk(text);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].bm_type, BmType::Redfish);
  EXPECT_EQ(hosts[0].location["row"], "B");
  EXPECT_EQ(hosts[1].administrative, AdminState::Unlocked);
  EXPECT_TRUE(hosts[1].power_on);
  const auto bare = parse_bulk(R"(  [{"hostname": "w", "personality": "storage"}])");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].personality, Personality::Storage);
  EXPECT_EQ(parse_bulk_json(json::parse(text)).size(), 2u);
  EXPECT_EQ(parse_bulk("\xEF\xBB\xBF\n" + std::string(kGoodXml)).size(), 3u);  // BOM, then XML
}

TEST(BulkJson, ErrorsNameTheHostAndTheField) {
  EXPECT_EQ(json_error(R"({"hosts": [{"hostname": "a", "personality": "worker"},
                                     {"hostname": "worker-2", "personality": "worker", "bm_type": "ipmx"}]})"),
            "hosts[1] (worker-2): bm_type: 'ipmx' is not one of none, dynamic, ipmi, redfish");
  EXPECT_EQ(json_error(R"([{"personality": "worker"}])"), "hosts[0]: hostname: required");
  EXPECT_EQ(json_error(R"([3])"), "hosts[0]: expected an object (a host), got number");
  EXPECT_EQ(json_error(R"({"hosts": {}})"), "hosts: expected an array of hosts");
  EXPECT_EQ(json_error(R"({"host": []})"), "unknown field 'host' (expected only \"hosts\")");
  EXPECT_EQ(json_error(R"({})"), "hosts: required");
  EXPECT_EQ(json_error(R"("hosts")"), "expected {\"hosts\": [...]} or an array of hosts");
  EXPECT_EQ(json_error("   "), "empty input: expected host XML or JSON");
  const std::string syntax = json_error("{\"hosts\": [,]}");
  EXPECT_EQ(syntax.rfind("JSON parse error at byte 12: ", 0), 0u) << syntax;
}

// Hosts as an inventory holds them, with every field set somewhere.
std::unique_ptr<Inventory> populated(testing::Fixture& f) {
  auto inv = f.make();
  for (const HostInput& in : parse_bulk_xml(kGoodXml)) EXPECT_TRUE(inv->add(in));
  HostInput r = testing::input("worker-9");
  r.bm_type = BmType::Redfish;
  r.bm_ip = "fe80::9";
  r.bm_username = "root & co <admin>";  // needs escaping in XML
  r.bm_password = "never-exported";
  r.install_output = "graphical";
  r.location = {{"locality", "rack \"9\""}};
  EXPECT_TRUE(inv->add(r));
  inv->set_states("worker-9", AdminState::Unlocked, OperState::Enabled, AvailState::Available, "");
  return inv;
}

std::vector<HostInput> without_passwords(const Inventory& inv) {
  std::vector<HostInput> out;
  for (const Host* h : inv.hosts()) out.push_back(host_input_of(*h));
  return out;
}

TEST(BulkExport, XmlRoundTripsWithoutPasswords) {
  testing::Fixture f;
  auto inv = populated(f);
  const std::string xml = export_bulk_xml(inv->hosts());
  EXPECT_EQ(xml.find("pw-c1"), std::string::npos);
  EXPECT_EQ(xml.find("never-exported"), std::string::npos);
  EXPECT_EQ(xml.find("bm_password"), std::string::npos);
  EXPECT_NE(xml.find("<hostname>controller-1</hostname>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<location>rack 1, slot 2</location>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<bm_port>6230</bm_port>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<bm_port>623</bm_port>"), std::string::npos) << xml;  // the default is not written
  const auto back = parse_bulk_xml(xml);
  EXPECT_EQ(as_json(back), as_json(without_passwords(*inv)));

  // Exported hosts load into a fresh inventory as the same hosts (less passwords and states).
  testing::Fixture g;
  auto copy = g.make();
  const BulkResult r = copy->add_bulk(back);
  EXPECT_TRUE(r.failed.empty());
  EXPECT_EQ(export_bulk_xml(copy->hosts()), xml);
}

TEST(BulkExport, JsonRoundTripsWithoutPasswords) {
  testing::Fixture f;
  auto inv = populated(f);
  const json j = export_bulk_json(inv->hosts());
  ASSERT_EQ(j["hosts"].size(), 4u);
  EXPECT_EQ(j.dump().find("pw-c1"), std::string::npos);
  EXPECT_EQ(j.dump().find("bm_password"), std::string::npos);
  EXPECT_FALSE(j["hosts"][3].contains("administrative"));  // states are not exported
  const auto back = parse_bulk(j.dump(2));
  EXPECT_EQ(as_json(back), as_json(without_passwords(*inv)));
  EXPECT_EQ(back[2].bm_port, 6230);
  EXPECT_EQ(back[3].location, (json{{"locality", "rack \"9\""}}));
  EXPECT_EQ(export_bulk_json({}), (json{{"hosts", json::array()}}));
}

}  // namespace
}  // namespace roost::inv
