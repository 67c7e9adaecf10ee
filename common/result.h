#pragma once

#include <string>
#include <utility>
#include <variant>

namespace upkeep {

// An error as a value: what went wrong, in words meant for a log line or a JSON body.
struct Error {
  std::string message;
};

// A value or an Error (C++20 has no std::expected). Run-time failures travel as this;
// only start-up and configuration errors throw.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const std::string& error() const { return std::get<Error>(data_).message; }

 private:
  std::variant<T, Error> data_;
};

inline Error MakeError(std::string message) { return Error{std::move(message)}; }

// A result with no value: success or an Error.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace upkeep
