#pragma once
// The per-second series of the result so far as JSON text, made without building the series as a
// JSON document each second: a completed second never changes, so its text is made once and
// kept once, in chunks that never change again and are shared with the threads that serve it.
// What the live feed serves to the operator every poll of a day-long run (86,400 points).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stats/result.h"

namespace stampede {

// Points' JSON texts, comma-separated within a chunk; chunks in order.
using SeriesChunks = std::vector<std::shared_ptr<const std::string>>;

class SeriesText {
 public:
  // Serializes the points of `series` not yet kept. `series` is the same run's points so far:
  // it grows between calls; a shorter one, or one whose last kept point changed, starts over.
  void update(const std::vector<TimeSeriesPoint>& series);
  // The text so far: the full chunks as kept, then a copy of the open one.
  SeriesChunks chunks() const;
  void reset();

 private:
  // A chunk is closed once it holds this much: the open one is copied at each chunks() call.
  static constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

  SeriesChunks closed_;
  std::string open_;
  std::size_t points_ = 0;
  double last_t_ = 0;  // the last kept point's t, to tell a new run from the same one
};

// The text of a JSON object: `head` (an object's text, without "series") with "series": the
// points of `chunks` added.
std::string with_series(std::string_view head, const SeriesChunks& chunks);

}  // namespace stampede
