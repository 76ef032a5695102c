// What every FM operation answers: a value, or an error whose code says how the caller should react
// (the REST layer maps InvalidArgument to 400, NotFound to 404, StoreFailed to 500) and whose message
// names what was wrong.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace roost::fm {

enum class ErrorCode : std::uint8_t {
  InvalidArgument = 1,  // the request itself is wrong: unknown alarm id, severity not allowed, bad filter...
  NotFound = 2,         // no alarm / event / suppression row with that uuid
  StoreFailed = 3,      // the change could not be made durable (disk full, I/O error); nothing of it is kept
};

constexpr std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::StoreFailed: return "store-failed";
  }
  return "?";
}

struct Error {
  ErrorCode code = ErrorCode::InvalidArgument;
  std::string message;
};

inline Error invalid_argument(std::string m) { return Error{ErrorCode::InvalidArgument, std::move(m)}; }
inline Error not_found(std::string m) { return Error{ErrorCode::NotFound, std::move(m)}; }
inline Error store_failed(std::string m) { return Error{ErrorCode::StoreFailed, std::move(m)}; }

template <class T>
class Outcome {
 public:
  Outcome(T v) : v_(std::in_place_index<0>, std::move(v)) {}
  Outcome(Error e) : v_(std::in_place_index<1>, std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() {
    assert(ok());
    return std::get<0>(v_);
  }
  const T* operator->() const { return &value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

}  // namespace roost::fm
