// SqliteStore::erase_contact: the privacy erase (famulor privacy erase). Rewrites
// every row that mentions the contact, then makes sure no old copy stays in the
// file: secure_delete zeroes what is freed, the WAL is checkpointed and truncated,
// and VACUUM rebuilds the file.
#include "store/sqlite_store_impl.hpp"

namespace famulor::store {
namespace {

// Redacts JSON text in place; true when anything changed. NULL/"" stays as is.
bool redact_json(const ContactRedactor& r, std::string& text, std::size_t& hits) {
  if (text.empty()) return false;
  auto v = Value::parse(text);
  if (!v.ok()) {  // not JSON (should not happen): treat it as text
    std::size_t n = r.redact_text(text);
    hits += n;
    return n > 0;
  }
  std::size_t n = r.redact(*v);
  if (n == 0) return false;
  hits += n;
  text = v->dump();
  return true;
}

bool redact_plain(const ContactRedactor& r, std::string& text, std::size_t& hits) {
  if (text.empty()) return false;
  std::size_t n = r.redact_text(text);
  hits += n;
  return n > 0;
}

// Redacts the output, input and error of each record of a packed node array
// (packed_nodes.hpp) — not the other fields (a timestamp is no phone number);
// true when anything changed. Adds the nodes it touched to `nodes`.
bool redact_packed(const ContactRedactor& r, const std::string& run, std::string& text, std::size_t& hits,
                   std::vector<EraseReport::Node>& nodes) {
  if (text.empty()) return false;
  auto v = Value::parse(text);
  if (!v.ok() || !v->is_array()) return redact_plain(r, text, hits);
  bool changed = false;
  for (auto& rec : v->as_array()) {
    if (!rec.is_object()) continue;
    std::size_t n = 0;
    if (Value* out = rec.find("output")) n += r.redact(*out);
    if (Value* in = rec.find("input")) n += r.redact(*in);
    if (Value* err = rec.find("error"); err && err->is_string()) n += r.redact_text(err->as_string());
    if (n == 0) continue;
    hits += n;
    changed = true;
    nodes.push_back({run, rec.get_string("node")});
  }
  if (changed) text = v->dump();
  return changed;
}

}  // namespace

Result<EraseReport> SqliteStore::erase_contact(const ContactRedactor& redactor, bool dry_run) {
  EraseReport report;
  Status st = run_on_writer([&](sql::Db& db) -> Status {
    if (!dry_run) db.exec("PRAGMA secure_delete = ON");
    struct Row {
      std::string key, key2, a, b, c, d;
      std::int64_t seq = 0;
    };
    std::vector<Row> run_rows, node_rows;
    {
      sql::Transaction tx(db);
      {
        auto s = db.prepare(
            "SELECT r.id, t.trigger, r.response, r.error, r.nodes, r.seq FROM runs r "
            "LEFT JOIN run_triggers t ON t.seq = r.seq");
        while (s.step()) {
          std::string id = s.text(0), trigger = s.text(1), response = s.text(2), error = s.text(3),
                      nodes = s.text(4);
          bool t = redact_json(redactor, trigger, report.replacements);
          bool r = redact_json(redactor, response, report.replacements);
          bool e = redact_plain(redactor, error, report.replacements);
          bool n = redact_packed(redactor, id, nodes, report.replacements, report.nodes);
          if (t || r || e) report.runs.push_back(id);
          if (!(t || r || e || n)) continue;
          run_rows.push_back({id, "", std::move(trigger), std::move(response), std::move(error), std::move(nodes),
                              s.int64(5)});
        }
      }
      // Rows are rewritten after the scan, not under its cursor.
      if (!dry_run)
        for (const auto& r : run_rows) {
          db.prepare("UPDATE runs SET response = ?2, error = ?3, nodes = ?4 WHERE id = ?1")
              .bind(1, r.key)
              .bind(2, r.b, true)
              .bind(3, r.c, true)
              .bind(4, r.d, true)
              .run();
          db.prepare("UPDATE run_triggers SET trigger = ?2 WHERE seq = ?1").bind(1, r.seq).bind(2, r.a, true).run();
        }
      {
        auto s = db.prepare("SELECT run, node, output, input, error FROM checkpoints");
        while (s.step()) {
          std::string run = s.text(0), node = s.text(1), output = s.text(2), input = s.text(3), error = s.text(4);
          bool o = redact_json(redactor, output, report.replacements);
          bool i = redact_json(redactor, input, report.replacements);
          bool e = redact_plain(redactor, error, report.replacements);
          if (!(o || i || e)) continue;
          report.nodes.push_back({run, node});
          node_rows.push_back({std::move(run), std::move(node), std::move(output), std::move(input), std::move(error)});
        }
      }
      if (!dry_run)
        for (const auto& r : node_rows)
          db.prepare("UPDATE checkpoints SET output = ?3, input = ?4, error = ?5 WHERE run = ?1 AND node = ?2")
              .bind(1, r.key)
              .bind(2, r.key2)
              .bind(3, r.a, true)
              .bind(4, r.b, true)
              .bind(5, r.c, true)
              .run();
      tx.commit();
    }
    if (dry_run) return {};
    // No copy may stay behind: in the WAL, in free pages, or in unused cell space.
    truncate_wal(db);
    db.exec("VACUUM");
    truncate_wal(db);
    db.exec("PRAGMA secure_delete = OFF");
    return {};
  });
  if (!st.ok()) return st;
  return report;
}

}  // namespace famulor::store
