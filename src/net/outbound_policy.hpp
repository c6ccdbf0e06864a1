// net/outbound_policy.hpp — OutboundPolicy: which hosts connector and HTTP-node
// calls may reach (CONTRACT.md, "Outbound network policy").
//
// Private, loopback, link-local, carrier-grade NAT, multicast, reserved and cloud
// metadata addresses (IPv4, IPv6, and IPv4 inside IPv6) are refused unless a host
// name, an address or a CIDR is allowed (FAMULOR_ALLOW_HOSTS, --allow-host). The
// policy resolves a host itself, checks every address it resolves to, and pins the
// checked addresses for the connection (CURLOPT_RESOLVE), so a second DNS answer
// cannot swap in an internal address. Plain http is refused unless the host (by
// name, address or CIDR) is allowed: https everywhere else. curl never follows a
// redirect of a checked request; send_checked() follows at most 5 itself, checking
// and pinning every hop again.
// It guards what workflow authors and credentials control; base URLs the operator
// configures are not passed through it.
//
// Thread-safety: an OutboundPolicy is immutable after setup (allow() before
// sharing); check() and the queries may run concurrently from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "net/http_client.hpp"

namespace famulor::detail {
class IoPool;
}

namespace famulor::net {

class OutboundPolicy {
 public:
  // Refuses the internal ranges; allows nothing extra.
  OutboundPolicy() = default;
  // FAMULOR_ALLOW_HOSTS (comma list); entries it cannot read are reported on
  // stderr and skipped.
  static OutboundPolicy from_environment();
  // A policy that lets everything through (tests, trusted hosts).
  static OutboundPolicy allow_all();

  // Allows a host name ("api.internal", "*.corp.example"), an address ("127.0.0.1",
  // "::1") or a CIDR ("10.0.0.0/8", "fd00::/8"). invalid_argument for anything else.
  Status allow(std::string_view entry);
  // Each comma-separated entry of `list` (surrounding spaces ignored).
  Status allow_list(std::string_view list);

  // Whether a literal IPv4/IPv6 address may be contacted (false for non-addresses).
  bool address_allowed(std::string_view address) const;
  // Whether a literal address is in an allowed CIDR (or is everything allowed):
  // what plain http needs.
  bool address_explicitly_allowed(std::string_view address) const;
  // Whether `host` is allowed by name (or is everything allowed).
  bool host_allowed(std::string_view host) const;

  // Checks the request's URL: scheme http(s), host allowed by name, or every address
  // the host resolves to allowed. Resolution runs on the pool (no pool thread
  // blocks on DNS). `done` gets the request with `resolve` pinned and redirects
  // off, or permission_denied naming the host and address, invalid_argument for a
  // URL it cannot read, unavailable when the name does not resolve.
  // [Threading] `done` runs on a pool thread or, for literal addresses, inline.
  void check(detail::IoPool& pool, HttpClientRequest request,
             std::function<void(Result<HttpClientRequest>)> done) const;

 private:
  struct Cidr {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 0;                        // over the 128 bits
  };
  bool everything_ = false;
  std::vector<std::string> hosts_;  // lower-case; "*.x" = any subdomain of x
  std::vector<Cidr> cidrs_;

  bool in_allowed_cidr(const std::array<std::uint8_t, 16>& a) const;
};

// check() then client.send(); the callback gets the policy's refusal instead of a
// response when the request is not allowed. With request.follow_redirects, a 3xx
// with Location is followed (at most 5 hops; 303, and 301/302 after POST, become
// GET; Authorization and Cookie are dropped when the origin changes), each hop
// checked and pinned again. The policy must outlive the call.
void send_checked(HttpClient& client, detail::IoPool& pool, const OutboundPolicy& policy,
                  HttpClientRequest request, HttpClient::Callback done);

}  // namespace famulor::net
