#pragma once
// Bounded exponential backoff for network calls: which failures are worth another
// try, and how long to wait before it. Callers own the loop, so each can decide what
// "failed" means (an HTTP status, a dropped connection, a not-yet-done operation).
#include <chrono>
#include <exception>
#include <random>
#include <string>

namespace lk::http {

struct RetryPolicy {
  int max_attempts = 6;  // first try included
  std::chrono::milliseconds first_delay{500};
  std::chrono::milliseconds max_delay{30000};
};

// 408, 429 and every 5xx: the server says "not now", not "never".
bool is_retryable_status(long status);

// Whether another try may cure E: a TransientError, or an HttpError with a retryable
// status. Anything else (PermanentError, a refusal, a malformed answer) would repeat.
bool is_retryable(const std::exception& e);

// Seconds from a Retry-After header (delta-seconds form only); -1 when absent or unparsable.
long parse_retry_after(const std::string& value);

class Backoff {
public:
  explicit Backoff(RetryPolicy policy) : policy_(policy) {}

  // Call after a failed attempt: false when the attempts are used up; otherwise
  // sleeps (HINT, e.g. from Retry-After, when longer than the computed delay, but
  // never above max_delay) and returns true.
  bool next(std::chrono::milliseconds hint = std::chrono::milliseconds(0));

  // The wait before retry number ATTEMPT (1-based): first_delay doubling, capped,
  // with up to 25% jitter so that many clients do not retry in step.
  std::chrono::milliseconds delay(int attempt) const;
  int attempts() const { return attempts_; }

private:
  RetryPolicy policy_;
  int attempts_ = 1;
  mutable std::minstd_rand rng_{std::random_device{}()};
};

}  // namespace lk::http
