#pragma once
// The clouds' link-local metadata servers, over any http::Transport (PlainClient in the
// guest, a ScriptedServer in the unit tests).
//  - gcp: Compute Engine, /computeMetadata/v1/ with "Metadata-Flavor: Google" (and the
//    server must answer with it): the instance's hostname, the project's and instance's
//    ssh-keys (the project's left out when block-project-ssh-keys is true), user-data.
//  - aws: EC2's IMDSv2: a session token from PUT /latest/api/token, sent with every
//    request; hostname, addresses, zone, type, id, every public key, user-data.
//  - openstack: the EC2-compatible paths OpenStack's metadata service offers, without a
//    token (what LinuxKit's openstack provider reads).
// Each writes what LinuxKit's provider of that name writes, under the same file names.
#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "http/transport.h"
#include "metadata/provider.h"

namespace lk::metadata {

struct ServerOptions {
  std::string base = "http://169.254.169.254";
  long connect_timeout_s = 2;  // LinuxKit's whole-request timeout; a link-local server answers in milliseconds
  long deadline_s = 5;         // each request, whole
};

std::unique_ptr<Provider> gcp_provider(http::Transport& t, ServerOptions o, std::function<std::time_t()> now);
std::unique_ptr<Provider> aws_provider(http::Transport& t, ServerOptions o);
std::unique_ptr<Provider> openstack_provider(http::Transport& t, ServerOptions o);

}  // namespace lk::metadata
