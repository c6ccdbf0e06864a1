#include "connectors/registry.hpp"


#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace famulor::connectors {

Result<Registry> Registry::builtin() {
  Registry r;
  std::string errors;
  for (auto& e : embedded_manifests()) {
    auto m = parse_manifest_text(e.json, std::string("builtin:") + e.file);
    if (!m.ok()) {
      errors += (errors.empty() ? "" : "\n") + m.status().message();
      continue;
    }
    if (auto s = r.add(std::move(*m)); !s.ok()) errors += (errors.empty() ? "" : "\n") + s.message();
  }
  if (!errors.empty()) return invalid_argument(errors);
  return r;
}

Status Registry::load_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return not_found("connectors directory " + dir + " does not exist");
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string errors;
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto m = parse_manifest_text(ss.str(), f.string());
    if (!m.ok()) {
      errors += (errors.empty() ? "" : "\n") + m.status().message();
      continue;
    }
    if (auto s = add(std::move(*m)); !s.ok()) errors += (errors.empty() ? "" : "\n") + s.message();
  }
  if (!errors.empty()) return invalid_argument(errors);
  return {};
}

Status Registry::add(Manifest manifest) {
  std::string app = manifest.app;
  apps_[app] = std::make_shared<const Manifest>(std::move(manifest));
  return {};
}

void Registry::add_shared(std::shared_ptr<const Manifest> manifest) {
  std::string app = manifest->app;
  apps_[app] = std::move(manifest);
}

const Manifest* Registry::find(std::string_view app) const {
  auto it = apps_.find(app);
  return it == apps_.end() ? nullptr : it->second.get();
}

std::shared_ptr<const Manifest> Registry::manifest(std::string_view app) const {
  auto it = apps_.find(app);
  return it == apps_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Manifest>> Registry::apps() const {
  std::vector<std::shared_ptr<const Manifest>> out;
  for (auto& [_, m] : apps_) out.push_back(m);
  return out;
}

NodeTypeInfo node_type_info(const Manifest& m, const Operation& op) {
  NodeTypeInfo info;
  info.type = m.app + "." + op.name;
  info.description = op.description.empty() ? m.title + ": " + op.name : m.title + ": " + op.description;
  for (auto& p : op.params) {
    ParamSpec s;
    s.name = p.name;
    s.types = p.types;
    s.required = p.required && p.default_value.is_null();
    s.description = p.description;
    info.params.push_back(std::move(s));
  }
  if (op.pagination.kind != Pagination::Kind::none) {
    ParamSpec s;
    s.name = "max_pages";
    s.types = {Value::Type::integer};
    s.description = "Pages to fetch at most (default 10); the output is every item of every page.";
    info.params.push_back(std::move(s));
  }
  return info;
}

std::vector<NodeTypeInfo> Registry::node_types() const {
  std::vector<NodeTypeInfo> out;
  for (auto& [_, m] : apps_)
    for (auto& [__, op] : m->operations) out.push_back(node_type_info(*m, op));
  return out;
}

Value Registry::describe(const Manifest& m) const {
  Array auth;
  for (auto& a : m.auth) auth.push_back(Value(std::string(to_string(a.kind))));
  Array ops;
  for (auto& [name, op] : m.operations) {
    Array params;
    for (auto& p : op.params) {
      Array types;
      for (auto t : p.types) types.push_back(Value(std::string(to_string(t))));
      Value pv = Value::object({{"name", p.name}, {"required", p.required}, {"description", p.description}});
      if (!types.empty()) pv["type"] = Value(std::move(types));
      params.push_back(std::move(pv));
    }
    ops.push_back(Value::object({{"type", m.app + "." + name},
                                 {"method", op.method},
                                 {"path", op.path},
                                 {"description", op.description},
                                 {"params", Value(std::move(params))}}));
  }
  return Value::object({{"app", m.app},
                        {"title", m.title},
                        {"category", m.category},
                        {"description", m.description},
                        {"docs", m.docs_url},
                        {"base_url", m.base_url},
                        {"auth", Value(std::move(auth))},
                        {"idempotency_header", m.idempotency_header.empty() ? Value() : Value(m.idempotency_header)},
                        {"rate_limit", m.rate_limit_per_second > 0 ? Value::object({{"per_second", m.rate_limit_per_second},
                                                                                    {"burst", m.rate_limit_burst}})
                                                                   : Value()},
                        {"health_check", m.health.has_value()},
                        {"operations", Value(std::move(ops))}});
}

const Registry& builtin_registry() {
  static const Registry registry = [] {
    auto r = Registry::builtin();
    return r.ok() ? std::move(*r) : Registry();
  }();
  return registry;
}

}  // namespace famulor::connectors
