#include "ldp/core/status.h"

namespace ldp {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kAlreadyExists: return "AlreadyExists";
    case ErrorCode::kNoSuchNamespace: return "NoSuchNamespace";
    case ErrorCode::kNoSuchTable: return "NoSuchTable";
    case ErrorCode::kNamespaceNotEmpty: return "NamespaceNotEmpty";
    case ErrorCode::kCommitFailed: return "CommitFailed";
    case ErrorCode::kCommitStateUnknown: return "CommitStateUnknown";
    case ErrorCode::kIOError: return "IOError";
    case ErrorCode::kUnavailable: return "Unavailable";
    case ErrorCode::kTimeout: return "Timeout";
    case ErrorCode::kNotAuthorized: return "NotAuthorized";
    case ErrorCode::kNotImplemented: return "NotImplemented";
    case ErrorCode::kInternal: return "Internal";
  }
  return "Unknown";
}

bool IsRetryable(ErrorCode code) {
  return code == ErrorCode::kCommitFailed || code == ErrorCode::kUnavailable ||
         code == ErrorCode::kTimeout;
}

Status::Status(ErrorCode code, std::string message) {
  if (code != ErrorCode::kOk) state_ = std::make_shared<State>(State{code, std::move(message)});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return fmt::format("{}: {}", ErrorCodeName(code()), message());
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code(), fmt::format("{}: {}", context, message()));
}

}  // namespace ldp
