# SPDX-License-Identifier: MIT
# Installs the library, its header, a CMake package (find_package(buddy)
# gives buddy::buddy, buddy::buddy_static and buddy::core, the core alone
# without threads) and buddy.pc for pkg-config.
# tests/package installs into a temporary prefix and builds consumers with
# both, so every rule here is exercised by `make test`.
include(CMakePackageConfigHelpers)

install(TARGETS buddy buddy_static buddy_core EXPORT buddyTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# malloc.h is libbuddy-malloc's, which is not installed: it stays out.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/buddy
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN "malloc.h" EXCLUDE)
# The licence travels with the binaries, where distributions look for it.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DATADIR}/licenses/buddy)
# The exported targets find their files relative to the config file, so the
# CMake package works wherever the prefix ends up.
install(EXPORT buddyTargets NAMESPACE buddy::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/buddy)

configure_package_config_file(cmake/buddyConfig.cmake.in
  ${PROJECT_BINARY_DIR}/buddyConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/buddy)
# Before 1.0 a minor release may change the API, so find_package(buddy 0.1)
# must not accept 0.2; from 1.0 on this becomes SameMajorVersion.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(buddy_version_compat SameMinorVersion)
else()
  set(buddy_version_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/buddyConfigVersion.cmake
  COMPATIBILITY ${buddy_version_compat})
install(FILES ${PROJECT_BINARY_DIR}/buddyConfig.cmake
              ${PROJECT_BINARY_DIR}/buddyConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/buddy)

# buddy.pc names absolute paths, and the prefix is only known for sure at
# install time: `cmake --install --prefix DIR` overrides CMAKE_INSTALL_PREFIX
# after configuration. So everything else is filled in now, and the prefix
# when installing. GNUInstallDirs may give absolute directories; use them as
# they are.
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(BUDDY_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(BUDDY_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
set(BUDDY_PC_PREFIX "@BUDDY_PC_PREFIX@") # stays a placeholder until install
configure_file(cmake/buddy.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/buddy.pc.in @ONLY)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(buddy_pc_destination "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
else()
  set(buddy_pc_destination "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endif()
install(CODE "
  set(BUDDY_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/pkgconfig/buddy.pc.in\"
                 \"${PROJECT_BINARY_DIR}/pkgconfig/buddy.pc\" @ONLY)
  file(INSTALL DESTINATION \"${buddy_pc_destination}\" TYPE FILE
       FILES \"${PROJECT_BINARY_DIR}/pkgconfig/buddy.pc\")
")
