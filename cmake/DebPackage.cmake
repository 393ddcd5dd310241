# SPDX-License-Identifier: Apache-2.0
# `cpack -G DEB` (or `cmake --build build --target package`): the Debian package
# torch-tidy-<major>, laid out beside the LLVM <major> it is built against.
#
# The package has install rules of its own, in the component `deb`, which
# `cmake --install` leaves alone (EXCLUDE_FROM_ALL): they place everything under
# /usr/lib/llvm-<major> whatever CMAKE_INSTALL_PREFIX and GNUInstallDirs say, so
# that packages for two LLVM majors install side by side, and the builtin
# headers of that LLVM (libclang-common-<major>-dev) sit where torch-tidy and
# torch-lint look for them, ../lib/clang/<major> from their binaries.
set(TORCH_TIDY_DEB_MAJOR ${LLVM_VERSION_MAJOR})
set(_deb_name torch-tidy-${TORCH_TIDY_DEB_MAJOR})
set(_deb_llvm lib/llvm-${TORCH_TIDY_DEB_MAJOR})
set(_deb_cmake ${_deb_llvm}/lib/cmake/TorchTidy)
set(_deb_doc share/doc/${_deb_name})
set(_deb_dir ${PROJECT_BINARY_DIR}/deb)

set(_deb_tools torch-tidy torch-lint)
if(TARGET torch-clangd)
  list(APPEND _deb_tools torch-clangd)
endif()

install(TARGETS torch-tidy torch-lint EXPORT TorchTidyDebTargets
  RUNTIME DESTINATION ${_deb_llvm}/bin COMPONENT deb EXCLUDE_FROM_ALL)
if(TARGET torch-clangd)
  install(TARGETS torch-clangd
    RUNTIME DESTINATION ${_deb_llvm}/bin COMPONENT deb EXCLUDE_FROM_ALL)
endif()
install(TARGETS TorchTidy TorchTidyCompilerPlugin EXPORT TorchTidyDebTargets
  LIBRARY DESTINATION ${_deb_llvm}/lib COMPONENT deb EXCLUDE_FROM_ALL)

# find_package(TorchTidy): the same package files as `cmake --install`, for
# this layout. /usr/lib/cmake/TorchTidy-<major> (where find_package looks
# without a hint, as for Debian's /usr/lib/cmake/clang-<major>) forwards to
# them by its real path: the exported targets are found relative to the file
# that defines them, so a symbolic link to the directory would misplace them.
configure_package_config_file(cmake/TorchTidyConfig.cmake.in
  ${_deb_dir}/TorchTidyConfig.cmake INSTALL_DESTINATION ${_deb_cmake})
install(EXPORT TorchTidyDebTargets FILE TorchTidyTargets.cmake NAMESPACE TorchTidy::
  DESTINATION ${_deb_cmake} COMPONENT deb EXCLUDE_FROM_ALL)
set(_deb_version_file ${PROJECT_BINARY_DIR}/${TORCH_TIDY_CMAKE_DIR}/TorchTidyConfigVersion.cmake)
install(FILES ${_deb_dir}/TorchTidyConfig.cmake ${_deb_version_file}
  DESTINATION ${_deb_cmake} COMPONENT deb EXCLUDE_FROM_ALL)
