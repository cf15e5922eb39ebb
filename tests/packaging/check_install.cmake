# Installs the build into a scratch prefix and checks that every file lands where desktops look.
set(prefix "${BUILD_DIR}/tests/install-root")
file(REMOVE_RECURSE "${prefix}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}"
    RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "cmake --install failed: ${result}")
endif()
foreach(file
        "bin/confab"
        "share/applications/${APP_ID}.desktop"
        "share/metainfo/${APP_ID}.metainfo.xml"
        "share/icons/hicolor/scalable/apps/${APP_ID}.svg")
    if(NOT EXISTS "${prefix}/${file}")
        message(FATAL_ERROR "missing after install: ${file}")
    endif()
endforeach()
execute_process(COMMAND "${prefix}/bin/confab" --version OUTPUT_VARIABLE version RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT version MATCHES "^confab [0-9]+\\.[0-9]+\\.[0-9]+")
    message(FATAL_ERROR "installed confab --version failed: ${result} ${version}")
endif()
message(STATUS "installed layout is complete")
