// GET /metrics, GET /v1/health/connectors and /v1/credentials over real HTTP.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/io_pool.hpp"
#include "common/metrics.hpp"
#include "connectors/registry.hpp"
#include "connectors/sandbox.hpp"
#include "connectors/sandbox_server.hpp"
#include "engine/engine_impl.hpp"
#include "server_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_http_server.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;
using namespace famulor;

namespace {

struct EnvVar {
  EnvVar(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~EnvVar() { ::unsetenv(name_); }
  const char* name_;
};

// One sample line of the text format: name{labels} value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses the exposition text; fails the test on a line that is not valid 0.0.4.
std::vector<Sample> parse_metrics(const std::string& text) {
  static const std::regex line_re(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  static const std::regex label_re(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  std::vector<Sample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, line_re));
    Sample s;
    s.name = m[1];
    std::string labels = m[3];
    for (std::sregex_iterator it(labels.begin(), labels.end(), label_re), end; it != end; ++it)
      s.labels[(*it)[1]] = (*it)[2];
    s.value = std::stod(m[4]);
    out.push_back(std::move(s));
  }
  return out;
}

// The value of the sample with that name and (at least) those labels; -1 when absent.
double value_of(const std::vector<Sample>& all, const std::string& name, std::map<std::string, std::string> labels) {
  for (auto& s : all) {
    if (s.name != name) continue;
    bool match = true;
    for (auto& [k, v] : labels) match = match && s.labels.count(k) && s.labels.at(k) == v;
    if (match) return s.value;
  }
  return -1;
}

std::string write_key(const famulor::test::TempDir& dir) {
  std::string path = (dir / "master.key").string();
  std::ofstream(path) << "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n";  // base64 of 32 bytes
  return path;
}

const char* kTwoNodes = R"({"id":"metered","trigger":{"type":"webhook","path":"metered","sync":true},
  "nodes":[{"id":"a","type":"set","params":{"fields":{"x":1}}},
           {"id":"b","type":"noop","after":"a"}]})";

}  // namespace

TEST_CASE("GET /metrics: Prometheus text with runs and node histograms and HTTP requests and needs a viewer token",
          "[server][metrics]") {
  ServerFixture f(Files{{"metered.json", kTwoNodes}});
  REQUIRE(f.send("POST", "/v1/hooks/metered", "{}").status == 200);
  REQUIRE(f.send("POST", "/v1/hooks/metered", "{}").status == 200);
  REQUIRE(f.send("GET", "/v1/nowhere").status == 404);

  CHECK(f.send("GET", "/metrics").status == 401);
  auto r = f.send("GET", "/metrics", "", {{"Authorization", "Bearer " + f.token("viewer")}});
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type").find("text/plain; version=0.0.4") == 0);
  auto all = parse_metrics(r.body);
  CHECK(value_of(all, "famulor_runs_started_total", {{"workflow", "metered"}}) >= 2);
  CHECK(value_of(all, "famulor_runs_finished_total", {{"workflow", "metered"}, {"status", "succeeded"}}) >= 2);
  CHECK(value_of(all, "famulor_node_duration_seconds_count", {{"type", "set"}, {"status", "succeeded"}}) >= 2);
  CHECK(value_of(all, "famulor_http_requests_total",
                 {{"method", "POST"}, {"route", "/v1/hooks/{path...}"}, {"status", "200"}}) >= 2);
  CHECK(value_of(all, "famulor_http_requests_total", {{"route", "unmatched"}, {"status", "404"}}) >= 1);
  CHECK(value_of(all, "famulor_live_runs", {}) >= 0);
  // Histograms: cumulative buckets, +Inf equals _count.
  for (auto& s : all) {
    if (s.name != "famulor_node_duration_seconds_count") continue;
    double inf = value_of(all, "famulor_node_duration_seconds_bucket",
                          {{"type", s.labels["type"]}, {"status", s.labels["status"]}, {"le", "+Inf"}});
    CHECK(inf == s.value);
    double prev = 0;
    for (auto& b : all)
      if (b.name == "famulor_node_duration_seconds_bucket" && b.labels["type"] == s.labels["type"] &&
          b.labels["status"] == s.labels["status"]) {
        CHECK(b.value >= prev);
        prev = b.value;
      }
  }
}

