#pragma once
// Clock: where the orchestrator gets the time and waits, injectable so that schedules, retries
// and back-off are tested with a fake clock instead of sleeps.
//
// Thread-safety: implementations are thread-safe.

#include <chrono>
#include <cstdint>
#include <thread>

namespace ldp {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Seconds since the Unix epoch (UTC), with sub-second precision.
  virtual double Now() const = 0;
  /// Waits `seconds` (a fake clock advances instead).
  virtual void SleepFor(double seconds) = 0;
};

/// The real wall clock.
class SystemClock final : public Clock {
 public:
  double Now() const override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  void SleepFor(double seconds) override {
    if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
};

}  // namespace ldp
