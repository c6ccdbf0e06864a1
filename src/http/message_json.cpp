// HttpResponse::json, apart from message.cpp so that users of the server who never
// build a Value do not need the Value implementation at link time.
#include "famulor/value.hpp"
#include "http/message.hpp"

namespace famulor::http {

HttpResponse HttpResponse::json(int status, const Value& value) {
  return json_text(status, value.dump());
}

}  // namespace famulor::http
