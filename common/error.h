// Error and Result<T>: errors that carry an errno and a message, to which each layer prepends
// what it was doing. main() prints the final message once, as one line.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace husk {

class Error {
 public:
  explicit Error(std::string message, int errno_value = 0)
      : message_(std::move(message)), errno_(errno_value) {}

  // An error for a failed system call: captures the current errno.
  static Error from_errno(std::string what) { return Error(std::move(what), errno); }

  // Prepends "what: " to the message, for the caller's context.
  Error&& context(std::string_view what) && {
    message_.insert(0, std::string(what) + ": ");
    return std::move(*this);
  }
  Error& context(std::string_view what) & {
    message_.insert(0, std::string(what) + ": ");
    return *this;
  }

  int errno_value() const { return errno_; }
  const std::string& message() const { return message_; }

  // The message followed by strerror(errno) when there is an errno.
  std::string text() const {
    if (errno_ == 0) return message_;
    return message_ + ": " + std::strerror(errno_);
  }

 private:
  std::string message_;
  int errno_ = 0;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Error& error() & { return std::get<1>(v_); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }

  Error& error() & { return error_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{""};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace husk

// Returns the error of `expr` (a Result) from the enclosing function, with `what` prepended.
#define HUSK_TRY_CTX(expr, what)                                \
  do {                                                          \
    if (auto husk_try_result_ = (expr); !husk_try_result_.ok()) \
      return std::move(husk_try_result_).error().context(what); \
  } while (0)

// Returns the error of `expr` (a Result) from the enclosing function unchanged.
#define HUSK_TRY(expr)                                          \
  do {                                                          \
    if (auto husk_try_result_ = (expr); !husk_try_result_.ok()) \
      return std::move(husk_try_result_).error();               \
  } while (0)
