#pragma once
// Runs a job per item on up to JOBS threads, each thread with its own transport from
// CONNECT (libcurl handles are not shared). Every item runs even when others fail, so
// that a pull reports all its missing images at once; the errors come back in item order.
#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "http/transport.h"

namespace lk::pull {

struct JobErrors {
  std::vector<std::string> messages;
  bool input = false;  // any of them an InputError
  // Throws one error holding every message (one per line), if there were any.
  void rethrow() const {
    if (messages.empty()) return;
    std::string all;
    for (const auto& m : messages) all += (all.empty() ? "" : "\n") + m;
    if (input) throw InputError(all);
    throw RuntimeError(all);
  }
};

inline JobErrors parallel_jobs(size_t count, int jobs, const http::Connector& connect,
                               const std::function<void(size_t, http::Transport&)>& fn) {
  std::vector<std::string> errors(count);
  std::vector<char> input(count, 0);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::unique_ptr<http::Transport> client;
    for (size_t i; (i = next++) < count;) {
      try {
        if (!client) client = connect();
        fn(i, *client);
      } catch (const InputError& e) {
        errors[i] = e.what();
        input[i] = 1;
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    }
  };
  size_t n = std::min<size_t>(count, static_cast<size_t>(std::max(1, jobs)));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  JobErrors out;
  for (size_t i = 0; i < count; ++i)
    if (!errors[i].empty()) {
      out.messages.push_back(errors[i]);
      out.input = out.input || input[i];
    }
  return out;
}

}  // namespace lk::pull
