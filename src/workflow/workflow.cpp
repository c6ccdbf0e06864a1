// Workflow::parse: the order of the checks, and turning the model into a Workflow.
#include "famulor/workflow.hpp"

#include <fstream>
#include <sstream>

#include "value/json.hpp"
#include "workflow/model.hpp"
#include "workflow/nested.hpp"

namespace famulor {

class WorkflowBuilder {
 public:
  static Workflow build(detail::Model& m, Value definition, std::string file) {
    Workflow w;
    w.id_ = std::move(m.id);
    w.name_ = std::move(m.name);
    w.version_ = m.version;
    w.trigger_ = std::move(m.trigger);
    for (int i : m.lists.front().members) w.nodes_.push_back(std::move(m.nodes[i].spec));
    w.settings_ = std::move(m.settings);
    w.definition_ = std::move(definition);
    w.file_ = std::move(file);
    return w;
  }
};

std::string Problem::to_string() const {
  std::string out = where.file;
  if (where.line > 0) {
    out += ':' + std::to_string(where.line) + ':' + std::to_string(where.column);
  }
  out += ": ";
  out += message;
  if (!where.path.empty()) out += " (at " + where.path + ")";
  return out;
}

namespace {

Status failure(std::vector<Problem>& found, std::vector<Problem>* problems) {
  std::string msg;
  for (const Problem& p : found) {
    if (!msg.empty()) msg += '\n';
    msg += p.to_string();
  }
  if (problems) *problems = std::move(found);
  return invalid_argument(std::move(msg));
}

// "line L, column C (offset O): what" -> (O, what); the whole message when it has no offset.
std::pair<std::size_t, std::string> split_parse_error(const std::string& message) {
  auto at = message.find("(offset ");
  if (at == std::string::npos) return {0, message};
  std::size_t offset = 0;
  std::size_t i = at + 8;
  while (i < message.size() && message[i] >= '0' && message[i] <= '9') offset = offset * 10 + (message[i++] - '0');
  std::string what = message;
  if (auto colon = message.find("): ", i); colon != std::string::npos) what = message.substr(colon + 3);
  return {offset, what};
}

}  // namespace

Result<Workflow> Workflow::parse(std::string_view json, const WorkflowParseOptions& options,
                                 std::vector<Problem>* problems) {
  if (problems) problems->clear();
  const Catalog& catalog = options.catalog ? *options.catalog : default_catalog();
  detail::SourceMap map;
  ParseOptions popts;
  popts.reject_duplicate_keys = true;
  auto doc = detail::parse_json(json, popts, &map);
  detail::ProblemSink sink(options.file, json, &map);
  if (!doc.ok()) {
    auto [offset, what] = split_parse_error(doc.status().message());
    sink.at_offset(offset, "", "invalid JSON: " + what);
    auto found = sink.take();
    return failure(found, problems);
  }
  detail::Model model = detail::read_document(doc.value(), catalog, sink);
  detail::check_graph(model, sink);
  detail::check_params(model, sink);
  detail::check_expressions(model, sink);
  if (!sink.empty()) {
    auto found = sink.take();
    return failure(found, problems);
  }
  return WorkflowBuilder::build(model, std::move(doc.value()), options.file);
}

Result<Workflow> Workflow::parse_file(const std::string& path, WorkflowParseOptions options,
                                      std::vector<Problem>* problems) {
  options.file = path;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    std::vector<Problem> found{Problem{SourceLocation{path, 0, 0, ""}, "cannot read the file"}};
    if (problems) *problems = found;
    return Status(StatusCode::not_found, found.front().to_string());
  }
  return parse(text.str(), options, problems);
}

const NodeSpec* Workflow::find_node(std::string_view id) const noexcept {
  for (const NodeSpec& n : nodes_) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

namespace detail {

std::vector<NodeSpec> nested_nodes(const NodeSpec& node, std::string_view param) {
  std::vector<NodeSpec> out;
  const Value* list = node.params.find(param);
  if (!list || !list->is_array()) return out;
  ProblemSink ignore("", "", nullptr);
  for (const Value& v : list->as_array()) out.push_back(read_node(v, "$", ignore).spec);
  return out;
}

}  // namespace detail
}  // namespace famulor
