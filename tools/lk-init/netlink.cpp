#include "netlink.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "base/error.h"
#include "base/fs.h"

namespace lkinit {
namespace {

// One request message, built attribute by attribute; nested attributes are patched with
// their length when closed.
class Request {
public:
  Request(uint16_t type, uint16_t flags, int ifindex) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    h.nlmsg_seq = 1;
    append(&h, sizeof h);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    append(&ifi, sizeof ifi);
  }
  void attr(uint16_t type, const void* data, size_t len) {
    nlattr a{};
    a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
    a.nla_type = type;
    append(&a, sizeof a);
    append(data, len);
    pad();
  }
  void attr(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  size_t begin(uint16_t type) {
    size_t at = buf_.size();
    attr(type, nullptr, 0);
    return at;
  }
  void end(size_t at) {
    uint16_t len = static_cast<uint16_t>(buf_.size() - at);
    memcpy(buf_.data() + at, &len, sizeof len);
  }
  void raw(const void* data, size_t len) {
    append(data, len);
    pad();
  }
  std::vector<char>& finish() {
    uint32_t len = static_cast<uint32_t>(buf_.size());
    memcpy(buf_.data(), &len, sizeof len);
    return buf_;
  }

private:
  void append(const void* data, size_t len) {
    const char* p = static_cast<const char*>(data);
    if (len) buf_.insert(buf_.end(), p, p + len);
  }
  void pad() { buf_.resize(NLA_ALIGN(buf_.size()), '\0'); }
  std::vector<char> buf_;
};

void transact(Request& req, const std::string& what) {
  lk::Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) lk::throw_errno(what + ": netlink socket");
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  auto& msg = req.finish();
  if (::sendto(fd.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    lk::throw_errno(what + ": netlink send");
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    ssize_t n = ::recv(fd.get(), reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      lk::throw_errno(what + ": netlink receive");
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, static_cast<unsigned>(n)); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(h));
      if (err->error == 0) return;
      throw lk::RuntimeError(what + ": " + strerror(-err->error));
    }
  }
}

}  // namespace

void link_add(const std::string& name, const std::string& kind, const std::string& peer) {
  if (kind == "veth" && peer.empty()) throw lk::InputError("veth " + name + " needs a peer");
  Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  req.attr(IFLA_IFNAME, name);
  size_t info = req.begin(IFLA_LINKINFO);
  req.attr(IFLA_INFO_KIND, kind.c_str(), kind.size());
  if (!peer.empty()) {
    size_t data = req.begin(IFLA_INFO_DATA);
    size_t p = req.begin(VETH_INFO_PEER);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    req.raw(&ifi, sizeof ifi);
    req.attr(IFLA_IFNAME, peer);
    req.end(p);
    req.end(data);
  }
  req.end(info);
  transact(req, "add link " + name + " (" + kind + ")");
}

void link_set_netns(const std::string& name, pid_t pid) {
  unsigned idx = ::if_nametoindex(name.c_str());
  if (idx == 0) throw lk::RuntimeError("interface " + name + ": " + strerror(errno));
  Request req(RTM_NEWLINK, 0, static_cast<int>(idx));
  uint32_t p = static_cast<uint32_t>(pid);
  req.attr(IFLA_NET_NS_PID, &p, sizeof p);
  transact(req, "move " + name + " to the network namespace of pid " + std::to_string(pid));
}

}  // namespace lkinit
