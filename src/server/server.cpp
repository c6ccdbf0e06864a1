#include "server/server.hpp"

#include <filesystem>
#include <iostream>
#include <algorithm>
#include <cctype>

#include "common/metrics.hpp"
#include "engine/engine_impl.hpp"
#include "server/server_impl.hpp"

namespace famulor::server {

namespace {

bool is_loopback(const std::string& host) {
  return host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

// Reinstalls the store's current workflows (those PUT through /v1/workflows and
// those loaded from files before): a restart keeps what the API installed. A file
// in --workflows DIR with the same id is installed after this and wins.
void install_stored_workflows(Server::Impl& s) {
  store::Store* st = s.engine.impl().journal.store();
  if (st == nullptr) return;
  auto stored = st->current_workflows();
  if (!stored.ok()) {
    s.log("cannot read the stored workflows: " + stored.status().message());
    return;
  }
  for (auto& v : *stored) {
    std::string where = "stored workflow " + v.id + " (version " + std::to_string(v.version) + ")";
    std::vector<Problem> problems;
    auto wf = s.engine.parse(v.definition.dump(), where, &problems);
    if (!wf.ok()) {
      s.log("skipping invalid " + where + ": " + (problems.empty() ? wf.status().message() : problems.front().to_string()));
      continue;
    }
    if (Status is = s.engine.install(std::move(*wf)); !is.ok()) s.log(where + ": " + is.message());
  }
}

}  // namespace

Status forget_workflow(Server::Impl& s, const std::string& id) {
  Status st = s.engine.uninstall(id);
  if (!st.ok()) return st;
  if (store::Store* store = s.engine.impl().journal.store()) {
    Status del = store->delete_workflow(id);
    if (!del.ok() && del.code() != StatusCode::not_found) return del;
  }
  return {};
}

const std::vector<std::string>& voice_platforms() {
  static const std::vector<std::string> names = {"vapi", "retell", "elevenlabs", "famulor", "twilio"};
  return names;
}

std::vector<std::string> split_secrets(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    std::string s = text.substr(i, j - i);
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    if (!s.empty()) out.push_back(std::move(s));
    i = j + 1;
  }
  return out;
}

void Server::Impl::log(const std::string& line) const {
  if (options.log) options.log(line);
  else std::cerr << line << "\n";
}

Value run_ids_json(const std::vector<RunHandle>& runs) {
  Array ids;
  ids.reserve(runs.size());
  for (const auto& h : runs) ids.push_back(Value(h.id()));
  return Value::object({{"run_ids", Value(std::move(ids))}});
}

http::HttpResponse error_response(const Status& st) {
  int code = 500;
  switch (st.code()) {
    case StatusCode::invalid_argument: code = 400; break;
    case StatusCode::not_found: code = 404; break;
    case StatusCode::already_exists:
    case StatusCode::failed_precondition: code = 409; break;
    case StatusCode::unauthenticated: code = 401; break;
    case StatusCode::permission_denied: code = 403; break;
    case StatusCode::resource_exhausted: {
      // The engine's run queue is full (EngineOptions::max_queued_runs): nothing
      // was accepted; the sender should come back shortly.
      auto resp = http::HttpResponse::error(503, "overloaded", st.message());
      resp.headers.set("Retry-After", "1");
      return resp;
    }
    case StatusCode::unavailable: code = 503; break;
    default: break;
  }
  return http::HttpResponse::error(code, to_string(st.code()), st.message());
}

Result<Value> json_body(const http::HttpRequest& request, http::HttpResponse& error) {
  if (request.body.empty()) return Value();
  std::string ct = request.header("Content-Type");
  std::string media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (!http::iequals(media, "application/json")) {
    error = http::HttpResponse::error(415, "unsupported_media_type",
                                      "this route accepts Content-Type: application/json, not '" + ct + "'");
    return Status(StatusCode::invalid_argument, "415");
  }
  auto v = Value::parse(request.body);
  if (!v.ok()) {
    error = http::HttpResponse::error(400, "bad_request", "malformed JSON body: " + v.status().message());
    return v.status();
  }
  return v;
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { stop(); }

Engine& Server::engine() noexcept { return impl_->engine; }

std::uint16_t Server::port() const noexcept { return impl_->http ? impl_->http->port() : 0; }

std::string Server::url() const { return impl_->http ? impl_->http->url() : std::string(); }

http::ServerStats Server::http_stats() const { return impl_->http ? impl_->http->stats() : http::ServerStats{}; }

Status Server::start() {
  Impl& s = *impl_;
  if (s.started) return Status(StatusCode::failed_precondition, "the server is already started");
  const ServerOptions& o = s.options;
  if (!is_loopback(o.host) && !o.insecure_webhooks) {
    // Every inbound route must be signed before it is reachable from elsewhere.
    std::string missing;
    if (o.hook_secrets.empty()) missing = "FAMULOR_SECRET_HOOKS";
    for (const auto& p : voice_platforms()) {
      auto it = o.voice_secrets.find(p);
      if (it != o.voice_secrets.end() && !it->second.empty()) continue;
      std::string name = "FAMULOR_SECRET_" + p;
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      missing += (missing.empty() ? "" : ", ") + name;
    }
    if (!missing.empty())
      return Status(StatusCode::invalid_argument,
                    "listening on " + o.host + " (not loopback) needs " + missing +
                        " so that webhooks and voice platforms are signed, or --insecure-webhooks");
  }

  if (!o.engine.db.empty()) {
    auto t = store::open_sqlite_token_records(o.engine.db);
    if (!t.ok()) return t.status();
    s.tokens = std::move(*t);
  }
  auto reg = connectors::Registry::builtin();
  if (!reg.ok()) return reg.status();
  s.registry = std::make_unique<connectors::Registry>(std::move(*reg));
  if (!o.engine.connectors_dir.empty())
    if (Status st = s.registry->load_dir(o.engine.connectors_dir); !st.ok()) return st;

  install_stored_workflows(s);  // PUT through the API before a restart; files below win
  if (!o.workflows_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.workflows_dir, ec))
      return Status(StatusCode::invalid_argument, "--workflows " + o.workflows_dir + ": not a directory");
    reload_workflows();
  }
  if (Status st = s.engine.start(); !st.ok()) return st;

