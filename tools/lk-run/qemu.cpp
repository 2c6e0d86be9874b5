// lk-run qemu: boot a built system locally, as `linuxkit run qemu` does.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "base/tool_main.h"
#include "boot/kernel.h"
#include "data.h"
#include "qemu/command.h"
#include "qemu/qmp.h"
#include "subcommands.h"

namespace lk::run {

namespace {

namespace fs = std::filesystem;
using qemu::ArtifactKind;

// KVM only when it really works: here /dev/kvm can exist without vmx/svm (a
// paravirtual module), and guests then hang instead of failing.
bool kvm_usable() {
  if (::access("/dev/kvm", R_OK | W_OK) != 0) return false;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0)
      return line.find(" vmx") != std::string::npos || line.find(" svm") != std::string::npos;
  return false;
}

std::string trimmed_file(const std::string& path) { return path_exists(path) ? trim_end(read_file(path)) : ""; }

// ARG as a shell reads it back, so that a printed command line can be pasted.
std::string shell_word(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                            "@%+=:,./_-") == std::string::npos)
    return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Asks the guest to power off (ACPI), then insists: quit, TERM, KILL.
int shut_down(Child& vm, const std::string& qmp_socket, double grace, const Log& log) {
  qemu::QmpSession qmp(qmp_socket);
  if (qmp.execute("system_powerdown")) {
    int s = vm.wait_for(grace);
    if (s >= 0) return s;
    log.warn("the guest did not power off within " + std::to_string(static_cast<int>(grace)) + " s; stopping qemu");
  }
  if (qmp.execute("quit"))
    if (int s = vm.wait_for(5); s >= 0) return s;
  vm.signal(SIGTERM);
  if (int s = vm.wait_for(5); s >= 0) return s;
  vm.signal(SIGKILL);
  return vm.wait();
}

// A detached VM is reported started only once qemu answers on its QMP socket (its
// console file exists by then): a qemu that dies on start is an error here, with its
// own words, rather than a pid file for a process that is gone.
void wait_until_started(Child& vm, const std::string& qmp_socket, const std::string& qemu_log) {
  constexpr int kStartSeconds = 60;
  for (int tick = 0; tick < kStartSeconds * 10; ++tick) {
    if (int s = vm.try_wait(); s >= 0) {
      std::string said = trimmed_file(qemu_log);
      throw RuntimeError("qemu exited (status " + std::to_string(s) + ") before the VM started" +
                         (said.empty() ? "" : ":\n" + said));
    }
    if (qemu::QmpSession(qmp_socket).connected()) return;
    ::usleep(100 * 1000);
  }
  throw RuntimeError("qemu did not start within " + std::to_string(kStartSeconds) + " s; its log is " + qemu_log);
}

