#include "base/progress.h"

#include <unistd.h>

#include <cstdio>

#include "base/fs.h"

namespace lk {

std::string human_bytes(int64_t n) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Progress::Progress(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {
  started_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { clear(); }

void Progress::start(const std::string& id, const std::string& label, int64_t total, int64_t done) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(mu_);
  active_[id] = Item{label, total, done};
  total_ += total;
  done_ += done;
  start_done_ += done;  // resumed bytes do not count toward the rate
  ++items_;
  draw_locked(false);
}

void Progress::advance(const std::string& id, int64_t bytes) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(mu_);
  auto it = active_.find(id);
  if (it == active_.end()) return;
  it->second.done += bytes;
  done_ += bytes;
  draw_locked(false);
}

void Progress::set(const std::string& id, int64_t done) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(mu_);
  auto it = active_.find(id);
  if (it == active_.end()) return;
  done_ += done - it->second.done;
  it->second.done = done;
  draw_locked(false);
}

void Progress::finish(const std::string& id) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(mu_);
  auto it = active_.find(id);
  if (it == active_.end()) return;
  done_ += it->second.total - it->second.done;
  active_.erase(it);
  ++finished_items_;
  draw_locked(true);
}

void Progress::clear() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(mu_);
  erase_locked();
}

void Progress::erase_locked() {
  std::string s;
  for (int i = 0; i < lines_; ++i) s += "\x1b[1A\x1b[2K";
  lines_ = 0;
  try {
    write_all(STDERR_FILENO, s, "stderr");
  } catch (...) {
    // A display that cannot be drawn is not worth failing a pull for.
  }
}

void Progress::draw_locked(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::string s;
  for (int i = 0; i < lines_; ++i) s += "\x1b[1A\x1b[2K";
  lines_ = 0;
  int shown = 0;
  for (const auto& [id, it] : active_) {
    if (++shown > 8) break;
    s += "  " + it.label + "  " + human_bytes(it.done) + " / " + human_bytes(it.total) + "\n";
    ++lines_;
  }
  double secs = std::chrono::duration<double>(now - started_).count();
  double rate = secs > 0 ? static_cast<double>(done_ - start_done_) / secs : 0;
  s += "  total " + human_bytes(done_) + " / " + human_bytes(total_) + "  " + human_bytes(static_cast<int64_t>(rate)) +
       "/s  " + std::to_string(finished_items_) + "/" + std::to_string(items_) + " blobs\n";
  ++lines_;
  try {
    write_all(STDERR_FILENO, s, "stderr");
  } catch (...) {}
}

}  // namespace lk
