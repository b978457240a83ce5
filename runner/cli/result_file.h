#pragma once
// The --json result file, opened before the load starts and written after it. A run whose
// connections use up the process's file handles (EMFILE) must still be able to write its
// result: holding the descriptor from the start means nothing has to be opened at the end.

#include <optional>
#include <string>
#include <string_view>

namespace stampede {

class ResultFile {
 public:
  // Opens `path` for writing, creating it if missing; the old content stays until write().
  // nullopt and *error when it cannot be opened. An empty path means no file: write() is then
  // a successful no-op.
  static std::optional<ResultFile> open(const std::string& path, std::string* error);

  ResultFile(ResultFile&& other) noexcept;
  ResultFile& operator=(ResultFile&& other) noexcept;
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;
  ~ResultFile();

  // Replaces a regular file's content with `text` (a pipe or a terminal just gets the bytes),
  // then closes it; call once. false and *error when writing or closing fails.
  bool write(std::string_view text, std::string* error);
  const std::string& path() const { return path_; }

 private:
  ResultFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
};

}  // namespace stampede
