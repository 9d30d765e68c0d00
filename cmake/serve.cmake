# nabla_serve (src/serve): `nabla serve`, on Debian's cpp-httplib (a compiled library whose header
# must see the same CPPHTTPLIB_* definitions, hence pkg-config), with the page's files embedded.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(Threads REQUIRED)
# KaTeX from Debian's libjs-katex (fonts-katex holds the fonts it links to).
find_path(NABLA_KATEX_DIR katex.min.js PATHS /usr/share/javascript/katex
          /usr/share/nodejs/katex/dist NO_DEFAULT_PATH REQUIRED)

set(serve_web ${PROJECT_SOURCE_DIR}/src/serve/web)
set(serve_manifest_text "")
set(serve_asset_files "")
function(serve_asset url file type)
  string(APPEND serve_manifest_text "${url}|${file}|${type}\n")
  list(APPEND serve_asset_files ${file})
  set(serve_manifest_text "${serve_manifest_text}" PARENT_SCOPE)
  set(serve_asset_files "${serve_asset_files}" PARENT_SCOPE)
endfunction()
serve_asset(/index.html ${serve_web}/index.html "text/html; charset=utf-8")
serve_asset(/app.js ${serve_web}/app.js "text/javascript; charset=utf-8")
serve_asset(/style.css ${serve_web}/style.css "text/css; charset=utf-8")
serve_asset(/examples/exercise-01.nabla ${PROJECT_SOURCE_DIR}/examples/exercise-01.nabla
            "text/plain; charset=utf-8")
serve_asset(/katex/katex.min.js ${NABLA_KATEX_DIR}/katex.min.js "text/javascript; charset=utf-8")
serve_asset(/katex/katex.min.css ${NABLA_KATEX_DIR}/katex.min.css "text/css; charset=utf-8")
# The stylesheet names each font as woff2 first; browsers that read it take no other.
file(GLOB katex_fonts ${NABLA_KATEX_DIR}/fonts/*.woff2)
foreach(font ${katex_fonts})
  get_filename_component(name ${font} NAME)
  serve_asset(/katex/fonts/${name} ${font} font/woff2)
endforeach()
set(serve_manifest ${CMAKE_BINARY_DIR}/serve_assets.txt)
file(WRITE ${serve_manifest}.new "${serve_manifest_text}")
file(COPY_FILE ${serve_manifest}.new ${serve_manifest} ONLY_IF_DIFFERENT)
set(serve_assets_cpp ${CMAKE_BINARY_DIR}/serve_assets.cpp)
add_custom_command(OUTPUT ${serve_assets_cpp}
                   COMMAND ${CMAKE_COMMAND} -DMANIFEST=${serve_manifest} -DOUTPUT=${serve_assets_cpp}
                           -P ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
                   DEPENDS ${serve_asset_files} ${serve_manifest}
                           ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
                   COMMENT "Embedding the page's files (src/serve/web, KaTeX)")

nabla_stage(serve nabla_driver PkgConfig::HTTPLIB Threads::Threads)
target_sources(nabla_serve PRIVATE ${serve_assets_cpp})
target_include_directories(nabla_serve PRIVATE ${CLI11_INCLUDE_DIR})
