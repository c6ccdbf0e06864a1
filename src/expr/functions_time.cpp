#include "expr/functions.hpp"
namespace famulor::expr::detail {
void add_time_functions(std::vector<FunctionDef>&) {}
}