TEST_CASE("metrics_open serves /metrics without a token and connector calls and errors by app and operation",
          "[server][metrics]") {
  detail::IoPool pool(1);
  pool.start();
  auto reg = connectors::Registry::builtin();
  REQUIRE(reg.ok());
  connectors::SandboxServer sandbox(pool, *reg);
  REQUIRE(sandbox.start().ok());
  const char* wf = R"({"id":"alerting","trigger":{"type":"webhook","path":"alert","sync":true},
    "nodes":[{"id":"post","type":"slack.post_message","credential":"slack","params":{"channel":"#sales","text":"hi"}}]})";
  {
    ServerFixture f(Files{{"alerting.json", wf}}, [&](server::ServerOptions& o) {
      o.metrics_open = true;
      o.engine.sandbox_url = sandbox.url();
    });
    auto before = parse_metrics(f.send("GET", "/metrics").body);
    double calls0 = std::max(0.0, value_of(before, "famulor_connector_calls_total", {{"app", "slack"}, {"operation", "post_message"}}));
    double errors0 = std::max(0.0, value_of(before, "famulor_connector_errors_total", {{"app", "slack"}, {"operation", "post_message"}}));
    REQUIRE(f.send("POST", "/v1/hooks/alert", "{}").status == 200);
    (void)sandbox.sandbox().handle("POST", "/_sandbox/fail", {}, R"({"app":"slack","operation":"post_message","status":400,"body":{"ok":false,"error":"channel_not_found"}})");  // not the health thread's auth.test
    CHECK(f.send("POST", "/v1/hooks/alert", "{}").status >= 400);
    auto r = f.send("GET", "/metrics");
    REQUIRE(r.status == 200);
    auto after = parse_metrics(r.body);
    CHECK(value_of(after, "famulor_connector_calls_total", {{"app", "slack"}, {"operation", "post_message"}}) == calls0 + 2);
    CHECK(value_of(after, "famulor_connector_errors_total", {{"app", "slack"}, {"operation", "post_message"}}) == errors0 + 1);
    CHECK(value_of(after, "famulor_runs_finished_total", {{"workflow", "alerting"}, {"status", "failed"}}) >= 1);
  }
  sandbox.stop();
  pool.stop();
}

TEST_CASE("/v1/credentials: admin only and values never returned and fields checked against the app", "[server][credentials]") {
  famulor::test::TempDir keydir;
  std::string key = write_key(keydir);
  ServerFixture f({}, [&](server::ServerOptions& o) {
    o.engine.master_key_file = key;
    o.health_interval = std::chrono::hours(1);
  });
  const std::string body = R"({"connector":"hubspot","fields":{"access_token":"pat-na1-VERYSECRET"}})";
  for (const char* role : {"", "viewer", "operator"}) {
    std::map<std::string, std::string> h;
    if (*role) h["Authorization"] = "Bearer " + f.token(role);
    int want = *role ? 403 : 401;
    CHECK(f.send("GET", "/v1/credentials", "", h).status == want);
    CHECK(f.send("GET", "/v1/credentials/hs", "", h).status == want);
    CHECK(f.send("PUT", "/v1/credentials/hs", body, h).status == want);
    CHECK(f.send("DELETE", "/v1/credentials/hs", "", h).status == want);
  }
  std::map<std::string, std::string> admin{{"Authorization", "Bearer " + f.token("admin")}};
  auto put = f.send("PUT", "/v1/credentials/hs", body, admin);
  REQUIRE(put.status == 201);
  CHECK(put.body.find("VERYSECRET") == std::string::npos);
  CHECK(ServerFixture::json(put)["fields"].as_array()[0].as_string() == "access_token");
  CHECK(f.send("PUT", "/v1/credentials/hs", body, admin).status == 200);  // replaced

  auto list = f.send("GET", "/v1/credentials", "", admin);
  REQUIRE(list.status == 200);
  CHECK(list.body.find("VERYSECRET") == std::string::npos);
  auto rows = ServerFixture::json(list)["credentials"];
  REQUIRE(rows.size() == 1);
  CHECK(rows.as_array()[0].get_string("connector") == "hubspot");
  CHECK(rows.as_array()[0].find("readable")->as_bool());
  auto one = f.send("GET", "/v1/credentials/hs", "", admin);
  REQUIRE(one.status == 200);
  CHECK(one.body.find("VERYSECRET") == std::string::npos);
  CHECK(f.send("GET", "/v1/credentials/nope", "", admin).status == 404);

  // Bad input says where and what.
  auto unknown = f.send("PUT", "/v1/credentials/x", R"({"connector":"nosuchapp","fields":{"a":"b"}})", admin);
  CHECK(unknown.status == 422);
  CHECK(ServerFixture::json(unknown)["error"]["message"].as_string().find("nosuchapp") != std::string::npos);
  auto wrong = f.send("PUT", "/v1/credentials/x", R"({"connector":"zendesk","fields":{"colour":"blue"}})", admin);
  CHECK(wrong.status == 422);
  CHECK(f.send("PUT", "/v1/credentials/x", R"({"fields":{"a":"b"}})", admin).status == 400);
  CHECK(f.send("PUT", "/v1/credentials/x", "not json", admin).status == 400);
  CHECK(f.send("PUT", "/v1/credentials/x", body, {{"Authorization", admin["Authorization"]}, {"Content-Type", "text/plain"}}).status == 415);

  // The engine reads what the API stored (same vault).
  CHECK(f.server->engine().impl().connectors->vault->get("hs")->fields.get_string("access_token") == "pat-na1-VERYSECRET");
  CHECK(f.send("DELETE", "/v1/credentials/hs", "", admin).status == 204);
  CHECK(f.send("DELETE", "/v1/credentials/hs", "", admin).status == 404);
}

