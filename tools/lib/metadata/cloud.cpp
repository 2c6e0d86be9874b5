#include "metadata/cloud.h"

#include <optional>
#include <utility>
#include <vector>

#include "base/error.h"
#include "metadata/ssh_keys.h"

namespace lk::metadata {

namespace {

std::string trim(std::string s) {
  const char* blanks = " \t\r\n";
  size_t b = s.find_first_not_of(blanks);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

// One metadata server and the headers every request to it carries.
class Server {
public:
  Server(http::Transport& t, ServerOptions o, std::string label) : t_(t), o_(std::move(o)), label_(std::move(label)) {}

  http::Response send(const std::string& method, const std::string& path, std::vector<std::string> extra = {}) {
    http::Request r;
    r.method = method;
    r.url = o_.base + path;
    r.headers = headers_;
    if (!session_.empty()) r.headers.push_back(session_);
    r.headers.insert(r.headers.end(), extra.begin(), extra.end());
    r.connect_timeout_s = o_.connect_timeout_s;
    r.stall_timeout_s = o_.deadline_s;
    r.deadline_s = o_.deadline_s;
    r.max_body = static_cast<int64_t>(kMaxUserData);
    return t_.send(r);
  }

  // The first request, which decides whether this provider is there at all.
  std::optional<http::Response> probe(const std::string& method, const std::string& path, Outcome& out,
                                      std::vector<std::string> extra = {}) {
    try {
      return send(method, path, std::move(extra));
    } catch (const http::UnreachableError& e) {
      out.probe = Probe::kNoNetwork;
      out.why = e.what();
    } catch (const Error& e) {
      out.probe = Probe::kAbsent;
      out.why = e.what();
    }
    return std::nullopt;
  }

  // A value that may be missing: its body on 200, nullopt on 404 (and a note for
  // anything else, which LinuxKit logs and goes on).
  std::optional<std::string> value(const std::string& path, Outcome& out) {
    try {
      http::Response r = send("GET", path);
      if (r.status == 200) return r.body;
      if (r.status != 404) out.notes.push_back(label_ + ": " + path + ": answered " + std::to_string(r.status));
    } catch (const Error& e) {
      out.notes.push_back(label_ + ": " + e.what());
    }
    return std::nullopt;
  }

  void add_header(std::string h) { headers_.push_back(std::move(h)); }
  // A header of this look only (EC2's session token), replacing the last one.
  void set_session(std::string h) { session_ = std::move(h); }
  const std::string& label() const { return label_; }

private:
  http::Transport& t_;
  ServerOptions o_;
  std::string label_;
  std::vector<std::string> headers_;
  std::string session_;
};

class Gcp final : public Provider {
public:
  Gcp(http::Transport& t, ServerOptions o, std::function<std::time_t()> now)
      : server_(t, std::move(o), "GCP"), now_(std::move(now)) {
    server_.add_header("Metadata-Flavor: Google");
  }
  std::string name() const override { return "gcp"; }
  Kind kind() const override { return Kind::kNetwork; }

  Outcome look() override {
    Outcome out;
    const std::string v1 = "/computeMetadata/v1/";
    auto r = server_.probe("GET", v1 + "instance/hostname", out);
    if (!r) return out;
    if (r->status != 200) return absent(out, "instance/hostname answered " + std::to_string(r->status));
    // Compute Engine marks every answer so; anything else answering there is not it.
    if (r->header("metadata-flavor") != "Google") return absent(out, "the answer has no Metadata-Flavor: Google");
    if (!plausible_hostname(trim(r->body))) return absent(out, "instance/hostname is not a host name");
    out.probe = Probe::kFound;
    out.found.provider = "GCP";
    out.found.files.push_back({"hostname", r->body, 0644});

    auto instance_keys = server_.value(v1 + "instance/attributes/ssh-keys", out);
    auto block = server_.value(v1 + "instance/attributes/block-project-ssh-keys", out);
    bool blocked = block && trim(*block) == "true";
    std::optional<std::string> project_keys;
    if (!blocked) project_keys = server_.value(v1 + "project/attributes/ssh-keys", out);
    if (project_keys || instance_keys) {
      std::time_t now = now_();
      auto keys = gce_ssh_keys(project_keys.value_or(""), now);
      auto mine = gce_ssh_keys(instance_keys.value_or(""), now);
      keys.insert(keys.end(), mine.begin(), mine.end());
      out.found.files.push_back({"ssh/authorized_keys", authorized_keys(keys), 0600});
      if (blocked) out.notes.push_back("GCP: block-project-ssh-keys is set: only the instance's ssh-keys");
    } else {
      out.notes.push_back("GCP: no ssh-keys in the project's or the instance's metadata");
    }
    out.found.user_data = server_.value(v1 + "instance/attributes/user-data", out);
    return out;
  }

private:
  static Outcome& absent(Outcome& out, const std::string& why) {
    out.probe = Probe::kAbsent;
    out.why = why;
    return out;
  }
  Server server_;
  std::function<std::time_t()> now_;
};

// EC2's metadata paths, which OpenStack serves too; AWS adds the IMDSv2 session token.
class Ec2 final : public Provider {
public:
  Ec2(http::Transport& t, ServerOptions o, bool aws) : server_(t, std::move(o), aws ? "AWS" : "openstack"), aws_(aws) {}
  std::string name() const override { return aws_ ? "aws" : "openstack"; }
  Kind kind() const override { return Kind::kNetwork; }

  Outcome look() override {
    Outcome out;
    server_.set_session("");
    if (aws_) {
      // At most the 6 hours EC2 allows: one boot's reading needs seconds.
      auto t = server_.probe("PUT", "/latest/api/token", out, {"X-aws-ec2-metadata-token-ttl-seconds: 21600"});
      if (!t) return out;
      std::string token = trim(t->body);
      if (t->status != 200)
        return absent(out, "no IMDSv2 session token: /latest/api/token answered " + std::to_string(t->status));
      if (token.empty() || token.size() > 4096 || token.find_first_of(" \t\r\n") != std::string::npos)
        return absent(out, "the IMDSv2 session token is not a token");
      server_.set_session("X-aws-ec2-metadata-token: " + token);
    }
    const std::string md = "/latest/meta-data/";
    auto r = server_.probe("GET", md + "hostname", out);
    if (!r) return out;
    if (r->status != 200) return absent(out, "meta-data/hostname answered " + std::to_string(r->status));
    if (!plausible_hostname(trim(r->body))) return absent(out, "meta-data/hostname is not a host name");
    out.probe = Probe::kFound;
    out.found.provider = server_.label();
    out.found.files.push_back({"hostname", r->body, 0644});
    // LinuxKit's names for them.
    static const std::pair<const char*, const char*> kValues[] = {{"public-ipv4", "public_ipv4"},
                                                                  {"local-ipv4", "local_ipv4"},
                                                                  {"placement/availability-zone", "availability_zone"},
                                                                  {"instance-type", "instance_type"},
                                                                  {"instance-id", "instance_id"},
                                                                  {"local-hostname", "local_hostname"}};
    for (const auto& [path, file] : kValues)
      if (auto v = server_.value(md + path, out))
        out.found.files.push_back({file, *v, 0644});
      else
        out.notes.push_back(server_.label() + ": no " + path);

    std::vector<std::string> keys;
    if (auto listing = server_.value(md + "public-keys/", out))
      for (const auto& i : ec2_key_indexes(*listing))
        if (auto k = server_.value(md + "public-keys/" + i + "/openssh-key", out))
          for (const auto& line : split_lines(*k))
            if (!line.empty()) keys.push_back(line);
    if (!keys.empty())
      out.found.files.push_back({"ssh/authorized_keys", authorized_keys(keys), 0600});
    else
      out.notes.push_back(server_.label() + ": no public keys");
    out.found.user_data = server_.value("/latest/user-data", out);
    return out;
  }

private:
  static std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
      size_t nl = s.find('\n', start);
      out.push_back(trim(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start)));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return out;
  }
  static Outcome& absent(Outcome& out, const std::string& why) {
    out.probe = Probe::kAbsent;
    out.why = why;
    return out;
  }
  Server server_;
  bool aws_;
};

}  // namespace

bool plausible_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.'))
      return false;
  return true;
}

std::unique_ptr<Provider> gcp_provider(http::Transport& t, ServerOptions o, std::function<std::time_t()> now) {
  return std::make_unique<Gcp>(t, std::move(o), std::move(now));
}
std::unique_ptr<Provider> aws_provider(http::Transport& t, ServerOptions o) {
  return std::make_unique<Ec2>(t, std::move(o), true);
}
std::unique_ptr<Provider> openstack_provider(http::Transport& t, ServerOptions o) {
  return std::make_unique<Ec2>(t, std::move(o), false);
}

}  // namespace lk::metadata
