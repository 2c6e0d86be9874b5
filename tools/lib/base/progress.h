#pragma once
// A live transfer display on a terminal: one line per active item (bytes done of its
// size) and a total line with the rate. Thread-safe; redraws at most ten times a
// second. Disabled (every call a no-op) when stderr is not a terminal, so pipes and
// logs get nothing but errors.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace lk {

class Progress {
public:
  // ENABLED false turns it off; on, it still checks that stderr is a terminal.
  explicit Progress(bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  void start(const std::string& id, const std::string& label, int64_t total, int64_t done = 0);
  void advance(const std::string& id, int64_t bytes);
  void set(const std::string& id, int64_t done);
  void finish(const std::string& id);
  void clear();  // erase the display (before printing something else)

private:
  struct Item {
    std::string label;
    int64_t total = 0, done = 0;
  };
  void draw_locked(bool force);
  void erase_locked();

  bool enabled_;
  std::mutex mu_;
  std::map<std::string, Item> active_;
  int64_t total_ = 0, done_ = 0, finished_items_ = 0, items_ = 0;
  int64_t start_done_ = 0;
  int lines_ = 0;
  std::chrono::steady_clock::time_point started_, last_draw_;
};

// "12.3 MB" style sizes (decimal units, as registries and Docker show them).
std::string human_bytes(int64_t n);

}  // namespace lk
