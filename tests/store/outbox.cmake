# The outbox end to end (included by CMakeLists.txt).
#
# store_outbox_testsupport: XChatTransport, an OutboxTransport that POSTs X Chat messages to
# confab-localserver, and the crash child's configuration. store_crash_child: the process
# tst_store_outbox kills with SIGKILL at random moments while it writes and sends through the
# outbox. tst_store_outbox: runs the in-process server, the crash rounds and the dispatcher tests.
find_package(Qt6 REQUIRED COMPONENTS Network Sql Test)

add_library(store_outbox_testsupport STATIC xchattransport.h xchattransport.cpp crashconfig.h crashconfig.cpp)
target_include_directories(store_outbox_testsupport PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(store_outbox_testsupport PUBLIC
    confab_store confab_localserver_testsupport confab_xchat confab_crypto Qt6::Network)
set_target_properties(store_outbox_testsupport PROPERTIES AUTOMOC ON)
confab_target_defaults(store_outbox_testsupport)

qt_add_executable(store_crash_child crashchild.cpp)
target_link_libraries(store_crash_child PRIVATE store_outbox_testsupport)
confab_target_defaults(store_crash_child)

confab_add_test(tst_store_outbox SOURCES tst_store_outbox.cpp
    LIBRARIES store_outbox_testsupport confab_store confab_localserver_testsupport Qt6::Sql)
target_compile_definitions(tst_store_outbox PRIVATE STORE_CRASH_CHILD="$<TARGET_FILE:store_crash_child>")
add_dependencies(tst_store_outbox store_crash_child)
# The test's own requests (set-up, reading events, fault injection) and every answer its transport
# receives are recorded in the localserver responses folder and validated against the OpenAPI
# document by localserver_openapi, like the localserver tests. The child's are not recorded: it
# sends nothing the test does not send too, and a SIGKILL may cut its last record in half.
set_tests_properties(tst_store_outbox PROPERTIES
    FIXTURES_REQUIRED localserver_responses
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CONFAB_LOCALSERVER_RESPONSES_DIR=${CMAKE_BINARY_DIR}/tests/localserver/responses"
    TIMEOUT 120)
