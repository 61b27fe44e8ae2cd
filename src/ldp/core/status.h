#pragma once
// Status and Result<T> (public: ldp/status.h) plus what code inside ldp uses with them: error
// factories with fmt-style messages and the LDP_RETURN_NOT_OK / LDP_ASSIGN_OR_RAISE macros.

#include <fmt/format.h>

#include "ldp/status.h"

namespace ldp {

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
