// security/contact_redactor.hpp — finds one person's phone number or e-mail address
// in stored data, however it was written, and replaces it with "[erased]"
// (famulor privacy erase).
//
// A phone number is given in E.164 ("+4930123456789"). In stored text, every run
// of digits and phone punctuation (spaces, - . / ( ) +) whose digits spell that
// number — E.164 with or without "+", with an international prefix (00, 011), or
// in the national form with its trunk prefix ("030 1234 56789") — is replaced; a
// longer or shorter digit run is not. Numbers stored as JSON integers count too.
// An e-mail address matches case-insensitively. Object keys are redacted as well.
//
// Thread-safety: immutable after construction; use from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "famulor/status.hpp"
#include "store/store.hpp"

namespace famulor::security {

class ContactRedactor final : public store::ContactRedactor {
 public:
  // invalid_argument when the number is not a valid E.164 phone number.
  static Result<std::unique_ptr<ContactRedactor>> phone(const std::string& e164);
  // invalid_argument when it does not look like an address (local@domain).
  static Result<std::unique_ptr<ContactRedactor>> email(const std::string& address);

  std::size_t redact(Value& value) const override;
  std::size_t redact_text(std::string& text) const override;

  // The digit strings that count as this phone number (tests, --dry-run output).
  const std::vector<std::string>& phone_digits() const noexcept { return digits_; }

 private:
  ContactRedactor() = default;
  std::vector<std::string> digits_;  // phone: accepted digit spellings
  std::string email_;                // lower-case address
};

}  // namespace famulor::security
