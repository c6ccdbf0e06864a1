// Reading the workflow document: top-level fields, settings, the trigger object and
// the node lists (nested foreach bodies included) into a Model.
#include <string>

#include "common/duration.hpp"
#include "workflow/catalog.hpp"
#include "workflow/model.hpp"
#include "workflow/suggest.hpp"

namespace famulor::detail {
namespace {

std::string type_name(const Value& v) { return std::string(to_string(v.type())); }

bool workflow_id_ok(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool env_name_ok(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void read_settings(const Value& v, const std::string& path, Model& m, ProblemSink& sink) {
  if (!v.is_object()) {
    sink.at(path, "`settings` must be an object, not " + type_name(v));
    return;
  }
  m.settings = v;
  static const std::vector<std::string> keys = {"vars", "env", "error_workflow", "timeout", "concurrency",
                                                "store_transcript"};
  for (const auto& [key, val] : v.as_object()) {
    std::string p = member(path, key);
    if (key == "vars") {
      if (!val.is_object()) sink.at(p, "settings.vars must be an object, not " + type_name(val));
    } else if (key == "env") {
      if (!val.is_array()) {
        sink.at(p, "settings.env must be an array of environment variable names, not " + type_name(val));
        continue;
      }
      for (std::size_t i = 0; i < val.as_array().size(); ++i) {
        const Value& n = val.as_array()[i];
        if (!n.is_string() || !env_name_ok(n.as_string())) {
          sink.at(element(p, i), "settings.env entries must be environment variable names ([A-Za-z_][A-Za-z0-9_]*)");
        } else {
          m.allowed_env.push_back(n.as_string());
        }
      }
    } else if (key == "error_workflow") {
      if (!val.is_string() || !workflow_id_ok(val.as_string())) {
        sink.at(p, "settings.error_workflow must be a workflow id (a-z, 0-9, '_', '.', '-')");
      } else if (val.as_string() == m.id) {
        sink.at(p, "settings.error_workflow names this workflow itself");
      }
    } else if (key == "timeout") {
      auto d = duration_from_value(val);
      if (!d.ok()) {
        sink.at(p, "settings.timeout: " + d.status().message());
      } else if (d.value().count() <= 0) {
        sink.at(p, "settings.timeout must be positive");
      }
    } else if (key == "concurrency") {
      if (!val.is_int() || val.as_int() < 1) sink.at(p, "settings.concurrency must be an integer > 0");
    } else if (key == "store_transcript") {
      if (!val.is_bool()) sink.at(p, "settings.store_transcript must be true or false, not " + type_name(val));
    } else if (key.rfind("x-", 0) != 0) {
      sink.at_key(p, "unknown settings key '" + key + "'" + did_you_mean(key, keys));
    }
  }
}

void read_trigger(const Value& v, const std::string& path, Model& m, ProblemSink& sink) {
  if (!v.is_object()) {
    sink.at(path, "`trigger` must be an object {\"type\": ...}, not " + type_name(v));
    return;
  }
  m.trigger.config = v;
  const Value* type = v.find("type");
  if (!type) {
    sink.at(path, "trigger has no \"type\"");
    return;
  }
  if (!type->is_string()) {
    sink.at(member(path, "type"), "trigger type must be a string, not " + type_name(*type));
    return;
  }
  m.trigger.type = type->as_string();
  m.trigger_info = m.catalog->find_trigger(m.trigger.type);
  if (!m.trigger_info) {
    std::vector<std::string> names;
    if (auto* mc = dynamic_cast<const MutableCatalog*>(m.catalog)) {
      names = mc->trigger_types();
    } else {
      for (const auto& t : builtin_trigger_types()) names.push_back(t.type);
    }
    std::string hint = did_you_mean(m.trigger.type, names);
    sink.at(member(path, "type"), "unknown trigger type '" + m.trigger.type + "'" +
                                      (hint.empty() ? " (types: " + join_names(names) + ")" : hint));
  }
}

void read_list(const Value& list, const std::string& path, int owner, Model& m, ProblemSink& sink) {
  int list_index = static_cast<int>(m.lists.size());
  m.lists.push_back(NodeList{owner, path, {}, true, {}});
  if (!list.is_array()) return;  // the param check reports the type
  for (std::size_t i = 0; i < list.as_array().size(); ++i) {
    std::string p = element(path, i);
    NodeEntry e = read_node(list.as_array()[i], p, sink);
    e.list = list_index;
    if (!e.spec.type.empty()) {
      e.info = m.catalog->find_node(e.spec.type);
      if (!e.info) {
        sink.at(member(p, "type"), node_label(e) + " has unknown type '" + e.spec.type + "'" +
                                       did_you_mean(e.spec.type, m.catalog->node_types()));
      }
    }
    int index = static_cast<int>(m.nodes.size());
    const NodeTypeInfo* info = e.info;
    Value params = e.spec.params;
    m.nodes.push_back(std::move(e));
    m.lists[list_index].members.push_back(index);
    if (!info) continue;
    for (const ParamSpec& ps : info->params) {
      if (ps.kind != ParamSpec::Kind::nodes) continue;
      if (const Value* body = params.find(ps.name); body && body->is_array()) {
        read_list(*body, member(member(p, "params"), ps.name), index, m, sink);
      }
    }
  }
}

}  // namespace

Model read_document(const Value& root, const Catalog& catalog, ProblemSink& sink) {
  Model m;
  m.catalog = &catalog;
  m.trigger.type = "manual";
  m.trigger.config = Value::object({{"type", "manual"}});
  m.trigger_info = catalog.find_trigger("manual");
  if (!root.is_object()) {
    sink.at("$", "a workflow must be a JSON object, not " + type_name(root));
    m.lists.push_back(NodeList{-1, "$.nodes", {}, true, {}});
    return m;
  }
  static const std::vector<std::string> keys = {"id", "name", "description", "version", "trigger", "nodes", "settings"};
  if (const Value* id = root.find("id")) {
    if (!id->is_string() || !workflow_id_ok(id->as_string())) {
      sink.at("$.id", "workflow id must be a string of 1-128 characters a-z, 0-9, '_', '.', '-'");
    } else {
      m.id = id->as_string();
    }
  } else {
    sink.at("$", "workflow has no \"id\"");
  }
  for (const auto& [key, v] : root.as_object()) {
    std::string p = member("$", key);
    if (key == "id" || key == "nodes") {
      continue;
    } else if (key == "name" || key == "description") {
      if (!v.is_string()) sink.at(p, "`" + key + "` must be a string, not " + type_name(v));
      else if (key == "name") m.name = v.as_string();
    } else if (key == "version") {
      if (!v.is_int() || v.as_int() < 1) sink.at(p, "`version` must be an integer >= 1");
      else m.version = v.as_int();
    } else if (key == "trigger") {
      read_trigger(v, p, m, sink);
    } else if (key == "settings") {
      read_settings(v, p, m, sink);
    } else if (key.rfind("x-", 0) != 0) {
      sink.at_key(p, "unknown workflow key '" + key + "'" + did_you_mean(key, keys));
    }
  }
  if (m.name.empty()) m.name = m.id;
  const Value* nodes = root.find("nodes");
  if (!nodes) {
    sink.at("$", "workflow has no \"nodes\" array");
    m.lists.push_back(NodeList{-1, "$.nodes", {}, true, {}});
  } else if (!nodes->is_array()) {
    sink.at("$.nodes", "`nodes` must be an array, not " + type_name(*nodes));
    m.lists.push_back(NodeList{-1, "$.nodes", {}, true, {}});
  } else {
    read_list(*nodes, "$.nodes", -1, m, sink);
  }
  return m;
}

}  // namespace famulor::detail
