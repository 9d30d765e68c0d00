# The browser tests of the page (tests/serve/*.py): headless Chromium driven by Selenium, against
# `nabla serve` on a free loopback port. Registered when Debian's python3-selenium, chromium and
# chromedriver are installed (scripts/setup installs them).
find_program(NABLA_SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(NABLA_CHROMEDRIVER chromedriver PATHS /usr/bin NO_DEFAULT_PATH)
if(NABLA_SYSTEM_PYTHON AND NABLA_CHROMEDRIVER AND NOT NABLA_SANITIZE AND NOT NABLA_SANITIZE_THREAD)
  execute_process(COMMAND ${NABLA_SYSTEM_PYTHON} -c "import selenium"
                  RESULT_VARIABLE no_selenium OUTPUT_QUIET ERROR_QUIET)
  if(no_selenium EQUAL 0)
    add_test(NAME serve_browser
             COMMAND ${NABLA_SYSTEM_PYTHON} ${PROJECT_SOURCE_DIR}/tests/serve/browser_test.py
                     --nabla $<TARGET_FILE:nabla_cli>
                     --screenshots ${CMAKE_BINARY_DIR}/serve-screenshots
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(serve_browser PROPERTIES TIMEOUT 240)
  endif()
endif()
