#include "console.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace lkinit {
namespace {
double clock_seconds(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void write_best_effort(int fd, const std::string& s) {
  if (fd < 0) return;
  try {
    lk::write_all(fd, s, "console");
  } catch (...) {
    // A console that cannot be written to has nowhere to report it.
  }
}
}  // namespace

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

Console::Console(std::string tool) : tool_(std::move(tool)), start_(clock_seconds(CLOCK_MONOTONIC)) {}

void Console::attach() {
  lk::Fd con(::open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!con) return;  // keep whatever stdio the kernel gave us
  ::dup2(con.get(), STDOUT_FILENO);
  ::dup2(con.get(), STDERR_FILENO);
  lk::Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null) ::dup2(null.get(), STDIN_FILENO);
}

void Console::open_log(const std::string& path) {
  log_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
}

void Console::line(const std::string& msg) const {
  std::string l = tool_ + ": " + msg + "\n";
  write_best_effort(STDERR_FILENO, l);
  if (log_) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "[%9.3f] ", uptime());
    write_best_effort(log_.get(), stamp + l);
  }
}

void Console::dump(const std::string& name, const std::string& path) const {
  lk::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return;
  constexpr size_t kCap = 16 * 1024;
  std::string text;
  char buf[4096];
  ssize_t n;
  while (text.size() < kCap && (n = ::read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  bool cut = text.size() >= kCap;
  if (cut) text.resize(kCap);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out += name + "| " + text.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  if (cut) out += name + "| ... (rest in " + path + ")\n";
  write_best_effort(STDERR_FILENO, out);
}

double Console::elapsed() const { return clock_seconds(CLOCK_MONOTONIC) - start_; }
double Console::uptime() { return clock_seconds(CLOCK_BOOTTIME); }

}  // namespace lkinit
