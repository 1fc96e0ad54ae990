# Reads the source lists of native/sources.gypi (the one list node-gyp also
# reads) into CMake variables, so that no source is listed twice.
#   otls_read_sources(<list name in sources.gypi> <CMake variable>)
# sets the variable to the list's files as absolute paths.
set(OTLS_SOURCES_GYPI "${CMAKE_CURRENT_LIST_DIR}/sources.gypi")
get_filename_component(OTLS_REPO_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${OTLS_SOURCES_GYPI}")

function(otls_read_sources list_name out_var)
  file(READ "${OTLS_SOURCES_GYPI}" text)
  # The list: from "'<name>': [" to the first "]" after it.
  string(REGEX MATCH "'${list_name}': \\[[^]]*\\]" block "${text}")
  if(NOT block)
    message(FATAL_ERROR "native/sources.gypi has no list '${list_name}'")
  endif()
  string(REGEX MATCHALL "'native/[^']+'" quoted "${block}")
  set(files)
  foreach(q IN LISTS quoted)
    string(REPLACE "'" "" path "${q}")
    list(APPEND files "${OTLS_REPO_DIR}/${path}")
  endforeach()
  set(${out_var} ${files} PARENT_SCOPE)
endfunction()
