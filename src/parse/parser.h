#pragma once
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "parse/ast.h"
#include "parse/lexer.h"
#include "parse/scope.h"

namespace nabla {

// Recursive descent over the tokens of a whole script, one statement at a time. Names are
// resolved against the scope as they are read (the scope changes only between statements).
// Every construct that nests (parentheses, brackets, calls, unary signs, powers, transposes)
// counts against kMaxNestingDepth.
class Parser {
 public:
  Parser(std::string_view source, const std::vector<Token>& tokens, Graph& graph,
         const Scope& scope);

  bool at_end() const;  // no statements left
  // Reads one statement (and the End after it).
  Statement statement(Ast& ast);
  // The whole input as one expression.
  int expression_only(Ast& ast);
  // The whole input as "x, y, z": names with their spans.
  std::vector<std::pair<std::string, SourceSpan>> names_only();

 private:
  const Token& peek(size_t k = 0) const;
  const Token& next();
  bool is(Tok k, size_t ahead = 0) const { return peek(ahead).kind == k; }
  bool is_ident(const char* text, size_t ahead = 0) const;
  const Token& expect(Tok k, const char* what);
  [[noreturn]] void fail(const std::string& message, SourceSpan span, std::string hint = {}) const;
  [[noreturn]] void unexpected(const char* expected) const;
  void enter(SourceSpan at);
  void leave() { --depth_; }
  void finish_statement();

  Shape set_type(ValueKind* kind = nullptr);  // the kind the set declares, where asked
  Dim dim();
  Dim dim_expr(bool products);
  void declaration_names(Statement& s);

  int expr();
  int additive();
  int multiplicative();
  int unary();
  int power();
  int postfix();
  int atom();
  int name_atom();
  int paren_or_call_args(std::vector<int>& args, SourceSpan* close);
  int query(Op op, const Token& keyword);
  int prefix_query(Op op, const std::string& wrt, SourceSpan wrt_span, size_t begin);
  int deriv_call(const std::string& fname, int64_t deriv, size_t begin);
  int variable_name(const std::string& name, SourceSpan span);
  int number(const Token& t);
  bool is_function(const std::string& name) const;
  // "did you mean 'sigmoid'? (or OTHERWISE)" for a misspelled function, else otherwise.
  std::string function_hint(const std::string& name, const std::string& otherwise) const;
  bool is_defined(const std::string& name) const;
  void check_variable(int node, const char* what) const;

  std::string_view src_;
  const std::vector<Token>& toks_;
  size_t pos_ = 0;
  Graph& g_;
  const Scope& scope_;
  Ast* ast_ = nullptr;
  int depth_ = 0;
  std::set<std::string> params_;  // parameters of the function being defined
  bool known_dims_only_ = false;  // in I(n), ones(n, m): a size names an existing dimension
};

// The exact value of a number literal: 0.25 is 1/4; doubles when it does not fit int64.
void parse_number(const std::string& text, std::optional<Rational>* exact, double* value);

}  // namespace nabla
