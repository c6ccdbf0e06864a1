// OutboundPolicy: address classification, allow lists, and the resolve-check-pin
// step in front of the HTTP client.
#include "net/outbound_policy.hpp"

#include <curl/curl.h>

#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "common/io_pool_asio.hpp"

namespace famulor::net {

namespace {

using Bytes = std::array<std::uint8_t, 16>;

std::optional<Bytes> parse_address(std::string_view text) {
  asio::error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v4()) return asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

bool prefix_match(const Bytes& a, const Bytes& net, int prefix) {
  int full = prefix / 8;
  for (int i = 0; i < full; ++i)
    if (a[static_cast<std::size_t>(i)] != net[static_cast<std::size_t>(i)]) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[static_cast<std::size_t>(full)] & mask) == (net[static_cast<std::size_t>(full)] & mask);
}

struct Range {
  Bytes net;
  int prefix;
};

// Internal ranges over the 128-bit space (IPv4 as IPv4-mapped, prefix + 96).
const std::vector<Range>& internal_ranges() {
  static const std::vector<Range> ranges = [] {
    std::vector<Range> out;
    auto add = [&](const char* net, int prefix, bool v4) {
      out.push_back({*parse_address(net), v4 ? prefix + 96 : prefix});
    };
    add("0.0.0.0", 8, true);        // "this network"
    add("10.0.0.0", 8, true);       // private
    add("100.64.0.0", 10, true);    // carrier-grade NAT (Alibaba metadata 100.100.100.200)
    add("127.0.0.0", 8, true);      // loopback
    add("169.254.0.0", 16, true);   // link-local (cloud metadata 169.254.169.254)
    add("172.16.0.0", 12, true);    // private
    add("192.0.0.0", 24, true);     // IETF protocol assignments
    add("192.168.0.0", 16, true);   // private
    add("198.18.0.0", 15, true);    // benchmarking
    add("224.0.0.0", 4, true);      // multicast
    add("240.0.0.0", 4, true);      // reserved, broadcast
    add("::", 128, false);          // unspecified
    add("::1", 128, false);         // loopback
    add("fc00::", 7, false);        // unique local (AWS metadata fd00:ec2::254)
    add("fe80::", 10, false);       // link-local
    add("fec0::", 10, false);       // site-local (deprecated)
    add("ff00::", 8, false);        // multicast
    return out;
  }();
  return ranges;
}

// IPv4 carried inside IPv6, as IPv4-mapped: NAT64 (64:ff9b::/96 and the local-use
// 64:ff9b:1::/48, last 32 bits), IPv4-compatible ::/96, 6to4 2002::/16 (bits 16..47)
// and Teredo 2001::/32 (the client address, inverted, in the last 32 bits).
std::optional<Bytes> embedded_v4(const Bytes& a) {
  static const Bytes nat64 = *parse_address("64:ff9b::");
  static const Bytes nat64_local = *parse_address("64:ff9b:1::");
  static const Bytes six_to_four = *parse_address("2002::");
  static const Bytes teredo = *parse_address("2001::");
  static const Bytes zero{};
  Bytes m{};
  m[10] = 0xFF;
  m[11] = 0xFF;
  if (prefix_match(a, nat64, 96) || prefix_match(a, nat64_local, 48) || prefix_match(a, zero, 96)) {
    for (std::size_t i = 12; i < 16; ++i) m[i] = a[i];
    return m;
  }
  if (prefix_match(a, six_to_four, 16)) {
    for (std::size_t i = 0; i < 4; ++i) m[12 + i] = a[2 + i];
    return m;
  }
  if (prefix_match(a, teredo, 32)) {
    for (std::size_t i = 12; i < 16; ++i) m[i] = static_cast<std::uint8_t>(~a[i]);
    return m;
  }
  return std::nullopt;
}

bool internal(const Bytes& a) {
  for (const auto& r : internal_ranges())
    if (prefix_match(a, r.net, r.prefix)) return true;
  if (auto v4 = embedded_v4(a)) {
    for (const auto& r : internal_ranges())
      if (prefix_match(*v4, r.net, r.prefix)) return true;
  }
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct UrlParts {
  std::string scheme;  // lower-case
  std::string host;    // without IPv6 brackets
  std::string port;
};

Result<UrlParts> url_parts(const std::string& url) {
  CURLU* h = curl_url();
  if (!h) return internal_error("out of memory");
  std::unique_ptr<CURLU, void (*)(CURLU*)> guard(h, curl_url_cleanup);
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return invalid_argument("cannot read URL '" + url.substr(0, 200) + "'");
  auto get = [&](CURLUPart part, unsigned flags) -> std::string {
    char* out = nullptr;
    if (curl_url_get(h, part, &out, flags) != CURLUE_OK || !out) return {};
    std::string s(out);
    curl_free(out);
    return s;
  };
  std::string scheme = lower(get(CURLUPART_SCHEME, 0));
  if (scheme != "http" && scheme != "https")
    return invalid_argument("only http and https URLs may be called, not '" + scheme + "'");
  UrlParts p;
  p.scheme = scheme;
  p.host = get(CURLUPART_HOST, 0);
  if (p.host.size() > 2 && p.host.front() == '[' && p.host.back() == ']') p.host = p.host.substr(1, p.host.size() - 2);
  p.port = get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (p.host.empty()) return invalid_argument("URL without a host");
  return p;
}

Status refused(const std::string& host, const std::string& address) {
  std::string msg = "outbound policy: " + host;
  if (address != host) msg += " resolves to " + address + ",";
  msg += " an internal address (private, loopback, link-local or metadata); allow it with FAMULOR_ALLOW_HOSTS";
  return {StatusCode::permission_denied, std::move(msg)};
}

Status plain_http_refused(const std::string& host) {
  return {StatusCode::permission_denied,
          "outbound policy: plain http to " + host +
              " is refused (https only); allow the host with FAMULOR_ALLOW_HOSTS to call it over http"};
}

std::string resolve_entry(const UrlParts& p, const std::vector<std::string>& addresses) {
  std::string entry = p.host + ":" + p.port + ":";
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (i) entry += ',';
    bool v6 = addresses[i].find(':') != std::string::npos;
    entry += v6 ? "[" + addresses[i] + "]" : addresses[i];
  }
  return entry;
}

}  // namespace

