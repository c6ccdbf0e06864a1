// Graph checks per node list: duplicate ids, predecessors and ports in `after`,
// self-references, cycles (naming their nodes) and unreachable nodes.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "workflow/model.hpp"
#include "workflow/suggest.hpp"

namespace famulor::detail {
namespace {

// The named ports of a node, or nullopt when unknown (unknown type).
std::optional<std::vector<std::string>> ports_of(const NodeEntry& n) {
  if (!n.info) return std::nullopt;
  if (n.info->dynamic_ports) {
    try {
      return n.info->dynamic_ports(n.spec.params);
    } catch (...) {
      return std::nullopt;  // a host's port function threw: do not guess
    }
  }
  return n.info->ports;
}

void check_duplicates(const Model& m, ProblemSink& sink) {
  std::map<std::string, int, std::less<>> first;
  for (int i = 0; i < static_cast<int>(m.nodes.size()); ++i) {
    const NodeEntry& n = m.nodes[i];
    if (!n.has_id) continue;
    auto [it, inserted] = first.emplace(n.spec.id, i);
    if (!inserted) {
      sink.at(member(n.path, "id"), "duplicate node id '" + n.spec.id + "' (first used at " +
                                        m.nodes[it->second].path + ")");
    }
  }
}

void resolve_edges(Model& m, NodeList& list, ProblemSink& sink) {
  std::map<std::string, int, std::less<>> ids;
  std::vector<std::string> names;
  for (int i : list.members) {
    if (m.nodes[i].has_id && ids.emplace(m.nodes[i].spec.id, i).second) names.push_back(m.nodes[i].spec.id);
  }
  for (int i : list.members) {
    NodeEntry& n = m.nodes[i];
    n.preds.assign(n.spec.after.size(), -1);
    for (std::size_t k = 0; k < n.spec.after.size(); ++k) {
      const Edge& e = n.spec.after[k];
      const std::string& p = n.after_paths[k];
      auto it = ids.find(e.node);
      if (it == ids.end()) {
        bool elsewhere = std::any_of(m.nodes.begin(), m.nodes.end(),
                                     [&](const NodeEntry& o) { return o.has_id && o.spec.id == e.node; });
        if (elsewhere) {
          sink.at(p, node_label(n) + " runs after '" + e.node +
                         "', which is not in the same node list (`after` names siblings only)");
        } else {
          sink.at(p, node_label(n) + " runs after unknown node '" + e.node + "'" + did_you_mean(e.node, names));
        }
        continue;
      }
      if (it->second == i) {
        sink.at(p, node_label(n) + " lists itself in `after`");
        continue;
      }
      const NodeEntry& pred = m.nodes[it->second];
      if (!e.port.empty()) {
        if (e.port == "error") {
          if (pred.spec.on_error != OnError::route) {
            sink.at(p, "port 'error' of '" + e.node + "' exists only when '" + e.node +
                           "' has \"on_error\": \"route\"");
            continue;
          }
        } else if (auto ports = ports_of(pred)) {
          if (std::find(ports->begin(), ports->end(), e.port) == ports->end()) {
            std::string known = ports->empty() ? " (it has only its default port)"
                                               : " (ports: " + join_names(*ports) + ")";
            std::string hint = did_you_mean(e.port, *ports);
            sink.at(p, "node '" + e.node + "' (" + pred.spec.type + ") has no port '" + e.port + "'" +
                           (hint.empty() ? known : hint));
            continue;
          }
        }
      }
      n.preds[k] = it->second;
    }
  }
}

void find_cycles(Model& m, NodeList& list, ProblemSink& sink) {
  std::map<int, int> indegree;
  for (int i : list.members) indegree[i] = 0;
  std::map<int, std::vector<int>> succ;
  for (int i : list.members) {
    for (int p : m.nodes[i].preds) {
      if (p < 0) continue;
      ++indegree[i];
      succ[p].push_back(i);
    }
  }
  std::vector<int> ready;
  for (int i : list.members) {
    if (indegree[i] == 0) ready.push_back(i);
  }
  std::set<int> done;
  for (std::size_t r = 0; r < ready.size(); ++r) {
    int v = ready[r];
    list.topo.push_back(v);
    done.insert(v);
    for (int s : succ[v]) {
      if (--indegree[s] == 0) ready.push_back(s);
    }
  }
  if (list.topo.size() == list.members.size()) return;
  list.acyclic = false;  // topo keeps the nodes that are neither in nor after a cycle
  // Every node left has a predecessor that is left too: walking back from one always
  // closes a cycle. Report each cycle once.
  std::set<int> reported;
  for (int start : list.members) {
    if (done.count(start) || reported.count(start)) continue;
    std::vector<int> walk;
    std::map<int, std::size_t> seen;
    int v = start;
    while (!seen.count(v)) {
      seen[v] = walk.size();
      walk.push_back(v);
      int next = -1;
      for (int p : m.nodes[v].preds) {
        if (p >= 0 && !done.count(p)) {
          next = p;
          break;
        }
      }
      if (next < 0) break;  // cannot happen (see above); stay safe
      v = next;
    }
    if (!seen.count(v)) continue;
    std::vector<int> cycle(walk.begin() + static_cast<std::ptrdiff_t>(seen[v]), walk.end());
    if (std::any_of(cycle.begin(), cycle.end(), [&](int c) { return reported.count(c) > 0; })) continue;
    for (int c : cycle) reported.insert(c);
    std::reverse(cycle.begin(), cycle.end());  // walked against the edges
    auto first = std::min_element(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), first, cycle.end());
    std::string names;
    for (int c : cycle) names += "'" + m.nodes[c].spec.id + "' -> ";
    names += "'" + m.nodes[cycle.front()].spec.id + "'";
    const NodeEntry& head = m.nodes[cycle.front()];
    sink.at(member(head.path, "after"), "cycle: " + names);
  }
}

// An edge can never carry a run onward when its source never runs (disabled or
// unreachable) or never succeeds (except through its error port with on_error
// "route", or its default port with on_error "continue").
std::string dead_reason(const NodeEntry& pred, const Edge& e) {
  if (pred.spec.disabled) return "'" + pred.spec.id + "' is disabled";
  if (pred.unreachable) return "'" + pred.spec.id + "' is unreachable";
  if (pred.info && pred.info->never_succeeds) {
    if (e.port == "error" && pred.spec.on_error == OnError::route) return {};
    if (e.port.empty() && pred.spec.on_error == OnError::continue_run) return {};
    return "'" + pred.spec.id + "' (" + pred.spec.type + ") never succeeds";
  }
  return {};
}

void check_reachability(Model& m, NodeList& list, ProblemSink& sink) {
  for (int i : list.topo) {
    NodeEntry& n = m.nodes[i];
    std::vector<std::string> reasons;
    std::size_t live = 0, dead = 0;
    bool from_unreachable = false;
    for (std::size_t k = 0; k < n.preds.size(); ++k) {
      if (n.preds[k] < 0) continue;
      const NodeEntry& pred = m.nodes[n.preds[k]];
      std::string why = dead_reason(pred, n.spec.after[k]);
      if (why.empty()) {
        ++live;
      } else {
        ++dead;
        from_unreachable = from_unreachable || pred.unreachable;
        reasons.push_back(std::move(why));
      }
    }
    if (dead == 0) continue;
    bool never = n.spec.join == Join::all || live == 0;
    if (!never) continue;
    n.unreachable = true;
    if (n.spec.disabled || from_unreachable) continue;  // report where it starts, not every node after it
    std::string rule = n.spec.join == Join::all && live > 0 ? " (join \"all\" needs every predecessor)" : "";
    sink.at(member(n.path, "after"), node_label(n) + " can never run: " + join_names(reasons) + rule);
  }
}

// {"node": "B"} fallbacks: B is a sibling reserved for it (no `after`, nothing runs
// after it, no fallback node of its own, the fallback of one node only), so that it
// runs only in the failed node's place.
void check_fallbacks(const Model& m, const NodeList& list, ProblemSink& sink) {
  std::map<std::string, int, std::less<>> ids;
  for (int i : list.members)
    if (m.nodes[i].has_id) ids.emplace(m.nodes[i].spec.id, i);
  std::map<int, int> used_by;
  for (int i : list.members) {
    const NodeEntry& n = m.nodes[i];
    const Value* fb = n.spec.raw.is_object() ? n.spec.raw.find("fallback") : nullptr;
    const Value* ref = fb ? fallback_node_ref(*fb) : nullptr;
    if (ref == nullptr || !ref->is_string()) continue;
    const std::string path = member(member(n.path, "fallback"), "node");
    const std::string& target = ref->as_string();
    auto it = ids.find(target);
    if (it == ids.end()) {
      std::vector<std::string> names;
      for (const auto& [id, _] : ids) names.push_back(id);
      sink.at(path, node_label(n) + ": fallback node '" + target + "' is not in the same node list" +
                        did_you_mean(target, names));
      continue;
    }
    const NodeEntry& b = m.nodes[it->second];
    if (it->second == i) {
      sink.at(path, node_label(n) + " cannot be its own fallback");
      continue;
    }
    if (!b.spec.after.empty())
      sink.at(path, node_label(n) + ": fallback node '" + target +
                        "' must have no `after`: it runs only in place of the failed node");
    for (int j : list.members)
      for (const Edge& e : m.nodes[j].spec.after)
        if (e.node == target)
          sink.at(path, node_label(n) + ": fallback node '" + target + "' cannot have nodes after it ('" +
                            m.nodes[j].spec.id + "' runs after it); they read the failed node's output instead");
    if (const Value* bfb = b.spec.raw.is_object() ? b.spec.raw.find("fallback") : nullptr;
        bfb && fallback_node_ref(*bfb) != nullptr)
      sink.at(path, node_label(n) + ": fallback node '" + target + "' has a fallback node itself (no chains)");
    if (auto [u, fresh] = used_by.emplace(it->second, i); !fresh)
      sink.at(path, node_label(n) + ": fallback node '" + target + "' is already the fallback of '" +
                        m.nodes[u->second].spec.id + "'");
  }
}

}  // namespace

const Value* fallback_node_ref(const Value& fallback) noexcept {
  if (!fallback.is_object() || fallback.as_object().size() != 1) return nullptr;
  return fallback.find("node");
}

void check_graph(Model& m, ProblemSink& sink) {
  check_duplicates(m, sink);
  for (NodeList& list : m.lists) {
    resolve_edges(m, list, sink);
    find_cycles(m, list, sink);
    check_reachability(m, list, sink);
    check_fallbacks(m, list, sink);
  }
}

}  // namespace famulor::detail
