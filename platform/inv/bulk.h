// Bulk host files: StarlingX's host-bulk-add XML and its JSON twin, read into HostInputs for
// Inventory::add_bulk, and written back from the inventory (host-bulk-export). Parsing is from memory
// only: the caller (REST body, CLI) has the text.
//
// XML (StarlingX's format):
//   <hosts>
//     <host>
//       <hostname>worker-0</hostname> <personality>worker</personality> <subfunctions>worker,lowlatency</subfunctions>
//       <mgmt_mac>08:00:27:aa:bb:cc</mgmt_mac> <mgmt_ip/> <bm_ip>10.10.10.20</bm_ip> <bm_type>ipmi</bm_type>
//       <bm_username>admin</bm_username> <bm_password>secret</bm_password> <boot_device>/dev/sda</boot_device>
//       <rootfs_device>/dev/sda</rootfs_device> <console>ttyS0,115200</console> <install_output>text</install_output>
//       <location>rack 3</location> <power_on/>
//     </host>
//   </hosts>
// <location>'s text becomes {"locality": text}; an empty <power_on/> element means power on. Also read
// (Roost's additions, written only when not the default): <bm_port>, <clock_synchronization>.
//
// JSON: {"hosts": [<host>, ...]} or a bare array; each host as host_input_from_json reads it.
//
// Errors throw std::invalid_argument naming the host and the field: "host[3] (worker-2): bm_type: 'ipmx'
// is not one of none, dynamic, ipmi, redfish" (XML counts hosts from 1, as XPath does: the third <host>),
// "hosts[2] (worker-2): ..." (JSON counts from 0, as JSON paths do), or the XML error with its place:
// "XML parse error at byte 120 (line 5, column 7): Error parsing start element tag".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/inv/host.h"

namespace roost::inv {

std::vector<HostInput> parse_bulk_xml(std::string_view xml);
std::vector<HostInput> parse_bulk_json(const nlohmann::json& j);
// Either format, told apart by the first non-blank character ('<' is XML). JSON syntax errors name the byte.
std::vector<HostInput> parse_bulk(std::string_view text);

// What an operator would give to add `h` again (no password, no states, no machine inventory).
HostInput host_input_of(const Host& h);
// A HostInput as host_input_from_json reads it back (administrative and power_on only when not the
// default; bm_password only when asked).
nlohmann::json host_input_json(const HostInput& in, bool with_password = false);

// host-bulk-export: the same formats, passwords never written. Parsing the export gives back
// host_input_of() of each host, bm_password empty.
std::string export_bulk_xml(const std::vector<const Host*>& hosts);
nlohmann::json export_bulk_json(const std::vector<const Host*>& hosts);

}  // namespace roost::inv
