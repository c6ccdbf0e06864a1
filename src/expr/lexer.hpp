// expr/lexer.hpp — tokens of the expression language, read on demand from the
// template text so that the parser can stop exactly where `}}` closes a part.
//
// Thread-safety: a Lexer is a cursor over one string; use it from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace famulor::expr::detail {

enum class Tok : std::uint8_t {
  end,       // end of the text
  error,     // `text` holds the message
  integer,   // int_value
  decimal,   // dbl_value
  string,    // text holds the unescaped string
  ident,     // text
  dot, comma, colon, question, coalesce, lparen, rparen, lbracket, rbracket, lbrace, rbrace,
  plus, minus, star, slash, percent, bang, eq, ne, lt, le, gt, ge, and_, or_,
};

struct Token {
  Tok kind = Tok::end;
  std::size_t offset = 0;  // byte offset in the whole template text
  std::size_t end = 0;     // one past the token's last byte
  std::string text;
  std::int64_t int_value = 0;
  double dbl_value = 0;
};

class Lexer {
 public:
  Lexer(std::string_view text, std::size_t pos) noexcept : text_(text), pos_(pos) {}

  // Reads the next token (whitespace skipped).
  Token next();
  // The offset after skipping whitespace from the current position.
  std::size_t skip_space() noexcept;
  std::size_t pos() const noexcept { return pos_; }
  void set_pos(std::size_t p) noexcept { pos_ = p; }

 private:
  Token number(std::size_t start);
  Token string(std::size_t start, char quote);

  std::string_view text_;
  std::size_t pos_;
};

std::string_view tok_name(Tok t) noexcept;

}  // namespace famulor::expr::detail
