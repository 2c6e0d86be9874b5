#pragma once
// cxxopts, included only through here so every file agrees on its settings: repeated
// options collect values as given, never split at commas ("--disk f.img,size=1G",
// "--qemu-arg=virtio-net-pci,netdev=n1": lk-run's values carry their own commas).
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
