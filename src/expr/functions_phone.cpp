#include "expr/functions.hpp"
namespace famulor::expr::detail {
void add_phone_functions(std::vector<FunctionDef>&) {}
}
