#include "stats/histogram.h"

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "stats/json_count.h"

namespace stampede {
namespace {

constexpr int kJsonVersion = 1;

// Reads the required non-negative integer field `key` of object j, or explains why not.
bool read_field(const nlohmann::json& j, const char* key, std::uint64_t* out, std::string* error) {
  const auto it = j.find(key);
  if (it == j.end()) {
    *error = std::string("missing field \"") + key + "\"";
    return false;
  }
  const auto value = json_uint(*it);
  if (!value) {
    *error = std::string("field \"") + key + "\" must be a non-negative integer, got " + it->dump();
    return false;
  }
  *out = *value;
  return true;
}

// 128-bit unsigned integers as decimal text, and back (nullopt unless only digits that fit).
std::string uint128_text(Uint128 v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

std::optional<Uint128> parse_uint128(const std::string& text) {
  if (text.empty() || text.size() > 39) return std::nullopt;
  Uint128 v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(v, 10, &v) ||
        __builtin_add_overflow(v, static_cast<unsigned>(c - '0'), &v)) {
      return std::nullopt;
    }
  }
  return v;
}

}  // namespace

Histogram::Histogram(const Histogram& other)
    : count_(other.count_),
      min_(other.min_),
      max_(other.max_),
      sum_(other.sum_),
      sum_squares_(other.sum_squares_) {
  for (std::size_t b = 0; b < kBlocks; ++b) {
    if (other.blocks_[b]) blocks_[b] = std::make_unique<Block>(*other.blocks_[b]);
  }
}

Histogram& Histogram::operator=(const Histogram& other) {
  if (this != &other) *this = Histogram(other);
  return *this;
}

Histogram::Block& Histogram::allocate_block(std::size_t b) {
  blocks_[b] = std::make_unique<Block>();  // value-initialized: all zero
  return *blocks_[b];
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;  // also keeps an empty source from allocating blocks here
  for (std::size_t b = 0; b < kBlocks; ++b) {
    if (!other.blocks_[b]) continue;
    Block& mine = blocks_[b] ? *blocks_[b] : allocate_block(b);
    const Block& theirs = *other.blocks_[b];
    for (std::size_t i = 0; i < kBlockSize; ++i) mine[i] += theirs[i];
  }
  count_ += other.count_;
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  for (auto& block : blocks_) {
    if (block) block->fill(0);
  }
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
  sum_squares_ = 0;
}

double Histogram::stddev_ns() const {
  if (count_ == 0) return 0.0;
  // In 80-bit long double: E[x^2] - E[x]^2 loses to cancellation only what its 64-bit mantissa
  // cannot hold, under 10^-7 ns for millisecond latencies with nanosecond spread.
  const long double n = count_;
  const long double mean = static_cast<long double>(sum_) / n;
  const long double variance = static_cast<long double>(sum_squares_) / n - mean * mean;
  return variance > 0 ? static_cast<double>(std::sqrt(variance)) : 0.0;
}

std::uint64_t Histogram::bucket_lowest(std::size_t index) {
  index = std::min(index, kBuckets - 1);
  if (index < kExactLimit) return index;
  const std::size_t shift = (index >> kHalfBits) - 1;  // inverse of index_of()
  return static_cast<std::uint64_t>(index - (shift << kHalfBits)) << shift;
}

std::uint64_t Histogram::bucket_highest(std::size_t index) {
  index = std::min(index, kBuckets - 1);
  if (index < kExactLimit) return index;
  const std::size_t shift = (index >> kHalfBits) - 1;
  return bucket_lowest(index) + (std::uint64_t{1} << shift) - 1;
}

std::uint64_t Histogram::percentile_ns(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0)) return min_;  // also maps NaN to the minimum rather than to garbage
  if (p >= 100) return max_;
  // p * count / 100 (not p / 100 * count): exact for the usual p and counts, e.g. 99.9 * 1e5.
  const double wanted = std::ceil(p * static_cast<double>(count_) / 100.0);
  const std::uint64_t rank =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(wanted), 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    if (!blocks_[b]) continue;
    const Block& block = *blocks_[b];
    for (std::size_t i = 0; i < kBlockSize; ++i) {
      seen += block[i];
      if (seen < rank) continue;
      const std::size_t index = b * kBlockSize + i;
      const std::uint64_t low = bucket_lowest(index);
      const std::uint64_t mid = low + (bucket_highest(index) - low) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;  // unreachable while the counters add up to count_
}