  add_hook_routes(s);
  add_call_routes(s);
  add_voice_routes(s);
  add_management_routes(s);
  add_ops_routes(s);
  s.router.set_observer([](std::string_view method, std::string_view route, int status) {
    metrics::http_request(method, route, status);
  });
  http::ServerOptions ho;
  ho.host = o.host;
  ho.port = o.port;
  ho.limits.max_body = o.max_body_bytes;
  ho.limits.max_header_bytes = o.max_header_bytes;
  ho.max_connections = o.max_connections;
  ho.header_timeout = o.header_timeout;
  ho.idle_timeout = o.idle_timeout;
  ho.shutdown_grace = o.shutdown_grace;
  // The HTTP server runs on the engine's own threads: a hook's run starts on the
  // thread that read its request and the answer is written from the thread that
  // finished it, without a hand-off between two pools (benchmarks/README.md,
  // ingest_bench). Handlers never block on a run, so they cannot starve it.
  s.http = std::make_unique<http::HttpServer>(s.engine.impl().pool, ho, s.router.handler());
  if (Status st = s.http->start(); !st.ok()) {
    s.http.reset();
    s.engine.stop();
    return st;
  }
  s.started = true;
  s.health = std::make_unique<ConnectorHealth>(s.engine, o.health_interval, [&s](const std::string& l) { s.log(l); });
  s.health->start();
  if (!o.workflows_dir.empty() && o.reload_interval.count() > 0) {
    s.stopping = false;
    s.reloader = std::thread([this] {
      Impl& im = *impl_;
      std::unique_lock lk(im.wake_mu);
      while (!im.wake.wait_for(lk, im.options.reload_interval, [&] { return im.stopping; })) {
        lk.unlock();
        reload_workflows();
        lk.lock();
      }
    });
  }
  return {};
}

std::size_t Server::reload_workflows() {
  Impl& s = *impl_;
  if (s.options.workflows_dir.empty()) return 0;
  std::lock_guard lk(s.reload_mu);
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(s.options.workflows_dir, ec))
    if (e.is_regular_file(ec) && e.path().extension() == ".json") files.push_back(e.path());
  if (ec) {
    s.log("cannot read --workflows " + s.options.workflows_dir + ": " + ec.message());
    return 0;
  }
  std::sort(files.begin(), files.end());
  std::size_t changed = 0;
  std::map<std::string, Impl::Seen> now;
  for (const auto& f : files) {
    const std::string path = f.string();
    Impl::Seen cur{fs::last_write_time(f, ec), fs::file_size(f, ec), {}};
    if (ec) continue;  // vanished between listing and stat: next scan
    auto old = s.seen.find(path);
    if (old != s.seen.end() && old->second.mtime == cur.mtime && old->second.size == cur.size) {
      now.emplace(path, old->second);
      continue;
    }
    cur.workflow = old != s.seen.end() ? old->second.workflow : "";
    std::vector<Problem> problems;
    auto wf = Workflow::parse_file(path, WorkflowParseOptions{.file = path, .catalog = &s.engine.catalog()}, &problems);
    if (!wf.ok()) {
      s.log(std::string(cur.workflow.empty() ? "skipping" : "keeping the installed version of") + " invalid workflow " +
            path + ":");
      if (problems.empty()) s.log("  " + wf.status().message());
      for (const auto& p : problems) s.log("  " + p.to_string());
    } else {
      std::string id = wf->id();
      if (Status st = s.engine.install(std::move(*wf)); !st.ok()) {
        s.log(path + ": " + st.message());
      } else {
        if (!cur.workflow.empty() && cur.workflow != id) (void)forget_workflow(s, cur.workflow);  // the file's id changed
        if (old != s.seen.end()) s.log("reloaded " + path + " (workflow " + id + ")");
        cur.workflow = id;
        ++changed;
      }
    }
    now.emplace(path, std::move(cur));
  }
  for (const auto& [path, seen] : s.seen)
    if (!now.count(path) && !seen.workflow.empty()) {
      (void)forget_workflow(s, seen.workflow);
      s.log("removed " + path + ": uninstalled workflow " + seen.workflow);
      ++changed;
    }
  s.seen = std::move(now);
  return changed;
}

void Server::stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  s.started = false;
  if (s.reloader.joinable()) {
    {
      std::lock_guard lk(s.wake_mu);
      s.stopping = true;
    }
    s.wake.notify_all();
    s.reloader.join();
  }
  if (s.health) s.health->stop();  // checks still in flight report into its shared state
  s.http->stop();     // no new requests; those in progress are answered
  s.engine.stop(s.options.run_grace);  // runs still going stay durable in the store
  cancel_sync_waits(s);  // callers still waiting were answered or dropped with their connections
}

}  // namespace famulor::server
