// --workflows DIR reload: changed files install a new version, invalid ones keep
// the old version (with located problems logged), removed ones are uninstalled.
#include <catch2/catch.hpp>

#include "server_fixture.hpp"

using famulor::test::Files;
using famulor::test::ServerFixture;

namespace {

std::string echo(const std::string& value) {
  return R"({"id":"echo","trigger":{"type":"webhook","path":"echo","sync":true},"nodes":[{"id":"r","type":"respond","params":{"value":")" +
         value + R"("}}]})";
}

// Rewrites a file and moves its mtime forward, so the change is seen whatever the
// file system's timestamp granularity.
void rewrite(const std::filesystem::path& p, const std::string& text) {
  auto before = std::filesystem::exists(p) ? std::filesystem::last_write_time(p)
                                           : std::filesystem::file_time_type::clock::now();
  std::ofstream(p, std::ios::trunc) << text;
  std::filesystem::last_write_time(p, before + std::chrono::seconds(2));
}

}  // namespace

TEST_CASE("reload: changed, invalid and removed workflow files", "[server][reload]") {
  auto logged = std::make_shared<std::vector<std::string>>();
  ServerFixture f(Files{{"echo.json", echo("one")}}, [logged](famulor::server::ServerOptions& o) {
    o.reload_interval = std::chrono::milliseconds(0);  // the test drives the scans
    o.log = [logged](const std::string& l) { logged->push_back(l); };
  });
  auto wf = f.dir / "wf" / "echo.json";
  CHECK(f.send("POST", "/v1/hooks/echo", "{}").body == "\"one\"");
  CHECK(f.server->reload_workflows() == 0);  // nothing changed

  rewrite(wf, echo("two"));
  CHECK(f.server->reload_workflows() == 1);
  CHECK(f.send("POST", "/v1/hooks/echo", "{}").body == "\"two\"");

  rewrite(wf, "{\"id\":\"echo\",\n \"nodes\": [{\"id\": \"x\"}]}");
  CHECK(f.server->reload_workflows() == 0);
  CHECK(f.send("POST", "/v1/hooks/echo", "{}").body == "\"two\"");  // the old version stays
  std::string all;
  for (auto& l : *logged) all += l + "\n";
  CHECK(all.find("keeping the installed version") != std::string::npos);
  CHECK(all.find("echo.json:2:") != std::string::npos);

  rewrite(f.dir / "wf" / "other.json", R"({"id":"other","trigger":{"type":"manual"},"nodes":[]})");
  CHECK(f.server->reload_workflows() == 1);
  CHECK(f.server->engine().workflow("other").has_value());

  std::filesystem::remove(wf);
  CHECK(f.server->reload_workflows() == 1);
  CHECK(f.send("POST", "/v1/hooks/echo", "{}").status == 404);
}
