// Test helpers: where the source tree is, and scratch directories.
#pragma once

#include <filesystem>
#include <string>

namespace famulor::test {

// The repository root (examples/, connectors/, docs/ are read from here).
std::filesystem::path source_dir();
// The build directory (the famulor binary lives here).
std::filesystem::path binary_dir();
// Reads a whole file; throws std::runtime_error when it cannot.
std::string read_file(const std::filesystem::path& path);

// A fresh directory removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace famulor::test
