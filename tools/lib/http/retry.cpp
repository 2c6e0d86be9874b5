#include "http/retry.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "http/transport.h"

namespace lk::http {

bool is_retryable_status(long status) { return status == 408 || status == 429 || (status >= 500 && status <= 599); }

bool is_retryable(const std::exception& e) {
  if (dynamic_cast<const TransientError*>(&e)) return true;
  auto* h = dynamic_cast<const HttpError*>(&e);
  return h && is_retryable_status(h->status);
}

long parse_retry_after(const std::string& value) {
  long secs = -1;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec != std::errc() || p != value.data() + value.size() || secs < 0) return -1;
  return secs;
}

std::chrono::milliseconds Backoff::delay(int attempt) const {
  using std::chrono::milliseconds;
  long long base = policy_.first_delay.count();
  for (int i = 1; i < attempt && base < policy_.max_delay.count(); ++i) base *= 2;
  base = std::min<long long>(base, policy_.max_delay.count());
  long long jitter = base / 4 ? static_cast<long long>(rng_() % static_cast<unsigned long long>(base / 4 + 1)) : 0;
  return milliseconds(std::min<long long>(base + jitter, policy_.max_delay.count()));
}

bool Backoff::next(std::chrono::milliseconds hint) {
  if (attempts_ >= policy_.max_attempts) return false;
  auto wait = std::max(delay(attempts_), std::min(hint, policy_.max_delay));
  ++attempts_;
  std::this_thread::sleep_for(wait);
  return true;
}

}  // namespace lk::http
