#include "store/packed_nodes.hpp"

#include <charconv>
#include <cstring>

#include "store/sqlite_db.hpp"
#include "value/json.hpp"

namespace famulor::store::packed {
namespace {

// Appends `,"key":v` at p (room for it is the caller's); returns the new end.
template <std::size_t N>
char* put_int(char* p, const char (&key)[N], std::int64_t v) {
  *p++ = ',';
  *p++ = '"';
  std::memcpy(p, key, N - 1);
  p += N - 1;
  *p++ = '"';
  *p++ = ':';
  return std::to_chars(p, p + 20, v).ptr;
}

void add_text(std::string& out, std::string_view key, std::string_view v) {
  out += ",\"";
  out += key;
  out += "\":";
  detail::write_json_string(out, v);
}

[[noreturn]] void bad(std::string_view what) {
  throw sql::SqlError(StatusCode::data_loss, "stored packed node records: " + std::string(what));
}

std::int64_t int_field(const Value& rec, std::string_view key) {
  const Value* v = rec.find(key);
  if (!v) return 0;
  if (!v->is_int()) bad("'" + std::string(key) + "' is not an integer");
  return v->as_int();
}

std::string text_field(const Value& rec, std::string_view key) {
  const Value* v = rec.find(key);
  if (!v) return {};
  if (!v->is_string()) bad("'" + std::string(key) + "' is not a string");
  return v->as_string();
}

template <typename E>
E enum_field(const Value& rec, std::string_view key, E max) {
  std::int64_t v = int_field(rec, key);
  if (v < 0 || v > static_cast<std::int64_t>(max)) bad("'" + std::string(key) + "' " + std::to_string(v) + " is out of range");
  return static_cast<E>(v);
}

}  // namespace

Record make_record(const Checkpoint& cp, std::string_view output, std::string_view input) {
  Record r;
  r.text.reserve(192 + cp.node_id.size() + cp.port.size() + cp.error.size() + output.size() + input.size());
  append_record(r.text, cp, output, input, &r);
  return r;
}

void append_record(std::string& out, const Checkpoint& cp, std::string_view output, std::string_view input,
                   Record* positions, const Value* output_value) {
  out += "{\"node\":";
  detail::write_json_string(out, cp.node_id);
  // The integers, written into a buffer first (one append, not one per field).
  char buf[256];
  char* p = put_int(buf, "status", static_cast<std::int64_t>(cp.status));
  if (cp.attempts) p = put_int(p, "attempts", cp.attempts);
  if (cp.started_ms) p = put_int(p, "started_ms", cp.started_ms);
  if (cp.finished_ms) p = put_int(p, "finished_ms", cp.finished_ms);
  if (cp.due_ms) p = put_int(p, "due_ms", cp.due_ms);
  if (cp.error_code != StatusCode::ok) p = put_int(p, "error_code", static_cast<std::int64_t>(cp.error_code));
  out.append(buf, p);
  if (!cp.port.empty()) add_text(out, "port", cp.port);
  if (!cp.error.empty()) add_text(out, "error", cp.error);
  if (!input.empty()) {
    out += ",\"input\":";
    if (positions) {
      positions->input_pos = out.size();
      positions->input_len = input.size();
    }
    out += input;
  }
  if (output_value) {
    if (!output_value->is_null()) {
      out += ",\"output\":";
      output_value->dump_to(out);
    }
  } else if (!output.empty()) {
    out += ",\"output\":";
    if (positions) {
      positions->output_pos = out.size();
      positions->output_len = output.size();
    }
    out += output;
  }
  out += '}';
}

std::vector<Checkpoint> unpack(std::string_view run_id, std::string_view text) {
  auto parsed = Value::parse(text);
  if (!parsed.ok()) bad(parsed.status().message());
  if (!parsed->is_array()) bad("not an array");
  std::vector<Checkpoint> out;
  out.reserve(parsed->as_array().size());
  for (auto& rec : parsed->as_array()) {
    if (!rec.is_object()) bad("an element is not an object");
    Checkpoint cp;
    cp.run_id = std::string(run_id);
    cp.node_id = text_field(rec, "node");
    if (cp.node_id.empty()) bad("an element has no 'node'");
    cp.status = enum_field(rec, "status", NodeStatus::cancelled);
    cp.attempts = static_cast<int>(int_field(rec, "attempts"));
    cp.started_ms = int_field(rec, "started_ms");
    cp.finished_ms = int_field(rec, "finished_ms");
    cp.due_ms = int_field(rec, "due_ms");
    cp.port = text_field(rec, "port");
    cp.error_code = enum_field(rec, "error_code", StatusCode::data_loss);
    cp.error = text_field(rec, "error");
    if (Value* v = rec.find("input")) cp.input = std::move(*v);
    if (Value* v = rec.find("output")) cp.output = std::move(*v);
    // A node recorded twice in one batch (waiting, then resolved): the later wins.
    bool replaced = false;
    for (auto& earlier : out)
      if (earlier.node_id == cp.node_id) {
        earlier = std::move(cp);
        replaced = true;
        break;
      }
    if (!replaced) out.push_back(std::move(cp));
  }
  return out;
}

void merge_packed(std::vector<Checkpoint>& rows, std::vector<Checkpoint> packed) {
  for (auto& cp : packed) {
    bool replaced = false;
    for (auto& row : rows)
      if (row.node_id == cp.node_id) {
        row = std::move(cp);
        replaced = true;
        break;
      }
    if (!replaced) rows.push_back(std::move(cp));
  }
}

}  // namespace famulor::store::packed
