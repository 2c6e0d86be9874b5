#pragma once
// The one definition of a digest lk accepts: "sha256:" and 64 lower-case hex digits.
// References, descriptors, the cache's blob names and the lock all hold digests, and
// each used to check them its own way; they now ask here so they cannot drift apart.
#include <string>

namespace lk::oci {

// What is wrong with S as a digest, in words that follow the digest in a message
// (e.g. "uses algorithm \"sha512\" (lk accepts only sha256)"), or "" if it is one.
std::string digest_problem(const std::string& s);

// True for "sha256:" followed by 64 lower-case hex digits.
inline bool is_sha256_digest(const std::string& s) { return digest_problem(s).empty(); }

// Returns S, or throws InputError "WHERE: digest \"S\" PROBLEM".
const std::string& check_digest(const std::string& s, const std::string& where);

}  // namespace lk::oci
