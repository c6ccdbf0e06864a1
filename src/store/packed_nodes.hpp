// store/packed_nodes.hpp — the packed form of a finished run's node records
// (internal to src/store).
//
// Most runs of a fast workflow finish within the group-commit window, so their
// node checkpoints and their outcome reach the writer in one batch. The writer
// then stores those checkpoints as one JSON array in the run's own row
// (`runs.nodes`) with the outcome — one statement instead of one row per node.
// Each element is one record object with the checkpoint table's column names:
//   {"node":"crm","status":3,"attempts":1,"started_ms":..,"finished_ms":..,
//    "due_ms":..,"port":"true","error_code":..,"error":"..","input":{..},"output":{..}}
// (fields at their default — 0, "", null — are left out). Checkpoints committed
// in earlier transactions stay rows of `checkpoints`; a packed record of the
// same node is newer and wins (see merge_packed).
//
// Thread-safety: plain functions on values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace famulor::store::packed {

// One node's record as JSON text, built on the caller's thread. `output` and
// `input` (compact JSON, "" = null) are copied into it once; their positions are
// kept so that the writer can also bind them alone (as a checkpoints row).
struct Record {
  std::string text;
  std::size_t output_pos = 0, output_len = 0;
  std::size_t input_pos = 0, input_len = 0;
  std::string_view output() const { return std::string_view(text).substr(output_pos, output_len); }
  std::string_view input() const { return std::string_view(text).substr(input_pos, input_len); }
};

Record make_record(const Checkpoint& cp, std::string_view output, std::string_view input);
// The same record appended to `out` (an element of a packed array); `positions`,
// when given, receives where output and input start in `out`.
// With `output_value`, the output is written from it (and `output` is ignored).
void append_record(std::string& out, const Checkpoint& cp, std::string_view output, std::string_view input,
                   Record* positions = nullptr, const Value* output_value = nullptr);

// The checkpoints of packed array `text` (run_id set on each; the later of two
// records of one node wins). Throws sql::SqlError(data_loss) when it is not a
// packed array.
std::vector<Checkpoint> unpack(std::string_view run_id, std::string_view text);

// Adds `packed` to `rows` (the checkpoints table's rows of the same run): a packed
// record replaces the row of its node.
void merge_packed(std::vector<Checkpoint>& rows, std::vector<Checkpoint> packed);

}  // namespace famulor::store::packed
