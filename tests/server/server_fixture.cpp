#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include "server/auth.hpp"

namespace famulor::test {

ServerFixture::ServerFixture(std::map<std::string, std::string> workflows,
                             std::function<void(server::ServerOptions&)> tweak) {
  db = (dir / "famulor.db").string();
  std::filesystem::create_directories(dir / "wf");
  for (const auto& [name, text] : workflows) std::ofstream(dir / "wf" / name) << text;
  server::ServerOptions o;
  o.port = 0;
  o.engine.db = db;
  o.engine.threads = 2;
  o.workflows_dir = (dir / "wf").string();
  o.log = [](const std::string&) {};
  o.run_grace = std::chrono::milliseconds(100);  // tests park runs on 1 h waits
  // Generous voice deadlines: an answer must not turn partial because this machine
  // is slow (ASan, loaded); tests of the deadline pass deadline_ms or tweak these.
  o.voice_deadline = std::chrono::seconds(30);
  o.voice_tool_deadline = std::chrono::seconds(30);
  if (tweak) tweak(o);
  options = o;
  server = std::make_unique<server::Server>(std::move(o));
  Status st = server->start();
  INFO(st.message());
  REQUIRE(st.ok());
  auto t = store::open_sqlite_token_records(db);  // a second connection, as another process would
  REQUIRE(t.ok());
  tokens = std::move(*t);
}

ServerFixture::~ServerFixture() { server->stop(); }

void ServerFixture::restart() {
  server->stop();
  server.reset();
  server = std::make_unique<server::Server>(options);
  Status st = server->start();
  INFO(st.message());
  REQUIRE(st.ok());
}

std::string ServerFixture::token(const std::string& role) {
  auto r = server::parse_role(role);
  REQUIRE(r);
  auto t = server::create_token(*tokens, *r, "test " + role);
  REQUIRE(t.ok());
  return t->token;
}

RawResponse ServerFixture::send(const std::string& method, const std::string& target, const std::string& body,
                                std::map<std::string, std::string> headers) {
  if (!body.empty() && !headers.count("Content-Type")) headers["Content-Type"] = "application/json";
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  auto r = roundtrip(server->port(), req);
  REQUIRE(r.has_value());
  return *r;
}

Value ServerFixture::json(const RawResponse& r) {
  auto v = Value::parse(r.body);
  return v.ok() ? *v : Value();
}

}  // namespace famulor::test
