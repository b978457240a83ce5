#include "engine/weighted_picker.h"

#include <numeric>

namespace stampede {

WeightedPicker::WeightedPicker(std::vector<double> weights)
    : weights_(std::move(weights)),
      current_(weights_.size(), 0.0),
      total_(std::accumulate(weights_.begin(), weights_.end(), 0.0)) {}

std::size_t WeightedPicker::pick() {
  if (weights_.size() <= 1) return 0;
  std::size_t best = 0;
  for (std::size_t i = 0; i < weights_.size(); ++i) {
    current_[i] += weights_[i];
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total_;
  return best;
}

}  // namespace stampede
