#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace upkeep {

// An error as a value: what went wrong, in words meant for a log line or a JSON body.
struct Error {
  std::string message;
};

// A value or an error (C++20 has no std::expected). Run-time failures travel as this; only
// start-up and configuration errors throw. The error is an Error (a message) unless a caller
// needs more, e.g. a kind to map to a JSON error code: Result<T, CheckError>.
template <typename T, typename E = Error>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // For a plain Error its message; otherwise the error itself.
  decltype(auto) error() const {
    if constexpr (std::is_same_v<E, Error>) {
      return (std::get<E>(data_).message);
    } else {
      return (std::get<E>(data_));
    }
  }

 private:
  std::variant<T, E> data_;
};

inline Error MakeError(std::string message) { return Error{std::move(message)}; }

// A result with no value: success or an Error.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace upkeep
