#include "expr/lexer.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace famulor::expr::detail {
namespace {

bool is_ident_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Token error_at(std::size_t offset, std::string message) {
  Token t;
  t.kind = Tok::error;
  t.offset = offset;
  t.end = offset;
  t.text = std::move(message);
  return t;
}

}  // namespace

std::size_t Lexer::skip_space() noexcept {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos_;
    } else {
      break;
    }
  }
  return pos_;
}

Token Lexer::next() {
  skip_space();
  Token t;
  t.offset = pos_;
  if (pos_ >= text_.size()) {
    t.kind = Tok::end;
    t.end = pos_;
    return t;
  }
  const char c = text_[pos_];
  const char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
  auto one = [&](Tok k, std::size_t len = 1) {
    t.kind = k;
    pos_ += len;
    t.end = pos_;
    return t;
  };
  if (is_ident_start(c)) {
    std::size_t start = pos_;
    while (pos_ < text_.size() && (is_ident_start(text_[pos_]) || is_digit(text_[pos_]))) ++pos_;
    t.kind = Tok::ident;
    t.text.assign(text_.substr(start, pos_ - start));
    t.end = pos_;
    return t;
  }
  if (is_digit(c)) return number(pos_);
  switch (c) {
    case '"':
    case '\'':
      return string(pos_, c);
    case '.': return one(Tok::dot);
    case ',': return one(Tok::comma);
    case ':': return one(Tok::colon);
    case '?': return n == '?' ? one(Tok::coalesce, 2) : one(Tok::question);
    case '(': return one(Tok::lparen);
    case ')': return one(Tok::rparen);
    case '[': return one(Tok::lbracket);
    case ']': return one(Tok::rbracket);
    case '{': return one(Tok::lbrace);
    case '}': return one(Tok::rbrace);
    case '+': return one(Tok::plus);
    case '-': return one(Tok::minus);
    case '*': return one(Tok::star);
    case '/': return one(Tok::slash);
    case '%': return one(Tok::percent);
    case '!': return n == '=' ? one(Tok::ne, 2) : one(Tok::bang);
    case '=':
      if (n == '=') return one(Tok::eq, 2);
      return error_at(pos_, "'=' is not an operator; use '==' to compare");
    case '<': return n == '=' ? one(Tok::le, 2) : one(Tok::lt);
    case '>': return n == '=' ? one(Tok::ge, 2) : one(Tok::gt);
    case '&':
      if (n == '&') return one(Tok::and_, 2);
      return error_at(pos_, "'&' is not an operator; use '&&'");
    case '|':
      if (n == '|') return one(Tok::or_, 2);
      return error_at(pos_, "'|' is not an operator; use '||'");
    default:
      break;
  }
  if (static_cast<unsigned char>(c) < 0x20) return error_at(pos_, "unexpected control character");
  if (static_cast<unsigned char>(c) >= 0x80) return error_at(pos_, "unexpected non-ASCII character outside a string");
  return error_at(pos_, std::string("unexpected character '") + c + "'");
}

Token Lexer::number(std::size_t start) {
  std::size_t p = start;
  while (p < text_.size() && is_digit(text_[p])) ++p;
  bool decimal = false;
  if (p + 1 < text_.size() && text_[p] == '.' && is_digit(text_[p + 1])) {
    decimal = true;
    ++p;
    while (p < text_.size() && is_digit(text_[p])) ++p;
  }
  if (p < text_.size() && (text_[p] == 'e' || text_[p] == 'E')) {
    std::size_t q = p + 1;
    if (q < text_.size() && (text_[q] == '+' || text_[q] == '-')) ++q;
    if (q < text_.size() && is_digit(text_[q])) {
      decimal = true;
      p = q;
      while (p < text_.size() && is_digit(text_[p])) ++p;
    }
  }
  if (p < text_.size() && (is_ident_start(text_[p]))) {
    return error_at(p, "a number must not be followed directly by a letter");
  }
  Token t;
  t.offset = start;
  t.end = p;
  pos_ = p;
  std::string_view s = text_.substr(start, p - start);
  if (!decimal) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), t.int_value);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
      t.kind = Tok::integer;
      return t;
    }
  }
  std::string copy(s);
  errno = 0;
  char* endp = nullptr;
  t.dbl_value = std::strtod(copy.c_str(), &endp);
  if (errno == ERANGE || endp != copy.c_str() + copy.size()) {
    return error_at(start, "number literal out of range");
  }
  t.kind = Tok::decimal;
  return t;
}

