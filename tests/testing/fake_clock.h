#pragma once
// A Clock for tests: time moves only when the test (or a SleepFor call) advances it, and every
// sleep is recorded.

#include <mutex>
#include <vector>

#include "ldp/core/clock.h"

namespace ldp::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(double now = 1700000000) : now_(now) {}
  double Now() const override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  void SleepFor(double seconds) override {
    std::lock_guard<std::mutex> l(mu_);
    sleeps_.push_back(seconds);
    now_ += seconds;
  }
  void Advance(double seconds) {
    std::lock_guard<std::mutex> l(mu_);
    now_ += seconds;
  }
  std::vector<double> sleeps() const {
    std::lock_guard<std::mutex> l(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  double now_;
  std::vector<double> sleeps_;
};

}  // namespace ldp::testing
