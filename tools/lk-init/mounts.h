#pragma once
// The init's file systems: leaving the initramfs root for a tmpfs (runc's pivot_root
// refuses the initramfs root), the kernel file systems LinuxKit mounts, and unmounting
// everything at shutdown.
#include <functional>
#include <string>

#include "console.h"

namespace lkinit {

// True when / is the kernel's initramfs (ramfs or tmpfs rootfs, not yet moved).
bool root_is_initramfs();

// Moves every file of the initramfs into a fresh tmpfs (copy, then unlink, so memory
// holds one copy at a time), makes that tmpfs the root (MS_MOVE + chroot, what
// switch_root does) and continues in it. Owners, modes and times are kept. Returns the
// seconds it took (reported later: the console is not set up yet).
double move_root_to_tmpfs();

// /proc, first: the command line decides the rest.
void mount_proc();

// sys, devtmpfs (+pts, shm, mqueue), cgroup2, tmpfs on /run, /tmp, /var with
// LinuxKit's /var layout, and / made rshared. Optional file systems fail quietly.
void mount_base(const Console& con, bool root_readonly);

// mount(2) that throws lk::RuntimeError naming the target. When the file system type is
// unknown (ENODEV) and LOAD_FS is given, LOAD_FS(type) may load a module, then it retries.
void mount_or_throw(const std::string& source, const std::string& target, const std::string& type, unsigned long flags,
                    const std::string& data, const std::function<bool(const std::string&)>& load_fs = nullptr);

// Creates DIR and its parents (mode 0755), like mkdir -p; throws on failure.
void make_dirs(const std::string& dir, unsigned mode = 0755);

// Whether PATH is a mount point (its mount id differs from its parent's, or it is /).
bool is_mountpoint(const std::string& path);

// Detaches every mount except the kernel's (proc, sys, dev) in reverse order, then
// remounts / read-only; all best effort, at shutdown.
void unmount_all(const Console& con);

}  // namespace lkinit