Token Lexer::string(std::size_t start, char quote) {
  Token t;
  t.kind = Tok::string;
  t.offset = start;
  std::size_t p = start + 1;
  while (true) {
    if (p >= text_.size()) return error_at(start, "unterminated string literal");
    char c = text_[p];
    if (c == quote) {
      ++p;
      break;
    }
    if (c == '\n') return error_at(start, "unterminated string literal (newline inside)");
    if (c != '\\') {
      t.text += c;
      ++p;
      continue;
    }
    if (p + 1 >= text_.size()) return error_at(start, "unterminated string literal");
    char e = text_[p + 1];
    p += 2;
    switch (e) {
      case 'n': t.text += '\n'; break;
      case 't': t.text += '\t'; break;
      case 'r': t.text += '\r'; break;
      case 'b': t.text += '\b'; break;
      case 'f': t.text += '\f'; break;
      case '0': t.text += '\0'; break;
      case '\\': t.text += '\\'; break;
      case '/': t.text += '/'; break;
      case '\'': t.text += '\''; break;
      case '"': t.text += '"'; break;
      case '{': t.text += '{'; break;
      case '}': t.text += '}'; break;
      case 'u': {
        auto read4 = [&](std::size_t at, std::uint32_t& cp) {
          if (at + 4 > text_.size()) return false;
          cp = 0;
          for (std::size_t i = 0; i < 4; ++i) {
            int h = hex_value(text_[at + i]);
            if (h < 0) return false;
            cp = cp * 16 + static_cast<std::uint32_t>(h);
          }
          return true;
        };
        std::uint32_t cp = 0;
        if (!read4(p, cp)) return error_at(p - 2, "invalid \\u escape: expected four hex digits");
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo = 0;
          if (p + 1 < text_.size() && text_[p] == '\\' && text_[p + 1] == 'u' && read4(p + 2, lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
          } else {
            return error_at(p - 6, "invalid \\u escape: unpaired surrogate");
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return error_at(p - 6, "invalid \\u escape: unpaired surrogate");
        }
        append_utf8(t.text, cp);
        break;
      }
      default:
        return error_at(p - 2, std::string("unknown escape '\\") + e + "' in string literal");
    }
  }
  pos_ = p;
  t.end = p;
  return t;
}

std::string_view tok_name(Tok t) noexcept {
  switch (t) {
    case Tok::end: return "end of expression";
    case Tok::error: return "invalid token";
    case Tok::integer: return "integer";
    case Tok::decimal: return "number";
    case Tok::string: return "string";
    case Tok::ident: return "name";
    case Tok::dot: return "'.'";
    case Tok::comma: return "','";
    case Tok::colon: return "':'";
    case Tok::question: return "'?'";
    case Tok::coalesce: return "'?" "?'";
    case Tok::lparen: return "'('";
    case Tok::rparen: return "')'";
    case Tok::lbracket: return "'['";
    case Tok::rbracket: return "']'";
    case Tok::lbrace: return "'{'";
    case Tok::rbrace: return "'}'";
    case Tok::plus: return "'+'";
    case Tok::minus: return "'-'";
    case Tok::star: return "'*'";
    case Tok::slash: return "'/'";
    case Tok::percent: return "'%'";
    case Tok::bang: return "'!'";
    case Tok::eq: return "'=='";
    case Tok::ne: return "'!='";
    case Tok::lt: return "'<'";
    case Tok::le: return "'<='";
    case Tok::gt: return "'>'";
    case Tok::ge: return "'>='";
    case Tok::and_: return "'&&'";
    case Tok::or_: return "'||'";
  }
  return "token";
}

}  // namespace famulor::expr::detail
