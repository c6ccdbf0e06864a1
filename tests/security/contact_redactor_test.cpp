// ContactRedactor: a phone number in every common spelling, and nothing else.
#include <catch2/catch.hpp>

#include "security/contact_redactor.hpp"

using famulor::Value;
using famulor::security::ContactRedactor;

TEST_CASE("a phone number is found however it was written", "[security][privacy]") {
  auto r = ContactRedactor::phone("+4930123456789").value();
  for (const char* text : {"+4930123456789", "+49 30 123456789", "+49 (30) 123456789", "+49-30-1234-56789",
                           "0049 30 123456789", "030 123456789", "(030) 123456789", "030/123456789",
                           "030-123-456-789", "4930123456789", "tel:+49-30-123456789"}) {
    INFO(text);
    std::string s = std::string("Caller ") + text + ", thanks.";
    CHECK(r->redact_text(s) == 1);
    CHECK(s.find("123") == std::string::npos);
    CHECK(s.find("[erased]") != std::string::npos);
    CHECK(s.rfind(", thanks.") == s.size() - 9);  // the text around stays
  }
  // Other numbers, longer or shorter digit runs, and digits glued to a word stay.
  for (const char* text : {"+4930123456780", "+49301234567890", "30123456", "order 99930123456789",
                           "id x4930123456789", "+4940123456789"}) {
    INFO(text);
    std::string s = text;
    CHECK(r->redact_text(s) == 0);
    CHECK(s == text);
  }
  std::string two = "call 030 123456789 or 040 7654321";
  CHECK(r->redact_text(two) == 1);
  CHECK(two == "call [erased] or 040 7654321");
}

TEST_CASE("a US number and its national forms", "[security][privacy]") {
  auto r = ContactRedactor::phone("+14155552671").value();
  for (const char* text : {"(415) 555-2671", "415-555-2671", "1-415-555-2671", "+1 415 555 2671", "011 1 415 555 2671",
                           "415.555.2671"}) {
    INFO(text);
    std::string s = text;
    CHECK(r->redact_text(s) == 1);
    CHECK(s == "[erased]");
  }
}

TEST_CASE("JSON values: strings, keys and integers", "[security][privacy]") {
  auto r = ContactRedactor::phone("+4930123456789").value();
  Value v = Value::parse(R"({"from": "+49 30 123456789", "n": 4930123456789, "other": "+4940111222333",
                             "vars": {"+4930123456789": {"name": "Jane"}},
                             "turns": [{"text": "my number is 030 123456789"}]})")
                .value();
  CHECK(r->redact(v) == 4);
  std::string out = v.dump();
  INFO(out);
  CHECK(out.find("123456789") == std::string::npos);
  CHECK(out.find("+4940111222333") != std::string::npos);
  CHECK(out.find("Jane") != std::string::npos);
}

TEST_CASE("e-mail addresses match case-insensitively", "[security][privacy]") {
  auto r = ContactRedactor::email("Jane.Doe@Example.com").value();
  std::string s = "from JANE.DOE@example.COM and jane.doe@example.com, not john@example.com";
  CHECK(r->redact_text(s) == 2);
  CHECK(s == "from [erased] and [erased], not john@example.com");
  CHECK_FALSE(ContactRedactor::email("not-an-address").ok());
  CHECK_FALSE(ContactRedactor::phone("030 123456").ok());  // needs E.164
  CHECK_FALSE(ContactRedactor::phone("+12").ok());
}