OutboundPolicy OutboundPolicy::from_environment() {
  OutboundPolicy p;
  if (const char* list = std::getenv("FAMULOR_ALLOW_HOSTS")) {
    Status st = p.allow_list(list);
    if (!st.ok()) std::fprintf(stderr, "famulor: FAMULOR_ALLOW_HOSTS: %s\n", st.message().c_str());
  }
  return p;
}

OutboundPolicy OutboundPolicy::allow_all() {
  OutboundPolicy p;
  p.everything_ = true;
  return p;
}

Status OutboundPolicy::allow(std::string_view raw) {
  std::string_view entry = trim(raw);
  if (entry.empty()) return invalid_argument("empty allow-list entry");
  if (entry == "*") {
    everything_ = true;
    return {};
  }
  if (auto slash = entry.find('/'); slash != std::string_view::npos) {
    auto net = parse_address(entry.substr(0, slash));
    std::string bits(entry.substr(slash + 1));
    char* end = nullptr;
    long prefix = std::strtol(bits.c_str(), &end, 10);
    bool v4 = entry.find(':') == std::string_view::npos;
    if (!net || bits.empty() || *end != '\0' || prefix < 0 || prefix > (v4 ? 32 : 128))
      return invalid_argument("cannot read CIDR '" + std::string(entry) + "'");
    cidrs_.push_back({*net, static_cast<int>(v4 ? prefix + 96 : prefix)});
    return {};
  }
  std::string_view host = entry;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (auto a = parse_address(host)) {
    cidrs_.push_back({*a, 128});
    return {};
  }
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '*'))
      return invalid_argument("cannot read allow-list entry '" + std::string(entry) + "'");
  }
  hosts_.push_back(lower(host));
  return {};
}