// Sums the buckets up to and including the one holding ns, so a bucket straddling ns counts
// entirely (an over-estimate by at most one bucket, i.e. < 0.1 % of ns). Exact when ns is below
// the minimum or at/above the maximum; above kMaxTrackable the top bucket, which also holds
// the larger values, counts entirely.
std::uint64_t Histogram::count_at_or_below(std::uint64_t ns) const {
  if (count_ == 0 || ns < min_) return 0;
  if (ns >= max_) return count_;
  const std::size_t last = bucket_index(ns);
  std::uint64_t total = 0;
  for (std::size_t b = 0; b <= last >> kHalfBits; ++b) {
    if (!blocks_[b]) continue;
    const Block& block = *blocks_[b];
    const std::size_t end = std::min(kBlockSize, last - b * kBlockSize + 1);
    for (std::size_t i = 0; i < end; ++i) total += block[i];
  }
  return total;
}

bool Histogram::operator==(const Histogram& other) const {
  if (count_ != other.count_ || min_ns() != other.min_ns() || max_ != other.max_ ||
      sum_ != other.sum_ || sum_squares_ != other.sum_squares_) {
    return false;
  }
  // A missing block and an allocated all-zero block (after reset()) hold the same counts.
  static const Block kZero{};
  for (std::size_t b = 0; b < kBlocks; ++b) {
    const Block& mine = blocks_[b] ? *blocks_[b] : kZero;
    const Block& theirs = other.blocks_[b] ? *other.blocks_[b] : kZero;
    if (mine != theirs) return false;
  }
  return true;
}

nlohmann::json Histogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  std::size_t previous = 0;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    if (!blocks_[b]) continue;
    const Block& block = *blocks_[b];
    for (std::size_t i = 0; i < kBlockSize; ++i) {
      if (block[i] == 0) continue;
      const std::size_t index = b * kBlockSize + i;
      buckets.push_back(static_cast<std::uint64_t>(index - previous));
      buckets.push_back(block[i]);
      previous = index;
    }
  }
  return nlohmann::json{{"v", kJsonVersion},
                        {"unit", "ns"},
                        {"count", count_},
                        {"min", min_ns()},
                        {"max", max_},
                        {"sum", sum_},
                        {"sumSquares", uint128_text(sum_squares_)},
                        {"buckets", std::move(buckets)}};
}

namespace {

// Checks everything but the counters: the document type, version and unit.
bool check_header(const nlohmann::json& j, std::string* error) {
  if (!j.is_object()) {
    *error = std::string("expected an object, got ") + j.type_name();
    return false;
  }
  std::uint64_t version = 0;
  if (!read_field(j, "v", &version, error)) return false;
  if (version != kJsonVersion) {
    *error = "unsupported version " + std::to_string(version) + " (expected " +
             std::to_string(kJsonVersion) + ")";
    return false;
  }
  const auto unit = j.find("unit");
  if (unit == j.end() || !unit->is_string() || unit->get_ref<const std::string&>() != "ns") {
    *error = "field \"unit\" must be \"ns\"";
    return false;
  }
  return true;
}

}  // namespace

// Strict: unknown fields are ignored (room for additions), but every known one must be present
// and consistent, because the operator reads these documents from remote runners.
std::optional<Histogram> Histogram::from_json(const nlohmann::json& j, std::string* error) {
  std::string ignored;
  std::string& message = error ? *error : ignored;
  try {
    std::optional<Histogram> result = parse_json(j, &message);
    if (!result) message = "invalid histogram JSON: " + message;
    return result;
  } catch (const std::exception& e) {  // not expected: every access is checked first
    message = std::string("invalid histogram JSON: ") + e.what();
    return std::nullopt;
  }
}

std::optional<Histogram> Histogram::parse_json(const nlohmann::json& j, std::string* error) {
  if (!check_header(j, error)) return std::nullopt;
  Histogram h;
  if (!read_field(j, "count", &h.count_, error) || !read_field(j, "min", &h.min_, error) ||
      !read_field(j, "max", &h.max_, error) || !read_field(j, "sum", &h.sum_, error)) {
    return std::nullopt;
  }
  const auto buckets = j.find("buckets");
  if (buckets == j.end() || !buckets->is_array() || buckets->size() % 2 != 0) {
    *error = "field \"buckets\" must be an array of (index delta, count) pairs";
    return std::nullopt;
  }
  if (!h.parse_buckets(*buckets, error)) return std::nullopt;
  if (!h.parse_sum_squares(j, error)) return std::nullopt;
  if (h.count_ == 0) {
    if (h.min_ != 0 || h.max_ != 0 || h.sum_ != 0 || h.sum_squares_ != 0) {
      *error = "an empty histogram must have min, max, sum and sumSquares 0";
      return std::nullopt;
    }
    h.min_ = UINT64_MAX;  // the in-memory "no value yet" marker
  }
  return h;
}

