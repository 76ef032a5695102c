#include "platform/inv/bulk.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include <pugixml.hpp>

#include "platform/inv/host_fields.h"

namespace roost::inv {
namespace {

using fields::Field;

// How a <host> element's text reads, by the type of the field it sets.
enum class XmlText : std::uint8_t { Text, Flag, Port, Locality };

// The elements a <host> may hold: the input fields, but Roost's JSON-only ones. nullopt: not one of them.
std::optional<XmlText> xml_element(std::string_view name) {
  static const HostInput kShape;
  std::optional<XmlText> kind;
  fields::visit_field(
      name,
      [&](const Field& f, const auto& member) {
        using T = std::decay_t<decltype(member)>;
        if (f.has(fields::kNotInXml)) return;
        if constexpr (std::is_same_v<T, bool>)
          kind = XmlText::Flag;
        else if constexpr (std::is_same_v<T, std::uint16_t>)
          kind = XmlText::Port;
        else if constexpr (std::is_same_v<T, nlohmann::json>)
          kind = XmlText::Locality;
        else
          kind = XmlText::Text;
      },
      kShape);
  return kind;
}

// A field's value as an XML element's text. XML carries the locality only (StarlingX's <location> is one text).
template <class T>
std::string xml_text(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_enum_v<T>) {
    return std::string(fields::name_of(v));
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return fields::join(v);
  } else if constexpr (std::is_same_v<T, std::uint16_t>) {
    return std::to_string(v);
  } else {
    static_assert(std::is_same_v<T, nlohmann::json>);
    const auto loc = v.find("locality");
    return loc != v.end() && loc->is_string() ? loc->template get<std::string>() : std::string();
  }
}

std::string trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
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
    const std::optional<XmlText> kind = xml_element(name);
    if (!kind) throw std::invalid_argument(context + "unknown element <" + name + ">");
    if (j.contains(name)) throw std::invalid_argument(context + name + ": given twice");
    if (e.find_child([](const pugi::xml_node& c) { return c.type() == pugi::node_element; }))
      throw std::invalid_argument(context + name + ": expected text, found child elements");
    const std::string text = trim(e.text().get());
    switch (*kind) {
      case XmlText::Flag:
        // StarlingX's <power_on/>: the element's presence asks for it; an explicit "false" is honoured too.
        if (text.empty() || text == "true" || text == "yes" || text == "1")
          j[name] = true;
        else if (text == "false" || text == "no" || text == "0")
          j[name] = false;
        else
          throw std::invalid_argument(context + name + ": '" + text + "' is not empty, true or false");
        break;
      case XmlText::Port: {
        const bool digits = !text.empty() && text.size() <= 5 &&
                            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) throw std::invalid_argument(context + name + ": '" + text + "' is not a port number");
        j[name] = std::stoi(text);
        break;
      }
      case XmlText::Locality:
        if (!text.empty()) j[name] = nlohmann::json{{"locality", text}};
        break;
      case XmlText::Text:
        j[name] = text;
        break;
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
  fields::visit_editable(
      [](const Field& f, auto& to, const auto& from) {
        if (!f.has(fields::kSecret)) to = from;
      },
      in, h);
  return in;
}

nlohmann::json host_input_json(const HostInput& in, bool with_password) {
  static const HostInput kDefault;
  nlohmann::json j = nlohmann::json::object();
  fields::visit_input(
      [&](const Field& f, const auto& v, const auto& default_v) {
        if (f.has(fields::kSecret) && !with_password) return;
        if (f.has(fields::kOption) && v == default_v) return;
        j[f.name] = fields::value_json(v, fields::Lists::Text);
      },
      in, kDefault);
  return j;
}

std::string export_bulk_xml(const std::vector<const Host*>& hosts) {
  static const Host kDefault;
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("hosts");
  for (const Host* h : hosts) {
    if (!h) continue;
    pugi::xml_node x = root.append_child("host");
    fields::visit_editable(
        [&](const Field& f, const auto& v, const auto& default_v) {
          if (f.has(fields::kSecret)) return;
          if (f.has(fields::kXmlIfNotDefault) && v == default_v) return;
          x.append_child(std::string(f.name).c_str()).text().set(xml_text(v).c_str());
        },
        *h, kDefault);
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