int run(const ToolContext& ctx) {
  const auto& args = ctx.args;
  if (!args.count("path")) throw InputError("no artifact given (usage: lk-run qemu [options] PATH)");
  const std::string path = args["path"].as<std::string>();
  qemu::Artifact art = qemu::detect_artifact(path);

  qemu::Options o;
  std::string accel = args["accel"].as<std::string>();
  if (accel == "kvm:tcg") accel = "auto";  // LinuxKit's default: KVM where it works, else TCG
  if (accel != "auto" && accel != "tcg" && accel != "kvm") throw InputError("--accel must be auto, tcg or kvm");
  o.accel = accel == "auto" ? (kvm_usable() ? "kvm" : "tcg") : accel;
  o.mem_mb = args["mem"].as<int>();
  o.cpus = args["cpus"].as<int>();
  if (o.mem_mb < 64 || o.cpus < 1) throw InputError("--mem must be at least 64 (MiB) and --cpus at least 1");
  o.networking = args["networking"].as<std::string>();
  if (o.networking != "user" && o.networking != "none") throw InputError("--networking must be user or none");
  if (args.count("publish"))
    for (const auto& p : args["publish"].as<std::vector<std::string>>()) o.publish.push_back(qemu::parse_publish(p));
  if (args.count("disk"))
    for (const auto& d : args["disk"].as<std::vector<std::string>>()) o.disks.push_back(qemu::parse_disk(d));
  if (args.count("qemu-arg")) o.extra = args["qemu-arg"].as<std::vector<std::string>>();
  o.uefi = args.count("uefi") || art.wants_uefi;
  if (o.uefi && ::access(o.ovmf.c_str(), R_OK) != 0) throw RuntimeError(o.ovmf + " is missing: install Debian's ovmf");
  if (find_program(o.qemu).empty()) throw RuntimeError(o.qemu + " not found: install Debian's qemu-system-x86");

  const bool detach = args.count("detach") > 0;
  const bool dry_run = args.count("dry-run") > 0;
  std::unique_ptr<TempDir> tmp;
  std::string state;
  if (detach || args.count("state")) {
    state = args.count("state") ? args["state"].as<std::string>() : path + "-state";
    if (!dry_run) fs::create_directories(state);
  } else {
    tmp = std::make_unique<TempDir>(temp_root(), "lk-run");
    state = tmp->path();
  }
  // A dry run with --state makes no folder, so its CD-ROM is named, not written.
  if (dry_run && !tmp && (args.count("data") || args.count("data-file")))
    o.cdroms.push_back(state + "/data.iso");
  else if (std::string disc = metadata_disc(args, state); !disc.empty())
    o.cdroms.push_back(disc);
  o.qmp_socket = state + "/qmp.sock";
  if (detach) o.console = state + "/console.log";

  switch (art.kind) {
    case ArtifactKind::kKernelInitrd: {
      o.kernel = art.kernel;
      o.initrd = path + "-initrd.img";
      o.cmdline = trimmed_file(path + "-cmdline");
      if (!args.count("no-pvh")) {
        std::string cache = default_cache_dir() + "/vmlinux";
        fs::create_directories(cache);
        std::string pvh = boot::pvh_kernel(o.kernel, cache);
        if (!pvh.empty()) {
          ctx.log.verbose("booting the decompressed kernel " + pvh + " (PVH)");
          o.kernel = pvh;
        }
      }
      break;
    }
    case ArtifactKind::kIso: o.iso = path; break;
    case ArtifactKind::kQcow2Disk:
      o.boot_disk = path;
      o.boot_disk_format = "qcow2";
      break;
    case ArtifactKind::kRawDisk: o.boot_disk = path; break;
    case ArtifactKind::kGceTarball:
      // GCE boots the disk.raw inside; so do we, from a copy in the state dir.
      if (!dry_run) run_checked({"tar", "-xzSf", path, "-C", state, "disk.raw"});
      o.boot_disk = state + "/disk.raw";
      break;
  }
  for (const auto& d : o.disks) {
    struct stat st {};
    if (::stat(d.path.c_str(), &st) == 0) continue;
    if (d.size.empty()) throw InputError("--disk " + d.path + ": the file does not exist and no size= was given");
    if (!dry_run) run_checked({"qemu-img", "create", "-q", "-f", d.format, d.path, d.size});
  }

  std::vector<std::string> cmd = qemu::command_line(o);
  std::string line;
  for (const auto& a : cmd) line += (line.empty() ? "" : " ") + shell_word(a);
  if (dry_run) {
    std::cout << line << "\n";
    return kExitOk;
  }
  ctx.log.verbose(line);

  if (detach) {
    Fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    Fd log(::open((state + "/qemu.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    SpawnOptions so;
    so.stdin_fd = devnull.get();
    so.stdout_fd = log.get();
    so.stderr_fd = log.get();
    so.new_process_group = true;
    so.outlive_parent = true;
    Child vm(cmd, so);
    wait_until_started(vm, o.qmp_socket, state + "/qemu.log");
    pid_t pid = vm.detach();
    write_output(state + "/qemu.pid", std::to_string(pid) + "\n");
    std::cout << state << "\n";
    return kExitOk;
  }

  // Signals are taken synchronously so that a TERM becomes a clean guest poweroff.
  sigset_t set, old;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, &old);
  Child vm(cmd);
  const double timeout = args["timeout"].as<double>();
  const double grace = args["grace"].as<double>();
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  int status = -1;
  for (;;) {
    status = vm.try_wait();
    if (status >= 0) break;
    timespec tick{0, 100 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig > 0) {
      ctx.log.info("received signal " + std::to_string(sig) + ": powering the VM off");
      status = shut_down(vm, o.qmp_socket, grace, ctx.log);
      break;
    }
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = static_cast<double>(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
    if (timeout > 0 && elapsed > timeout) {
      ctx.log.warn("timed out after " + std::to_string(static_cast<int>(timeout)) + " s: powering the VM off");
      shut_down(vm, o.qmp_socket, grace, ctx.log);
      sigprocmask(SIG_SETMASK, &old, nullptr);
      return kExitRuntime;
    }
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  return status;
}

}  // namespace

int qemu_main(int argc, char** argv) {
  ToolSpec spec{
      "lk-run qemu",
      "Boot a built lk system in qemu (kernel+initrd, ISO, raw/qcow2 disk, or GCE tarball).",
      "[options] PATH   (PATH: prefix of PATH-kernel/-initrd.img/-cmdline, or an image file)",
      "  lk-run qemu out/nginx                               # out/nginx-kernel + -initrd.img + -cmdline\n"
      "  lk-run qemu moby                                    # 2017 `moby build`'s moby-bzImage + ...\n"
      "  lk-run qemu --publish 8080:80 --mem 512 out/nginx\n"
      "  lk-run qemu --disk data.img,size=1G out/nginx\n"
      "  lk-run qemu --detach --state /tmp/vm out/nginx      # console in /tmp/vm/console.log\n"
      "  lk-run qemu --uefi out/nginx-efi.iso\n"
      "  lk-run qemu --dry-run -mem 2048 -publish 2222:22 out/nginx   # LinuxKit's spelling; prints the command\n"
      "  lk-run qemu --data-file user-data.json out/gcp       # user-data on a CD-ROM for pkg/metadata\n"
      "On a terminal the serial console is yours: Ctrl-A X quits qemu. SIGTERM powers the guest off cleanly.\n",
      [](cxxopts::Options& opt) {
        opt.add_options()("mem", "memory in MiB", cxxopts::value<int>()->default_value("1024"), "MB")(
            "cpus", "virtual CPUs", cxxopts::value<int>()->default_value("1"), "N")(
            "disk", "extra disk FILE[,size=1G][,format=raw|qcow2] (created when missing; repeatable)",
            cxxopts::value<std::vector<std::string>>(),
            "SPEC")("publish", "forward [ADDR:]HOST:GUEST[/udp] (ADDR defaults to 127.0.0.1; repeatable)",
                    cxxopts::value<std::vector<std::string>>(),
                    "PORTS")("networking", "user or none", cxxopts::value<std::string>()->default_value("user"),
                             "MODE")("uefi", "boot with OVMF (automatic for *-efi.* files)")(
            "accel",
            "auto, tcg or kvm (auto uses KVM only when the CPU really has vmx/svm; LinuxKit's kvm:tcg is auto)",
            cxxopts::value<std::string>()->default_value("auto"),
            "ACCEL")("no-pvh", "boot the kernel file as it is, not its decompressed vmlinux")(
            "detach,detached",
            "run in the background; state (pid, console log, qmp socket) in --state (LinuxKit: "
            "--detached)")(
            "state",
            "keep the VM's state here: QMP socket, and with --detach its pid and console log (default: a "
            "temporary folder, or PATH-state with --detach)",
            cxxopts::value<std::string>(), "DIR")("timeout", "power the VM off after this many seconds (exit 1)",
                                                  cxxopts::value<double>()->default_value("0"), "SECONDS")(
            "grace", "seconds a guest gets to power off before qemu is stopped",
            cxxopts::value<double>()->default_value("30"), "SECONDS")(
            "qemu-arg", "extra qemu argument (repeatable)", cxxopts::value<std::vector<std::string>>(), "ARG")(
            "dry-run", "print the qemu command line and exit: no VM started, no disk or state folder made")(
            "path", "artifact", cxxopts::value<std::string>());
        add_data_options(opt);
        opt.parse_positional({"path"});
      },
      [](const ToolContext& ctx) { return run(ctx); },
      // `linuxkit run qemu`'s (and the 2017 `moby run qemu`'s) flags that lk has.
      {"accel", "cpus", "data", "data-file", "detached", "disk", "mem", "networking", "publish", "state", "uefi"}};
  return run_tool(spec, argc, argv);
}

}  // namespace lk::run
