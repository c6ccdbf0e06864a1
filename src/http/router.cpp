#include "http/router.hpp"

#include <algorithm>

namespace famulor::http {

namespace {

enum class SegKind { literal = 3, param = 2, rest = 1 };

struct Segment {
  SegKind kind;
  std::string text;  // literal text or parameter name
};

// "/a/b/" -> {"a","b",""}; "/" -> {}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path == "/") return out;
  if (path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string_view raw_path_of(const HttpRequest& r) {
  std::string_view t = r.target;
  if (t.empty() || t.front() != '/') return r.path;  // absolute-form: use the decoded path
  return t.substr(0, t.find('?'));
}

}  // namespace

// The request path's segments, each percent-decoded once for every route to
// match against (a segment that does not decode matches nothing).
struct Decoded {
  std::vector<std::string> seg;
  std::vector<bool> ok;
};

Decoded decode_segments(const std::vector<std::string_view>& raw) {
  Decoded d;
  d.seg.resize(raw.size());
  d.ok.resize(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) d.ok[i] = percent_decode(raw[i], d.seg[i]);
  return d;
}

struct Router::Route {
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;

  // Matches the decoded segments without allocating (literals and arity first).
  bool matches(const Decoded& d) const {
    std::size_t i = 0;
    for (const Segment& seg : segments) {
      if (seg.kind == SegKind::rest) {
        if (i >= d.seg.size()) return false;
        // The rest is decoded as one: '/' never comes out of a %-escape split by
        // a segment boundary, so decoding each part and re-joining is the same.
        // An empty rest ("/v1/hooks/") matches nothing.
        if (i + 1 == d.seg.size() && d.seg[i].empty()) return false;
        for (std::size_t j = i; j < d.seg.size(); ++j)
          if (!d.ok[j]) return false;
        return true;
      }
      if (i >= d.seg.size() || !d.ok[i]) return false;
      if (seg.kind == SegKind::literal ? d.seg[i] != seg.text : d.seg[i].empty()) return false;
      ++i;
    }
    return i == d.seg.size();
  }

  // The parameters of a route that matches(d).
  void fill(const Decoded& d, Params& params) const {
    params.clear();
    std::size_t i = 0;
    for (const Segment& seg : segments) {
      if (seg.kind == SegKind::rest) {
        std::string joined;
        for (std::size_t j = i; j < d.seg.size(); ++j) {
          if (j > i) joined += '/';
          joined += d.seg[j];
        }
        params.emplace_back(seg.text, std::move(joined));
        return;
      }
      if (seg.kind == SegKind::param) params.emplace_back(seg.text, d.seg[i]);
      ++i;
    }
  }
};

Router::Router() = default;
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Status Router::add(std::string method, std::string_view pattern, Handler handler) {
  if (method.empty()) return invalid_argument("route method is empty");
  if (pattern.empty() || pattern.front() != '/')
    return invalid_argument("route pattern must start with '/': " + std::string(pattern));
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->pattern.assign(pattern);
  route->handler = std::move(handler);
  auto parts = split_path(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (!p.empty() && p.front() == '{') {
      if (p.size() < 3 || p.back() != '}')
        return invalid_argument("malformed parameter in route pattern: " + std::string(pattern));
      std::string_view name = p.substr(1, p.size() - 2);
      SegKind kind = SegKind::param;
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        if (i + 1 != parts.size())
          return invalid_argument("{name...} must be the last segment: " + std::string(pattern));
        name.remove_suffix(3);
        kind = SegKind::rest;
      }
      if (name.empty() || name.find_first_of("{}/.") != std::string_view::npos)
        return invalid_argument("malformed parameter name in route pattern: " + std::string(pattern));
      for (const Segment& s : route->segments)
        if (s.kind != SegKind::literal && s.text == name)
          return invalid_argument("parameter used twice in route pattern: " + std::string(pattern));
      route->segments.push_back({kind, std::string(name)});
    } else {
      if (p.find_first_of("{}") != std::string_view::npos)
        return invalid_argument("braces inside a literal segment: " + std::string(pattern));
      route->segments.push_back({SegKind::literal, std::string(p)});
    }
  }
  for (const auto& r : routes_)
    if (r->method == route->method && r->pattern == route->pattern)
      return {StatusCode::already_exists, "route registered twice: " + route->method + " " + route->pattern};
  routes_.push_back(std::move(route));
  return {};
}

void Router::set_observer(Observer observer) {
  observer_ = observer ? std::make_shared<const Observer>(std::move(observer)) : nullptr;
}

namespace {
// A bounded label: the usual methods as sent, anything else "other".
std::string_view method_label(std::string_view m) {
  for (std::string_view known : {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"})
    if (m == known) return known;
  return "other";
}

// A responder that reports the status it answers with, then passes it on. It owns
// what it reports (a late answer may come after the router is gone).
Responder observed(std::shared_ptr<const Router::Observer> obs, std::string_view method, std::string route,
                   Responder inner) {
  return Responder([obs = std::move(obs), method, route = std::move(route), inner = std::move(inner)](HttpResponse r) {
    if (r.status == 0) {  // abort(): close without an answer
      inner.abort();
      return;
    }
    (*obs)(method, route, r.status);
    inner.send(std::move(r));
  });
}
}  // namespace

void Router::dispatch(HttpRequest request, Responder responder) const {
  const Decoded path = decode_segments(split_path(raw_path_of(request)));
  const Route* best = nullptr;
  const Route* best_get = nullptr;  // fallback for HEAD
  std::vector<std::string> allowed;

  auto more_specific = [](const Route& a, const Route& b) {
    std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i)
      if (a.segments[i].kind != b.segments[i].kind)
        return static_cast<int>(a.segments[i].kind) > static_cast<int>(b.segments[i].kind);
    return false;
  };

  for (const auto& r : routes_) {
    if (!r->matches(path)) continue;
    if (r->method == request.method) {
      if (!best || more_specific(*r, *best)) best = r.get();
    } else {
      if (std::find(allowed.begin(), allowed.end(), r->method) == allowed.end()) allowed.push_back(r->method);
      if (request.method == "HEAD" && r->method == "GET" && (!best_get || more_specific(*r, *best_get)))
        best_get = r.get();
    }
  }
  if (!best) best = best_get;
  if (observer_)
    responder = observed(observer_, method_label(request.method), best ? best->pattern : std::string("unmatched"),
                         std::move(responder));
  if (best) {
    best->fill(path, request.route_params);
    best->handler(std::move(request), std::move(responder));
    return;
  }
  if (allowed.empty()) {
    responder.send(HttpResponse::error(404, "not_found", "no route for " + request.path));
    return;
  }
  std::string allow;
  for (const auto& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  auto resp = HttpResponse::error(405, "method_not_allowed",
                                  request.method + " is not allowed on " + request.path);
  resp.headers.add("Allow", std::move(allow));
  responder.send(std::move(resp));
}

Handler Router::handler() const {
  return [this](HttpRequest request, Responder responder) {
    dispatch(std::move(request), std::move(responder));
  };
}

}  // namespace famulor::http
