// The text of platform/fm/alarm_catalogue.json. The definition is generated at build time by
// platform/fm/embed_text.cmake into the build tree, so the binary carries the file and never opens it.
#pragma once

#include <string_view>

namespace roost::fm {

std::string_view embedded_catalogue_json();

}  // namespace roost::fm
