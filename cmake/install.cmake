# `cmake --install`: the public headers, the static libraries, the CLI with its manual page
# (share/man/man1/nabla.1) and bash completion (share/bash-completion/completions/nabla), and a
# CMake package config so that an outside project can do
#   find_package(nabla REQUIRED)
#   target_link_libraries(app PRIVATE nabla::nabla)
include(CMakePackageConfigHelpers)

# Link order: each library before the ones it uses.
set(NABLA_INSTALLED_LIBRARIES api codegen check diff simplify eval print parse ir)
foreach(lib IN LISTS NABLA_INSTALLED_LIBRARIES)
  install(TARGETS nabla_${lib} ARCHIVE DESTINATION lib)
endforeach()
install(TARGETS nabla_cli RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/tools/nabla/nabla.1 DESTINATION share/man/man1)
install(FILES ${PROJECT_SOURCE_DIR}/tools/nabla/completion.bash
        DESTINATION share/bash-completion/completions RENAME nabla)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nabla DESTINATION include)

configure_file(${PROJECT_SOURCE_DIR}/cmake/nablaConfig.cmake.in
               ${PROJECT_BINARY_DIR}/nablaConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nablaConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nablaConfig.cmake ${PROJECT_BINARY_DIR}/nablaConfigVersion.cmake
        DESTINATION lib/cmake/nabla)

# CI: install into a scratch prefix, then configure, build and run an outside project against it.
# Not in the sanitizer configuration: its libraries need the sanitizer runtime, which an outside
# project does not link; the ordinary configuration tests the package.
if(NABLA_BUILD_TESTS AND NOT NABLA_SANITIZE)
  enable_testing()
  set(_prefix ${PROJECT_BINARY_DIR}/install-test/prefix)
  set(_build ${PROJECT_BINARY_DIR}/install-test/build)
  add_test(NAME install_consumer
           COMMAND ${CMAKE_COMMAND}
                   -DBINARY_DIR=${PROJECT_BINARY_DIR} -DPREFIX=${_prefix} -DBUILD=${_build}
                   -DSOURCE=${PROJECT_SOURCE_DIR}/examples/cpp
                   -DGENERATOR=${CMAKE_GENERATOR} -DCXX=${CMAKE_CXX_COMPILER}
                   -P ${PROJECT_SOURCE_DIR}/cmake/install_test.cmake)
  set_tests_properties(install_consumer PROPERTIES TIMEOUT 300)
endif()
