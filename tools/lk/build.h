#pragma once

namespace lk::front {

// `lk build`: lk-parse | lk-pull | lk-rootfs | lk-initrd (and the image makers), with
// the spec's @pkg: packages built first when the cache lacks them.
int build_main(int argc, char** argv);

}  // namespace lk::front
