#pragma once
// Status and Result<T>: how ldp reports expected failures, in the library's public API and inside
// it alike. g++ 12 in C++20 mode has no std::expected, so ldp carries this small pair (shaped after
// Arrow's and iceberg-cpp's). This header depends on the standard library only.
//
// Thread-safety: values; safe to copy between threads.

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ldp {

/// The kinds of failure. Whether an error is worth retrying follows from its code alone.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     ///< bad user input: a flag, a file's content, SQL
  kNotFound,            ///< a file or other named thing is missing
  kAlreadyExists,
  kNoSuchNamespace,
  kNoSuchTable,
  kNamespaceNotEmpty,
  kCommitFailed,        ///< a compare-and-swap lost; reload and retry
  kCommitStateUnknown,  ///< the commit may or may not have happened
  kIOError,
  kUnavailable,         ///< a service is down or busy (retryable)
  kTimeout,
  kNotAuthorized,
  kNotImplemented,
  kInternal,
};

/// Short stable name of a code ("InvalidArgument").
std::string_view ErrorCodeName(ErrorCode code);

/// True for codes where trying again may succeed.
bool IsRetryable(ErrorCode code);

/// OK or an error code with a message. OK costs one null pointer.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message);

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  ErrorCode code() const { return state_ ? state_->code : ErrorCode::kOk; }
  const std::string& message() const;

  /// "NoSuchTable: table nyc.trips does not exist" (or "OK").
  std::string ToString() const;

  /// Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    ErrorCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;
};

/// A value or an error Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  Status status() && { return ok() ? Status() : std::move(std::get<Status>(v_)); }

  /// REQUIRES: ok()
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::move(std::get<T>(v_)); }
  T ValueOr(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ldp
