#pragma once
// Picks among weighted choices with smooth weighted round-robin: every window of picks follows
// the weights as closely as integers allow (a 3:1 mix over 8 picks is exactly 6:2), and picks of
// one choice are spread out rather than bunched.

#include <cstddef>
#include <vector>

namespace stampede {

class WeightedPicker {
 public:
  explicit WeightedPicker(std::vector<double> weights);
  std::size_t pick();
  std::size_t size() const { return weights_.size(); }

 private:
  std::vector<double> weights_;
  std::vector<double> current_;
  double total_ = 0;
};

}  // namespace stampede
