#include "platform/core/rng.h"

#include <cmath>

namespace roost::core {

double Rng::triangular(double lo, double mode, double hi) {
  if (hi <= lo) return lo;
  const double u = unit();
  const double f = (mode - lo) / (hi - lo);
  if (u < f) return lo + std::sqrt(u * (hi - lo) * (mode - lo));
  return hi - std::sqrt((1 - u) * (hi - lo) * (hi - mode));
}

std::uint64_t Rng::derive(std::uint64_t seed, std::string_view label) {
  // FNV-1a over the label, mixed with the seed through splitmix64's finaliser.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : label) h = (h ^ c) * 0x100000001b3ULL;
  std::uint64_t z = seed ^ h;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace roost::core
