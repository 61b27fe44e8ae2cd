#pragma once
// Status and Result<T>: how every module reports expected failures. g++ 12 in C++20 mode has no
// std::expected, so ldp carries this small pair (shaped after Arrow's and iceberg-cpp's).
//
// Thread-safety: values; safe to copy between threads.

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

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

template <typename... Args>
Status MakeError(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {
  return Status(code, fmt::format(f, std::forward<Args>(args)...));
}
#define LDP_DEFINE_ERROR_FACTORY(Name)                                      \
  template <typename... Args>                                               \
  Status Name(fmt::format_string<Args...> f, Args&&... args) {              \
    return Status(ErrorCode::k##Name, fmt::format(f, std::forward<Args>(args)...)); \
  }
LDP_DEFINE_ERROR_FACTORY(InvalidArgument)
LDP_DEFINE_ERROR_FACTORY(NotFound)
LDP_DEFINE_ERROR_FACTORY(AlreadyExists)
LDP_DEFINE_ERROR_FACTORY(NoSuchNamespace)
LDP_DEFINE_ERROR_FACTORY(NoSuchTable)
LDP_DEFINE_ERROR_FACTORY(NamespaceNotEmpty)
LDP_DEFINE_ERROR_FACTORY(CommitFailed)
LDP_DEFINE_ERROR_FACTORY(CommitStateUnknown)
LDP_DEFINE_ERROR_FACTORY(IOError)
LDP_DEFINE_ERROR_FACTORY(Unavailable)
LDP_DEFINE_ERROR_FACTORY(Timeout)
LDP_DEFINE_ERROR_FACTORY(NotAuthorized)
LDP_DEFINE_ERROR_FACTORY(NotImplemented)
LDP_DEFINE_ERROR_FACTORY(Internal)
#undef LDP_DEFINE_ERROR_FACTORY

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

namespace internal {
inline Status ToStatus(const Status& s) { return s; }
inline Status ToStatus(Status&& s) { return std::move(s); }
template <typename T>
Status ToStatus(const Result<T>& r) { return r.status(); }
template <typename T>
Status ToStatus(Result<T>&& r) { return std::move(r).status(); }
}  // namespace internal

}  // namespace ldp

#define LDP_CONCAT_INNER(a, b) a##b
#define LDP_CONCAT(a, b) LDP_CONCAT_INNER(a, b)

/// Returns the Status of `expr` from the enclosing function when it is an error.
#define LDP_RETURN_NOT_OK(expr)                                 \
  do {                                                          \
    auto&& _ldp_st = (expr);                                    \
    if (!_ldp_st.ok()) return ::ldp::internal::ToStatus(std::move(_ldp_st)); \
  } while (0)

/// Like LDP_RETURN_NOT_OK, adding "context: " in front of the message.
#define LDP_RETURN_NOT_OK_CTX(expr, ...)                                               \
  do {                                                                                 \
    auto&& _ldp_st = (expr);                                                           \
    if (!_ldp_st.ok())                                                                 \
      return ::ldp::internal::ToStatus(std::move(_ldp_st)).WithContext(fmt::format(__VA_ARGS__)); \
  } while (0)

#define LDP_ASSIGN_OR_RAISE_IMPL(tmp, lhs, rexpr)       \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = std::move(tmp).value()

/// `LDP_ASSIGN_OR_RAISE(auto x, MakeX());` declares x from a Result or returns its error.
#define LDP_ASSIGN_OR_RAISE(lhs, rexpr) \
  LDP_ASSIGN_OR_RAISE_IMPL(LDP_CONCAT(_ldp_r_, __COUNTER__), lhs, rexpr)
