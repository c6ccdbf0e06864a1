// connectors/json_path.hpp — the small path language manifests use to pick values
// out of responses: `results`, `choices[0].message.content`, `items.0.id`,
// `content[type=tool_use].input` (first array element whose member equals the
// text). "" is the whole document.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "famulor/value.hpp"

namespace famulor::connectors {

// The value at `path`, or nullptr when any step is missing or the path is malformed.
const Value* find_path(const Value& root, std::string_view path);

}  // namespace famulor::connectors
