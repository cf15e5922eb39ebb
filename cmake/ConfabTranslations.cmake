# confab_add_translations(<target>): compiles translations/*.ts into <target>'s resources under
# :/i18n, and gives the `update_translations` target that refreshes the .ts files from every C++
# and QML source (qt_add_translations needs the QML files listed explicitly to see them).
function(confab_add_translations target)
    file(GLOB ts_files "${PROJECT_SOURCE_DIR}/translations/*.ts")
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS
        "${PROJECT_SOURCE_DIR}/src/*.cpp" "${PROJECT_SOURCE_DIR}/src/*.h" "${PROJECT_SOURCE_DIR}/qml/*.qml")
    qt_add_translations(${target}
        TS_FILES ${ts_files}
        SOURCES ${sources}
        RESOURCE_PREFIX /i18n
        LUPDATE_OPTIONS -no-obsolete -locations none)
endfunction()
