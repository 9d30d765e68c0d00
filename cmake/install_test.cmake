# Run by ctest (install_consumer): install nabla into PREFIX, then configure, build and run the
# outside project SOURCE against it in BUILD.
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  message(STATUS "${out}")
endfunction()
file(REMOVE_RECURSE ${PREFIX} ${BUILD})
step(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${PREFIX})
step(${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
     -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${PREFIX})
step(${CMAKE_COMMAND} --build ${BUILD})
foreach(program consumer logistic_regression newton sheet_3c)
  step(${BUILD}/${program})
endforeach()
