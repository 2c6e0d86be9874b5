// lk-push: publish a built image to a cloud. `lk-push TARGET [options] FILE`.
#include "base/tool_main.h"

namespace lk::push {
int gcp_main(int argc, char** argv);  // gcp.cpp
}

namespace {

constexpr lk::Subcommand kTargets[] = {
    {"gcp", "upload a NAME.img.tar.gz to Cloud Storage and make a Compute Engine image of it", lk::push::gcp_main},
};

}  // namespace

int main(int argc, char** argv) {
  return lk::run_subcommand({"lk-push", "Publish a built lk image.", "target", "[options] FILE", kTargets}, argc, argv);
}