file(CONFIGURE OUTPUT ${_deb_dir}/forward/TorchTidyConfig.cmake CONTENT
  "# find_package(TorchTidy) for torch-tidy-@TORCH_TIDY_DEB_MAJOR@: the package in /usr/@_deb_cmake@.
get_filename_component(_torch_tidy_dir \"\${CMAKE_CURRENT_LIST_DIR}/../../llvm-@TORCH_TIDY_DEB_MAJOR@/lib/cmake/TorchTidy\" REALPATH)
include(\"\${_torch_tidy_dir}/TorchTidyConfig.cmake\")
unset(_torch_tidy_dir)
" @ONLY)
install(FILES ${_deb_dir}/forward/TorchTidyConfig.cmake ${_deb_version_file}
  DESTINATION lib/cmake/TorchTidy-${TORCH_TIDY_DEB_MAJOR} COMPONENT deb EXCLUDE_FROM_ALL)

install(FILES README.md CHANGELOG.md cmake/debian/copyright
  DESTINATION ${_deb_doc} COMPONENT deb EXCLUDE_FROM_ALL)
install(DIRECTORY docs/ DESTINATION ${_deb_doc}/docs COMPONENT deb EXCLUDE_FROM_ALL)

# /usr/bin/<tool>-<major>, relative links as Debian's clang-tidy-<major> has;
# postinst points the unsuffixed names at them with update-alternatives.
set(_deb_links "")
foreach(tool IN LISTS _deb_tools)
  list(APPEND _deb_links "../${_deb_llvm}/bin/${tool}=bin/${tool}-${TORCH_TIDY_DEB_MAJOR}")
endforeach()
install(CODE "
  foreach(link IN ITEMS ${_deb_links})
    string(REPLACE \"=\" \";\" link \"\${link}\")
    list(GET link 0 target)
    list(GET link 1 name)
    set(path \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/\${name}\")
    get_filename_component(dir \"\${path}\" DIRECTORY)
    file(MAKE_DIRECTORY \"\${dir}\")
    message(STATUS \"Installing: \${path} -> \${target}\")
    file(CREATE_LINK \"\${target}\" \"\${path}\" SYMBOLIC)
  endforeach()" COMPONENT deb EXCLUDE_FROM_ALL)

# update-alternatives: torch-tidy is the master link and the other tools are
# its slaves, so that the unsuffixed names always come from one major; the
# highest major wins in automatic mode.
set(TORCH_TIDY_DEB_SLAVES "")
foreach(tool IN LISTS _deb_tools)
  if(NOT tool STREQUAL "torch-tidy")
    string(APPEND TORCH_TIDY_DEB_SLAVES
      " \\\n    --slave /usr/bin/${tool} ${tool} /usr/bin/${tool}-${TORCH_TIDY_DEB_MAJOR}")
  endif()
endforeach()
configure_file(cmake/debian/postinst.in ${_deb_dir}/postinst @ONLY)
configure_file(cmake/debian/prerm.in ${_deb_dir}/prerm @ONLY)

set(TORCH_TIDY_DEB_MAINTAINER "torch-tidy developers"
  CACHE STRING "Maintainer field of the Debian package (\"Name <email>\")")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${_deb_name})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "clang-tidy checks for LibTorch training code (LLVM ${TORCH_TIDY_DEB_MAJOR})")
set(CPACK_PACKAGE_DESCRIPTION "torch-tidy finds the autograd mistakes that silently ruin LibTorch
training runs (gradients never cleared, evaluation that records a graph, frozen
parameters in an optimizer, ...) and fixes them with fix-its. This package is
built against LLVM ${TORCH_TIDY_DEB_MAJOR}: torch-tidy (clang-tidy with the torch- checks),
the torch-lint CI driver, libTorchTidy.so for clang-tidy-${TORCH_TIDY_DEB_MAJOR} --load, the compiler
plugin libTorchTidyCompilerPlugin.so for clang++-${TORCH_TIDY_DEB_MAJOR} -fplugin= and the CMake
package TorchTidy.")
set(CPACK_PACKAGE_CONTACT "${TORCH_TIDY_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Only the package's own component, installed from this build tree.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};deb;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/torch-tidy/torch-tidy")
# clang-tidy-<major> loads libTorchTidy.so; the resource directory with the
# builtin headers is in libclang-common-<major>-dev; dpkg-shlibdeps adds the
# shared libraries (libLLVM, libclang-cpp, fmt, gRPC for torch-clangd).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "clang-tidy-${TORCH_TIDY_DEB_MAJOR}, libclang-common-${TORCH_TIDY_DEB_MAJOR}-dev")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "clang-${TORCH_TIDY_DEB_MAJOR}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${_deb_dir}/postinst;${_deb_dir}/prerm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/;/build/;/build-[^/]*/;__pycache__")
include(CPack)
