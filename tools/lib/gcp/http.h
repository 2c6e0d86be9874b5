#pragma once
// Small pieces every GCE and Cloud Storage call shares: turning a failed response into
// one line that names the call, the status and Google's message.
#include <string>
#include <string_view>

#include "base/error.h"
#include "http/client.h"
#include "http/url.h"

namespace lk::gcp {

// Google's own words from an error body: error.message (+ the first reason) for the
// JSON APIs, error/error_description for OAuth, else the body's first line.
std::string error_message(const http::Response& resp);

// "WHAT: HTTP 404: The resource 'projects/x' was not found"
RuntimeError http_error(const std::string& what, const http::Response& resp);

// A random version-4 UUID: the requestId that makes a retried insert idempotent.
std::string random_uuid();

}  // namespace lk::gcp
