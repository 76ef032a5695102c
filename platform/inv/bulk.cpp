#include "platform/inv/bulk.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <pugixml.hpp>

namespace roost::inv {
namespace {

// The elements a <host> may hold, in the order an export writes them.
const std::vector<std::string> kXmlFields{
    "hostname",      "personality", "subfunctions",   "mgmt_mac", "mgmt_ip",  "bm_ip",
    "bm_type",       "bm_username", "bm_password",    "bm_port",  "boot_device", "rootfs_device",
    "console",       "install_output", "location",    "clock_synchronization", "power_on"};

std::string trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::string where(std::string_view label, std::size_t index, const std::string& hostname) {
  std::string w = std::string(label) + "[" + std::to_string(index) + "]";
  if (!hostname.empty()) w += " (" + hostname + ")";
  return w + ": ";
}

// One <host> element as the JSON host_input_from_json reads; `context` prefixes every error.
nlohmann::json xml_host_to_json(const pugi::xml_node& host, const std::string& context) {
  nlohmann::json j = nlohmann::json::object();
  for (pugi::xml_node e = host.first_child(); e; e = e.next_sibling()) {
    if (e.type() == pugi::node_comment) continue;
    if (e.type() != pugi::node_element) {
      if (!trim(e.value()).empty())
        throw std::invalid_argument(context + "unexpected text '" + trim(e.value()) + "' (expected elements)");
      continue;
    }
    const std::string name = e.name();
    if (std::find(kXmlFields.begin(), kXmlFields.end(), name) == kXmlFields.end())
      throw std::invalid_argument(context + "unknown element <" + name + ">");
    if (j.contains(name)) throw std::invalid_argument(context + name + ": given twice");
    if (e.find_child([](const pugi::xml_node& c) { return c.type() == pugi::node_element; }))
      throw std::invalid_argument(context + name + ": expected text, found child elements");
    const std::string text = trim(e.text().get());
    if (name == "power_on") {
      // StarlingX: the element's presence asks for power-on; an explicit "false" is honoured too.
      if (text.empty() || text == "true" || text == "yes" || text == "1")
        j[name] = true;
      else if (text == "false" || text == "no" || text == "0")
        j[name] = false;
      else
        throw std::invalid_argument(context + "power_on: '" + text + "' is not empty, true or false");
    } else if (name == "bm_port") {
      const bool digits = !text.empty() && text.size() <= 5 &&
                          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) throw std::invalid_argument(context + "bm_port: '" + text + "' is not a port number");
      j[name] = std::stoi(text);
    } else if (name == "location") {
      if (!text.empty()) j[name] = nlohmann::json{{"locality", text}};
    } else {
      j[name] = text;
    }
  }
  return j;
}

struct StringWriter final : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

}  // namespace

std::vector<HostInput> parse_bulk_xml(std::string_view xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, r.offset));
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < xml.size(); ++i) {
      if (xml[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw std::invalid_argument("XML parse error at byte " + std::to_string(offset) + " (line " + std::to_string(line) +
                                ", column " + std::to_string(column) + "): " + r.description());
  }
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "hosts")
    throw std::invalid_argument(std::string("root element: expected <hosts>, found <") + root.name() + ">");
  std::vector<HostInput> out;
  std::size_t index = 0;
  for (pugi::xml_node host = root.first_child(); host; host = host.next_sibling()) {
    if (host.type() == pugi::node_comment) continue;
    if (host.type() != pugi::node_element) {
      if (!trim(host.value()).empty())
        throw std::invalid_argument("hosts: unexpected text '" + trim(host.value()) + "' (expected <host> elements)");
      continue;
    }
    ++index;
    if (std::string_view(host.name()) != "host")
      throw std::invalid_argument("hosts: unexpected element <" + std::string(host.name()) + "> (expected <host>)");
    const std::string hostname = trim(host.child("hostname").text().get());
    const std::string context = where("host", index, hostname);
    const nlohmann::json j = xml_host_to_json(host, context);
    try {
      out.push_back(host_input_from_json(j));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(context + e.what());
    }
  }
  return out;
}

