#include "base/gzip.h"

#include <zlib.h>

#include <array>
#include <limits>
#include <stdexcept>

namespace stampede {
namespace {

// windowBits 15 plus 16: zlib writes and reads the gzip wrapper rather than its own.
constexpr int kGzipWindowBits = 15 + 16;
constexpr std::size_t kPiece = std::size_t{64} * 1024;

// zlib counts in uInt: feed it at most this much at a time.
constexpr std::size_t kMaxFeed = std::numeric_limits<uInt>::max();

Bytef* bytes(std::string_view data) {
  // zlib's API is not const-correct; it never writes to next_in.
  return reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
}

using Piece = std::array<char, kPiece>;

// Before each zlib call: the next input when the last is used up, and an empty output piece.
void refill(z_stream& z, std::string_view& rest, Piece& piece) {
  if (z.avail_in == 0 && !rest.empty()) {
    const std::size_t feed = std::min(rest.size(), kMaxFeed);
    z.next_in = bytes(rest.substr(0, feed));
    z.avail_in = static_cast<uInt>(feed);
    rest.remove_prefix(feed);
  }
  z.next_out = reinterpret_cast<Bytef*>(piece.data());
  z.avail_out = static_cast<uInt>(piece.size());
}

}  // namespace

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("gzip: zlib could not start");
  }
  std::string out;
  Piece piece{};
  std::string_view rest = data;
  int rc = Z_OK;
  do {
    refill(z, rest, piece);
    rc = deflate(&z, rest.empty() ? Z_FINISH : Z_NO_FLUSH);
    out.append(piece.data(), piece.size() - z.avail_out);
  } while (rc == Z_OK || rc == Z_BUF_ERROR);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: zlib failed");
  return out;
}

std::optional<std::string> gunzip(std::string_view data, std::size_t max_size, std::string* error) {
  if (!is_gzip(data)) {
    *error = "not gzip data";
    return std::nullopt;
  }
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) {
    *error = "zlib could not start";
    return std::nullopt;
  }
  std::string out;
  Piece piece{};
  std::string_view rest = data;
  bool ok = true;
  while (ok) {
    refill(z, rest, piece);
    const int rc = inflate(&z, Z_NO_FLUSH);
    out.append(piece.data(), piece.size() - z.avail_out);
    if (out.size() > max_size) {
      *error = "larger than " + std::to_string(max_size) + " bytes uncompressed";
      ok = false;
    } else if (rc == Z_STREAM_END) {
      if (z.avail_in == 0 && rest.empty()) break;  // the last member
      // Another member follows (parts written one after another): start it afresh.
      if (inflateReset(&z) != Z_OK) {
        *error = "corrupt gzip data";
        ok = false;
      }
    } else if (rc == Z_BUF_ERROR && z.avail_in == 0 && rest.empty()) {
      *error = "gzip data cut short";
      ok = false;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      *error = "corrupt gzip data";
      ok = false;
    }
  }
  inflateEnd(&z);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace stampede
