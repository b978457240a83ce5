#include "cli/result_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace stampede {

std::optional<ResultFile> ResultFile::open(const std::string& path, std::string* error) {
  if (path.empty()) return ResultFile({}, -1);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return ResultFile(path, fd);
}

ResultFile::ResultFile(ResultFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

ResultFile& ResultFile::operator=(ResultFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ResultFile::~ResultFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool ResultFile::write(std::string_view text, std::string* error) {
  if (fd_ < 0) return true;
  const auto fail = [&] {
    *error = "cannot write " + path_ + ": " + std::strerror(errno);
    return false;
  };
  // A regular file is rewritten from its start; /dev/stdout or a pipe just takes the bytes.
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return fail();
  if (S_ISREG(st.st_mode) && (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)) {
    return fail();
  }
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail();
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  // close reports what a file system defers (NFS, a full disk), like ofstream::close.
  if (::close(std::exchange(fd_, -1)) != 0) return fail();
  return true;
}

}  // namespace stampede
