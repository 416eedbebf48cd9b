# Installs the library, its header, a CMake package (find_package(buddy)
# gives buddy::buddy and buddy::buddy_static) and buddy.pc for pkg-config.
include(CMakePackageConfigHelpers)

install(TARGETS buddy buddy_static EXPORT buddyTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/buddy DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT buddyTargets NAMESPACE buddy::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/buddy)

configure_package_config_file(cmake/buddyConfig.cmake.in
  ${PROJECT_BINARY_DIR}/buddyConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/buddy)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/buddyConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/buddyConfig.cmake
              ${PROJECT_BINARY_DIR}/buddyConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/buddy)

configure_file(cmake/buddy.pc.in ${PROJECT_BINARY_DIR}/buddy.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/buddy.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