TEST_CASE("/v1/credentials without a master key: 503 that says how to make one", "[server][credentials]") {
  const char* old = std::getenv("FAMULOR_MASTER_KEY");
  std::string saved = old ? old : "";
  ::unsetenv("FAMULOR_MASTER_KEY");
  {
    ServerFixture f;
    std::map<std::string, std::string> admin{{"Authorization", "Bearer " + f.token("admin")}};
    auto r = f.send("PUT", "/v1/credentials/hs", R"({"connector":"hubspot","fields":{"access_token":"x"}})", admin);
    CHECK(r.status == 503);
    CHECK(ServerFixture::json(r)["error"]["message"].as_string().find("FAMULOR_MASTER_KEY") != std::string::npos);
    CHECK(f.send("GET", "/v1/credentials", "", admin).status == 200);  // listing needs no key
  }
  if (old) ::setenv("FAMULOR_MASTER_KEY", saved.c_str(), 1);
}

TEST_CASE("GET /v1/health/connectors answers from the cache: checking then ok or error", "[server][health]") {
  test::FakeHttpServer slack, hubspot;
  // Slack's auth.test is slow (held until released): the route must not wait for it.
  slack.on("POST", "/auth.test",
           test::FakeResponse::json(200, R"({"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"famulor","team_id":"T1","user_id":"U1"})")
               .hold());
  hubspot.on("GET", "/crm/v3/objects/contacts",
             test::FakeResponse::json(401, R"({"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"})"));
  EnvVar s("FAMULOR_SLACK_BASE_URL", slack.url());
  EnvVar h("FAMULOR_HUBSPOT_BASE_URL", hubspot.url());
  famulor::test::TempDir keydir;
  std::string key = write_key(keydir);
  ServerFixture f({}, [&](server::ServerOptions& o) { o.engine.master_key_file = key; });
  std::map<std::string, std::string> admin{{"Authorization", "Bearer " + f.token("admin")}};
  std::map<std::string, std::string> viewer{{"Authorization", "Bearer " + f.token("viewer")}};
  CHECK(f.send("GET", "/v1/health/connectors").status == 401);
  auto empty = f.send("GET", "/v1/health/connectors", "", viewer);
  REQUIRE(empty.status == 200);
  CHECK(ServerFixture::json(empty)["connectors"].size() == 0);

  REQUIRE(f.send("PUT", "/v1/credentials/slack-main", R"({"connector":"slack","fields":{"access_token":"xoxb-1"}})", admin).status == 201);
  REQUIRE(f.send("PUT", "/v1/credentials/hs", R"({"connector":"hubspot","fields":{"access_token":"pat-bad"}})", admin).status == 201);

  auto state_of = [&](const std::string& cred) -> Value {
    auto v = ServerFixture::json(f.send("GET", "/v1/health/connectors", "", viewer));
    for (auto& row : v["connectors"].as_array())
      if (row.get_string("credential") == cred) return row;
    return Value();
  };
  // Poll until both appear (the PUT wakes the checker); slack cannot have answered yet.
  Value sl;
  test::eventually([&] { return !(sl = state_of("slack-main")).is_null(); });
  REQUIRE(sl.is_object());
  CHECK(sl.get_string("app") == "slack");
  CHECK(sl.get_string("state") == "checking");
  slack.release_held();

  Value hs;
  test::eventually(
      [&] {
        hs = state_of("hs");
        sl = state_of("slack-main");
        return hs.is_object() && hs.get_string("state") != "checking" && sl.get_string("state") != "checking";
      },
      test::kEventually, std::chrono::milliseconds(20));
  CHECK(sl.get_string("state") == "ok");
  CHECK(sl.find("checked_at")->is_string());
  REQUIRE(hs.is_object());
  CHECK(hs.get_string("state") == "error");
  CHECK(hs["error"].get_string("code") == "unauthenticated");
  CHECK(hs.dump().find("pat-bad") == std::string::npos);
}

TEST_CASE("injection latency and deadline misses reach /metrics as a histogram and a counter", "[server][metrics]") {
  ServerFixture f({}, [](server::ServerOptions& o) { o.metrics_open = true; });
  auto before = parse_metrics(f.send("GET", "/metrics").body);
  double count0 = std::max(0.0, value_of(before, "famulor_injection_latency_seconds_count", {}));
  double misses0 = std::max(0.0, value_of(before, "famulor_injection_deadline_misses_total", {}));
  double fast0 = std::max(0.0, value_of(before, "famulor_injection_latency_seconds_bucket", {{"le", "0.0001"}}));
  metrics::observe_injection(std::chrono::microseconds(80), false);   // within the 100 us bucket
  metrics::observe_injection(std::chrono::milliseconds(300), true);   // partial: a deadline miss
  auto after = parse_metrics(f.send("GET", "/metrics").body);
  CHECK(value_of(after, "famulor_injection_latency_seconds_count", {}) == count0 + 2);
  CHECK(value_of(after, "famulor_injection_deadline_misses_total", {}) == misses0 + 1);
  CHECK(value_of(after, "famulor_injection_latency_seconds_bucket", {{"le", "0.0001"}}) == fast0 + 1);
  CHECK(value_of(after, "famulor_injection_latency_seconds_bucket", {{"le", "+Inf"}}) == count0 + 2);
}