Status OutboundPolicy::allow_list(std::string_view list) {
  Status first;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    if (!trim(entry).empty()) {
      Status st = allow(entry);
      if (!st.ok() && first.ok()) first = st;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return first;
}

bool OutboundPolicy::in_allowed_cidr(const Bytes& a) const {
  for (const auto& c : cidrs_)
    if (prefix_match(a, c.bytes, c.prefix)) return true;
  return false;
}

bool OutboundPolicy::address_allowed(std::string_view address) const {
  auto a = parse_address(address);
  if (!a) return false;
  return everything_ || !internal(*a) || in_allowed_cidr(*a);
}

bool OutboundPolicy::host_allowed(std::string_view host) const {
  if (everything_) return true;
  std::string h = lower(host);
  for (const auto& entry : hosts_) {
    if (entry == h) return true;
    if (entry.size() > 2 && entry[0] == '*' && entry[1] == '.') {
      std::string_view suffix(entry.data() + 1, entry.size() - 1);  // ".corp.example"
      if (h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
    }
  }
  return false;
}

bool OutboundPolicy::address_explicitly_allowed(std::string_view address) const {
  auto a = parse_address(address);
  return a && (everything_ || in_allowed_cidr(*a));
}

void OutboundPolicy::check(detail::IoPool& pool, HttpClientRequest request,
                           std::function<void(Result<HttpClientRequest>)> done) const {
  auto parts = url_parts(request.url);
  if (!parts.ok()) return done(parts.status());
  request.follow_redirects = false;
  if (host_allowed(parts->host)) return done(std::move(request));
  const bool plain = parts->scheme == "http";
  if (parse_address(parts->host)) {  // a literal address: nothing to resolve
    if (!address_allowed(parts->host)) return done(refused(parts->host, parts->host));
    if (plain && !address_explicitly_allowed(parts->host)) return done(plain_http_refused(parts->host));
    return done(std::move(request));
  }
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(detail::io_context(pool));
  UrlParts p = *parts;
  resolver->async_resolve(
      p.host, p.port,
      [resolver, policy = *this, p, plain, request = std::move(request), done = std::move(done)](
          const asio::error_code& ec, const asio::ip::tcp::resolver::results_type& results) mutable {
        if (ec) return done(unavailable("cannot resolve " + p.host + ": " + ec.message()));
        std::vector<std::string> addresses;
        for (const auto& r : results) {
          std::string a = r.endpoint().address().to_string();
          if (!policy.address_allowed(a)) return done(refused(p.host, a));
          // Plain http only when every address was allowed on purpose.
          if (plain && !policy.address_explicitly_allowed(a)) return done(plain_http_refused(p.host));
          bool seen = false;
          for (const auto& known : addresses) seen = seen || known == a;
          if (!seen) addresses.push_back(std::move(a));
        }
        if (addresses.empty()) return done(unavailable("cannot resolve " + p.host + ": no addresses"));
        request.resolve.push_back(resolve_entry(p, addresses));
        done(std::move(request));
      });
}

namespace {

// The Location of a 3xx response resolved against the URL that answered, or "".
std::string redirect_target(const std::string& base, const std::string& location) {
  CURLU* h = curl_url();
  if (!h) return {};
  std::unique_ptr<CURLU, void (*)(CURLU*)> guard(h, curl_url_cleanup);
  if (curl_url_set(h, CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return {};
  if (curl_url_set(h, CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) return {};
  char* out = nullptr;
  if (curl_url_get(h, CURLUPART_URL, &out, 0) != CURLUE_OK || !out) return {};
  std::string s(out);
  curl_free(out);
  return s;
}

std::string origin(const std::string& url) {
  auto p = url_parts(url);
  return p.ok() ? p->scheme + "://" + lower(p->host) + ":" + p->port : std::string();
}

constexpr int k_max_redirects = 5;

// One checked hop; follows a redirect by checking the next URL again (never by
// letting curl follow it, which would skip the policy and the pinning).
void send_hop(HttpClient& client, detail::IoPool& pool, const OutboundPolicy& policy, HttpClientRequest request,
              bool follow, int hops, HttpClient::Callback done) {
  if (!follow) {  // nothing to keep for a next hop: no copy of the request
    policy.check(pool, std::move(request), [&client, done = std::move(done)](Result<HttpClientRequest> checked) mutable {
      if (!checked.ok()) return done(checked.status());
      client.send(std::move(checked).value(), std::move(done));
    });
    return;
  }
  policy.check(pool, request, [&client, &pool, &policy, request, hops, done = std::move(done)](
                                  Result<HttpClientRequest> checked) mutable {
    if (!checked.ok()) return done(checked.status());
    client.send(std::move(checked).value(), [&client, &pool, &policy, request = std::move(request), hops,
                                             done = std::move(done)](Result<HttpClientResponse> res) mutable {
      if (!res.ok()) return done(std::move(res));
      const int s = res->status;
      const std::string* location = res->headers.find("Location");
      if (!(s == 301 || s == 302 || s == 303 || s == 307 || s == 308) || !location) return done(std::move(res));
      if (hops >= k_max_redirects)
        return done(Status{StatusCode::failed_precondition,
                           "more than " + std::to_string(k_max_redirects) + " redirects from " + request.url});
      std::string next = redirect_target(request.url, *location);
      if (next.empty()) return done(invalid_argument("cannot read redirect Location '" + location->substr(0, 200) + "'"));
      HttpClientRequest again = request;
      again.url = next;
      again.resolve.clear();
      if (s == 303 || ((s == 301 || s == 302) && request.method == "POST")) {
        again.method = "GET";
        again.body.clear();
        again.headers.erase("Content-Type");
      }
      if (origin(next) != origin(request.url)) {  // credentials stay with the origin they were meant for
        again.headers.erase("Authorization");
        again.headers.erase("Cookie");
        again.headers.erase("Proxy-Authorization");
      }
      send_hop(client, pool, policy, std::move(again), true, hops + 1, std::move(done));
    });
  });
}

}  // namespace

void send_checked(HttpClient& client, detail::IoPool& pool, const OutboundPolicy& policy, HttpClientRequest request,
                  HttpClient::Callback done) {
  const bool follow = request.follow_redirects;
  send_hop(client, pool, policy, std::move(request), follow, 0, std::move(done));
}

}  // namespace famulor::net
