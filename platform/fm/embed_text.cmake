# cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DNAMESPACE=<ns> -DFUNCTION=<name> -P embed_text.cmake
# Writes a C++ file whose function returns the input file's text, so platform code can carry data files
# (it may not open files at run time).
foreach(v INPUT OUTPUT NAMESPACE FUNCTION)
  if(NOT ${v})
    message(FATAL_ERROR "embed_text: pass -D${v}=...")
  endif()
endforeach()
file(READ ${INPUT} text)
set(delim "roost_embed")  # a raw-string delimiter holds at most 16 characters
string(FIND "${text}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "embed_text: ${INPUT} contains the raw-string delimiter ')${delim}\"'")
endif()
file(WRITE ${OUTPUT}.tmp
  "// Generated from ${INPUT} by embed_text.cmake. Do not edit.\n"
  "#include <string_view>\n\n"
  "namespace ${NAMESPACE} {\n\n"
  "std::string_view ${FUNCTION}() {\n"
  "  static constexpr std::string_view kText = R\"${delim}(${text})${delim}\";\n"
  "  return kText;\n"
  "}\n\n"
  "}  // namespace ${NAMESPACE}\n")
# Only touch the output when it changed, so an unchanged catalogue does not rebuild dependants.
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
