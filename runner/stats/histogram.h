#pragma once
// A log-linear (HDR-style) histogram of durations in nanoseconds.
//
// Precision: values below 2048 ns are exact; above, every bucket spans at most 1/1024 of its
// value (better than 3 significant digits) up to kMaxTrackable (one hour); larger values are
// counted in the top bucket while min/max/sum and the sum of squares stay exact. Counters are
// allocated lazily per octave, so a histogram costs a few KiB for the ranges latencies really use.
//
// Histograms merge bucket by bucket (threads, runners, the operator): merging gives exactly the
// histogram of the union of the samples. record() is allocation-free except for the first
// value in a new octave; it is meant for one thread (no atomics).
//
// Layout: bucket i < 2048 holds exactly the value i. Above, octave k >= 1 covers
// [1024 * 2^k, 2048 * 2^k) with 1024 buckets of width 2^k, so a value v >= 2048 with
// s = floor(log2(v)) - 10 lives in bucket s * 1024 + (v >> s). Counters live in blocks of 1024
// (block 0 and 1: the exact values, block k + 1: octave k), allocated the first time a value
// lands in them.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace stampede {

// 128 bits for sums of squared nanoseconds, which outgrow 64 (GCC and Clang; __extension__ keeps
// -Wpedantic quiet about a type ISO C++ lacks).
__extension__ typedef unsigned __int128 Uint128;  // NOLINT(modernize-use-using)

namespace histogram_internal {

// The layout of Histogram::bucket_index(), constexpr so that it can also size the block table.
// Branch- and loop-free: the hot path of every request.
constexpr std::size_t bucket_index(std::uint64_t ns, std::uint64_t max_trackable,
                                   int sub_bucket_bits) {
  ns = std::min(ns, max_trackable);
  const int half_bits = sub_bucket_bits - 1;
  // 0 below 2^sub_bucket_bits (exact values); otherwise floor(log2(ns)) - half_bits, the log2 of
  // the bucket width. Or-ing in the exact range's bits keeps clz defined for ns == 0.
  const std::uint64_t exact_mask = (std::uint64_t{1} << sub_bucket_bits) - 1;
  const int shift = 63 - half_bits - __builtin_clzll(ns | exact_mask);
  return (static_cast<std::size_t>(shift) << half_bits) + (ns >> shift);
}

}  // namespace histogram_internal

class Histogram {
 public:
  static constexpr int kSubBucketBits = 11;                          // 2048 linear sub-buckets
  static constexpr std::uint64_t kMaxTrackable = 3'600'000'000'000;  // 1 h in ns