// "sumSquares", a decimal string (JSON numbers stop at 64 bits). Each value lies in its bucket
// and in [min, max], so the buckets' ends bound the sum of squares: a document outside the
// bounds cannot come from its counts. One written before sumSquares existed has none: the
// squares are then taken from the buckets (each value as its bucket's midpoint, within 1/2048
// of it), and only the standard deviation is approximate.
bool Histogram::parse_sum_squares(const nlohmann::json& j, std::string* error) {
  const auto field = j.find("sumSquares");
  if (field == j.end()) {
    for_each_bucket([this](std::uint64_t low, std::uint64_t high, std::uint64_t n) {
      const std::uint64_t mid = std::clamp(low + (high - low) / 2, min_, max_);
      sum_squares_ += static_cast<Uint128>(mid) * mid * n;
    });
    return true;
  }
  const std::optional<Uint128> value =
      field->is_string() ? parse_uint128(field->get_ref<const std::string&>()) : std::nullopt;
  if (!value) {
    *error = "field \"sumSquares\" must be a string of decimal digits under 2^128";
    return false;
  }
  sum_squares_ = *value;
  if (!squares_fit_buckets()) {
    *error = "\"sumSquares\" cannot come from the bucket counts";
    return false;
  }
  return true;
}

bool Histogram::squares_fit_buckets() const {
  Uint128 lowest = 0;
  Uint128 highest = 0;
  bool lowest_overflows = false;
  bool highest_overflows = false;
  const auto add = [](std::uint64_t v, std::uint64_t n, Uint128* total) {
    Uint128 squares = 0;
    return __builtin_mul_overflow(static_cast<Uint128>(v) * v, n, &squares) ||
           __builtin_add_overflow(*total, squares, total);
  };
  for_each_bucket([&](std::uint64_t low, std::uint64_t high, std::uint64_t n) {
    if (bucket_index(high) == kBuckets - 1) high = max_;  // it also holds all above an hour
    lowest_overflows = add(std::max(low, min_), n, &lowest) || lowest_overflows;
    highest_overflows = add(std::min(high, max_), n, &highest) || highest_overflows;
  });
  return !lowest_overflows && sum_squares_ >= lowest &&
         (highest_overflows || sum_squares_ <= highest);
}

// Fills the counters from the flat (delta, count) list and checks them against count/min/max,
// which the caller has already read into this histogram.
bool Histogram::parse_buckets(const nlohmann::json& list, std::string* error) {
  if (list.size() / 2 > kBuckets) {
    *error = "too many buckets";
    return false;
  }
  std::size_t index = 0;
  std::size_t first = 0;
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < list.size(); k += 2) {
    const std::optional<std::uint64_t> index_delta = json_uint(list[k]);
    const std::optional<std::uint64_t> count = json_uint(list[k + 1]);
    const std::string where = "bucket pair " + std::to_string(k / 2) + ": ";
    if (!index_delta || !count || *count == 0) {
      *error = where + "index delta and count must be integers, the count positive";
      return false;
    }
    const std::uint64_t delta = *index_delta;
    const std::uint64_t n = *count;
    if (k > 0 && delta == 0) {
      *error = where + "bucket indices must be strictly increasing";
      return false;
    }
    if (delta >= kBuckets - index) {
      *error = where + "bucket index out of range (max " + std::to_string(kBuckets - 1) + ")";
      return false;
    }
    index += delta;
    if (k == 0) first = index;
    if (__builtin_add_overflow(total, n, &total)) {
      *error = where + "bucket counts overflow";
      return false;
    }
    Block& block = blocks_[index >> kHalfBits] ? *blocks_[index >> kHalfBits]
                                               : allocate_block(index >> kHalfBits);
    block[index & (kBlockSize - 1)] = n;
  }
  return check_totals(total, first, index, error);
}

// The header fields must describe the buckets: same total, min and max inside the first and
// last non-empty buckets (percentiles are clamped to [min, max]).
bool Histogram::check_totals(std::uint64_t total, std::size_t first, std::size_t last,
                             std::string* error) const {
  if (total != count_) {
    *error = "bucket counts add up to " + std::to_string(total) + " but \"count\" is " +
             std::to_string(count_);
    return false;
  }
  if (count_ == 0) return true;
  if (min_ > max_) {
    *error = "\"min\" is greater than \"max\"";
    return false;
  }
  if (bucket_index(min_) != first || bucket_index(max_) != last) {
    *error = "\"min\"/\"max\" do not fall in the first/last non-empty buckets";
    return false;
  }
  return true;
}

}  // namespace stampede