std::vector<HostInput> parse_bulk_json(const nlohmann::json& j) {
  const nlohmann::json* list = &j;
  if (j.is_object()) {
    for (const auto& [key, _] : j.items())
      if (key != "hosts") throw std::invalid_argument("unknown field '" + key + "' (expected only \"hosts\")");
    auto it = j.find("hosts");
    if (it == j.end()) throw std::invalid_argument("hosts: required");
    list = &*it;
  }
  if (!list->is_array())
    throw std::invalid_argument(j.is_object() ? "hosts: expected an array of hosts"
                                              : "expected {\"hosts\": [...]} or an array of hosts");
  std::vector<HostInput> out;
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& h = (*list)[i];
    std::string hostname;
    if (h.is_object() && h.contains("hostname") && h["hostname"].is_string()) hostname = h["hostname"];
    try {
      out.push_back(host_input_from_json(h));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where("hosts", i, hostname) + e.what());
    }
  }
  return out;
}

std::vector<HostInput> parse_bulk(std::string_view text) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a UTF-8 byte order mark
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  if (i == text.size()) throw std::invalid_argument("empty input: expected host XML or JSON");
  if (text[i] == '<') return parse_bulk_xml(text);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.substr(i));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument("JSON parse error at byte " + std::to_string(e.byte + i) + ": " + e.what());
  }
  return parse_bulk_json(j);
}

HostInput host_input_of(const Host& h) {
  HostInput in;
  in.hostname = h.hostname;
  in.personality = h.personality;
  in.subfunctions = h.subfunctions;
  in.mgmt_mac = h.mgmt_mac;
  in.mgmt_ip = h.mgmt_ip;
  in.bm_ip = h.bm_ip;
  in.bm_username = h.bm_username;
  in.bm_port = h.bm_port;
  in.bm_type = h.bm_type;
  in.boot_device = h.boot_device;
  in.rootfs_device = h.rootfs_device;
  in.console = h.console;
  in.install_output = h.install_output;
  in.location = h.location;
  in.clock_synchronization = h.clock_synchronization;
  return in;
}

nlohmann::json host_input_json(const HostInput& in, bool with_password) {
  nlohmann::json j{
      {"hostname", in.hostname},
      {"personality", to_string(in.personality)},
      {"subfunctions", join(in.subfunctions)},
      {"mgmt_mac", in.mgmt_mac},
      {"mgmt_ip", in.mgmt_ip},
      {"bm_ip", in.bm_ip},
      {"bm_type", to_string(in.bm_type)},
      {"bm_username", in.bm_username},
      {"bm_port", in.bm_port},
      {"boot_device", in.boot_device},
      {"rootfs_device", in.rootfs_device},
      {"console", in.console},
      {"install_output", in.install_output},
      {"location", in.location},
      {"clock_synchronization", to_string(in.clock_synchronization)},
  };
  if (with_password) j["bm_password"] = in.bm_password;
  if (in.administrative != AdminState::Locked) j["administrative"] = to_string(in.administrative);
  if (in.power_on) j["power_on"] = true;
  return j;
}

std::string export_bulk_xml(const std::vector<const Host*>& hosts) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("hosts");
  for (const Host* h : hosts) {
    if (!h) continue;
    pugi::xml_node x = root.append_child("host");
    const auto field = [&](const char* name, std::string_view value) {
      x.append_child(name).text().set(std::string(value).c_str());
    };
    field("hostname", h->hostname);
    field("personality", to_string(h->personality));
    field("subfunctions", join(h->subfunctions));
    field("mgmt_mac", h->mgmt_mac);
    field("mgmt_ip", h->mgmt_ip);
    field("bm_ip", h->bm_ip);
    field("bm_type", to_string(h->bm_type));
    field("bm_username", h->bm_username);
    if (h->bm_port != 623) field("bm_port", std::to_string(h->bm_port));
    field("boot_device", h->boot_device);
    field("rootfs_device", h->rootfs_device);
    field("console", h->console);
    field("install_output", h->install_output);
    // XML carries the locality only (StarlingX's <location> is one text).
    const auto loc = h->location.find("locality");
    field("location", loc != h->location.end() && loc->is_string() ? loc->get<std::string>() : std::string());
    if (h->clock_synchronization != ClockSync::Ntp) field("clock_synchronization", to_string(h->clock_synchronization));
  }
  StringWriter w;
  doc.save(w, "  ", pugi::format_default, pugi::encoding_utf8);
  return w.out;
}

nlohmann::json export_bulk_json(const std::vector<const Host*>& hosts) {
  nlohmann::json list = nlohmann::json::array();
  for (const Host* h : hosts)
    if (h) list.push_back(host_input_json(host_input_of(*h)));
  return nlohmann::json{{"hosts", std::move(list)}};
}

}  // namespace roost::inv