  Histogram() = default;
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);
  Histogram(Histogram&&) noexcept = default;
  Histogram& operator=(Histogram&&) noexcept = default;
  ~Histogram() = default;

  void record(std::chrono::nanoseconds value) { record_ns(value.count() < 0 ? 0 : value.count()); }
  // Records `count` occurrences of `ns` (count 0 is a no-op). sum_ns() wraps after 2^64 ns
  // (584 years of summed latency), the sum of squares after 2^128 ns^2 (10^13 values of an hour).
  void record_ns(std::uint64_t ns, std::uint64_t count = 1);

  void merge(const Histogram& other);
  // Forgets every value but keeps the allocated blocks (zeroed), so a histogram reused per
  // reporting interval does not allocate again on the hot path.
  void reset();

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::uint64_t min_ns() const { return count_ ? min_ : 0; }
  std::uint64_t max_ns() const { return max_; }
  std::uint64_t sum_ns() const { return sum_; }
  double mean_ns() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
  }
  // The population standard deviation, from the exact sums (so it merges exactly, as the mean
  // does); 0 for an empty histogram.
  double stddev_ns() const;
  // Nearest-rank percentile, p in [0, 100]: the smallest recorded value v such that at least
  // p % of the values are <= v, reported as its bucket's midpoint clamped to [min, max].
  // 0 for an empty histogram.
  std::uint64_t percentile_ns(double p) const;
  // Seconds helpers for reports and thresholds.
  double percentile_seconds(double p) const { return static_cast<double>(percentile_ns(p)) * 1e-9; }
  // How many recorded values are <= ns (for cumulative Prometheus buckets); exact at bucket
  // boundaries, otherwise counts the whole bucket containing ns.
  std::uint64_t count_at_or_below(std::uint64_t ns) const;

  // Calls f(lowest_ns, highest_ns, count) for every non-empty bucket in ascending order.
  // The top bucket also holds the values above kMaxTrackable (see max_ns() for the largest).
  template <class F>
  void for_each_bucket(F&& f) const;

  // Compact, exact serialization (sparse buckets). from_json returns nullopt and sets *error
  // when the document is not a histogram of this layout.
  nlohmann::json to_json() const;
  static std::optional<Histogram> from_json(const nlohmann::json& j, std::string* error);

  bool operator==(const Histogram& other) const;

  // Bucket layout, exposed for tests and for iteration. Valid indices are
  // 0..bucket_index(kMaxTrackable); larger ones are treated as the top bucket.
  static std::size_t bucket_index(std::uint64_t ns);
  static std::uint64_t bucket_lowest(std::size_t index);
  static std::uint64_t bucket_highest(std::size_t index);

 private:
  static constexpr int kHalfBits = kSubBucketBits - 1;
  static constexpr std::size_t kBlockSize = std::size_t{1} << kHalfBits;  // counters per octave
  static constexpr std::size_t kExactLimit = std::size_t{1} << kSubBucketBits;  // 2048
  static constexpr std::size_t index_of(std::uint64_t ns) {
    return histogram_internal::bucket_index(ns, kMaxTrackable, kSubBucketBits);
  }
  static constexpr std::size_t kBuckets =
      histogram_internal::bucket_index(kMaxTrackable, kMaxTrackable, kSubBucketBits) + 1;
  static constexpr std::size_t kBlocks = (kBuckets + kBlockSize - 1) / kBlockSize;  // 33
  using Block = std::array<std::uint64_t, kBlockSize>;

  // Allocates (zeroed) block b; the cold half of record_ns().
  Block& allocate_block(std::size_t b);
  // from_json() without the error prefix; the helpers below check one part each.
  static std::optional<Histogram> parse_json(const nlohmann::json& j, std::string* error);
  bool parse_buckets(const nlohmann::json& list, std::string* error);
  bool parse_sum_squares(const nlohmann::json& j, std::string* error);
  bool squares_fit_buckets() const;
  bool check_totals(std::uint64_t total, std::size_t first, std::size_t last,
                    std::string* error) const;

  std::array<std::unique_ptr<Block>, kBlocks> blocks_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
  Uint128 sum_squares_ = 0;  // of the values in ns: ns^2 needs more than 64 bits
};

inline std::size_t Histogram::bucket_index(std::uint64_t ns) {
  return index_of(ns);
}

inline void Histogram::record_ns(std::uint64_t ns, std::uint64_t count) {
  if (count == 0) return;  // keeps min/max meaningful: they only ever describe counted values
  const std::size_t index = index_of(ns);
  const std::unique_ptr<Block>& block = blocks_[index >> kHalfBits];
  Block& counters = block ? *block : allocate_block(index >> kHalfBits);
  counters[index & (kBlockSize - 1)] += count;
  count_ += count;
  sum_ += ns * count;
  sum_squares_ += static_cast<Uint128>(ns) * ns * count;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
}

template <class F>
void Histogram::for_each_bucket(F&& f) const {
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    if (!blocks_[b]) continue;
    const Block& block = *blocks_[b];
    const std::size_t first = b * kBlockSize;
    for (std::size_t i = 0; i < block.size(); ++i) {
      if (block[i] == 0) continue;
      std::size_t index = first + i;
      f(bucket_lowest(index), bucket_highest(index), block[i]);
    }
  }
}

}  // namespace stampede
