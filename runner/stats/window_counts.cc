#include "stats/window_counts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "stats/json_count.h"

namespace stampede {
namespace {

using Slots = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// Slot widths are kFinestSlotNs * 2^k; beyond 2^40 us (12 days) a document is not ours.
constexpr int kMaxWidthShift = 40;

bool valid_width(std::uint64_t slot_ns) {
  if (slot_ns < WindowCounts::kFinestSlotNs || slot_ns % WindowCounts::kFinestSlotNs != 0) {
    return false;
  }
  const std::uint64_t factor = slot_ns / WindowCounts::kFinestSlotNs;
  return (factor & (factor - 1)) == 0 && factor <= (std::uint64_t{1} << kMaxWidthShift);
}

// Both sorted by slot; the result sorted, equal slots added.
Slots merge_sorted(const Slots& a, const Slots& b) {
  Slots out;
  out.reserve(a.size() + b.size());
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) {
      out.push_back(*i++);
    } else if (i == a.end() || j->first < i->first) {
      out.push_back(*j++);
    } else {
      out.emplace_back(i->first, i->second + j->second);
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace

void WindowCounts::add(std::uint64_t ns, std::uint64_t count) {
  if (count == 0) return;
  const std::uint64_t slot = ns / slot_ns_;
  total_ += count;
  if (slots_.empty() || slot > slots_.back().first) {
    slots_.emplace_back(slot, count);
  } else if (slot == slots_.back().first) {
    slots_.back().second += count;
  } else {
    // Out of order (a request sent before another completed after it): near the end, so the
    // insertion moves few pairs.
    const auto at =
        std::lower_bound(slots_.begin(), slots_.end(), slot,
                         [](const auto& pair, std::uint64_t s) { return pair.first < s; });
    if (at->first == slot) {
      at->second += count;
    } else {
      slots_.insert(at, {slot, count});
    }
  }
  if (slots_.size() > kMaxSlots) fit();
}

void WindowCounts::merge(const WindowCounts& other) {
  if (other.empty()) return;
  if (other.slot_ns_ > slot_ns_) coarsen(other.slot_ns_ / slot_ns_);
  if (other.slot_ns_ < slot_ns_) {
    WindowCounts wider = other;
    wider.coarsen(slot_ns_ / other.slot_ns_);
    slots_ = merge_sorted(slots_, wider.slots_);
  } else if (slots_.empty() || other.slots_.front().first > slots_.back().first) {
    // The engine's case: each second's sends come after the ones before.
    slots_.insert(slots_.end(), other.slots_.begin(), other.slots_.end());
  } else {
    slots_ = merge_sorted(slots_, other.slots_);
  }
  total_ += other.total_;
  fit();
}

std::uint64_t WindowCounts::max_in_window(std::uint64_t window_ns) const {
  const std::uint64_t width = std::max<std::uint64_t>(1, (window_ns + slot_ns_ - 1) / slot_ns_);
  // The busiest window can always slide until it ends at a non-empty slot: try each one as the
  // window's last slot, with the first slot still inside it.
  std::uint64_t best = 0;
  std::uint64_t inside = 0;
  std::size_t first = 0;
  for (const auto& [slot, count] : slots_) {
    inside += count;
    while (slots_[first].first + width <= slot) inside -= slots_[first++].second;
    best = std::max(best, inside);
  }
  return best;
}

void WindowCounts::coarsen(std::uint64_t factor) {
  if (factor <= 1) return;
  Slots wider;
  wider.reserve(slots_.size());
  for (const auto& [slot, count] : slots_) {
    const std::uint64_t index = slot / factor;
    if (!wider.empty() && wider.back().first == index) {
      wider.back().second += count;
    } else {
      wider.emplace_back(index, count);
    }
  }
  slots_ = std::move(wider);
  slot_ns_ *= factor;
}

void WindowCounts::fit() {
  while (slots_.size() > kMaxSlots) coarsen(2);
}

nlohmann::json WindowCounts::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  std::uint64_t previous = 0;
  for (const auto& [slot, count] : slots_) {
    list.push_back(slot - previous);
    list.push_back(count);
    previous = slot;
  }
  return {{"slot_ns", slot_ns_}, {"slots", std::move(list)}};
}

std::optional<WindowCounts> WindowCounts::from_json(const nlohmann::json& j, std::string* error) {
  const auto fail = [&](const std::string& why) -> std::optional<WindowCounts> {
    if (error != nullptr) *error = "invalid window counts: " + why;
    return std::nullopt;
  };
  if (!j.is_object()) return fail("expected an object");
  const auto width = j.find("slot_ns");
  const std::optional<std::uint64_t> slot_ns = width == j.end() ? std::nullopt : json_uint(*width);
  if (!slot_ns || !valid_width(*slot_ns)) {
    return fail("\"slot_ns\" must be 1000 ns times a power of two");
  }
  const auto list = j.find("slots");
  if (list == j.end() || !list->is_array() || list->size() % 2 != 0) {
    return fail("\"slots\" must be an array of (index delta, count) pairs");
  }
  if (list->size() / 2 > kMaxSlots)
    return fail("more than " + std::to_string(kMaxSlots) + " slots");
  WindowCounts w;
  w.slot_ns_ = *slot_ns;
  std::uint64_t index = 0;
  for (std::size_t k = 0; k < list->size(); k += 2) {
    const std::optional<std::uint64_t> delta = json_uint((*list)[k]);
    const std::optional<std::uint64_t> count = json_uint((*list)[k + 1]);
    const std::string where = "pair " + std::to_string(k / 2) + ": ";
    if (!delta || !count || *count == 0) return fail(where + "whole numbers, the count positive");
    if (k > 0 && *delta == 0) return fail(where + "slot indices must be strictly increasing");
    if (__builtin_add_overflow(index, *delta, &index) ||
        __builtin_add_overflow(w.total_, *count, &w.total_)) {
      return fail(where + "out of range");
    }
    w.slots_.emplace_back(index, *count);
  }
  return w;
}

}  // namespace stampede
