#include "parse/frontend.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "ir/build.h"
#include "parse/compiler.h"
#include "parse/diagnostics.h"
#include "parse/parser.h"
#include "parse/stack.h"
#include "parse/statements.h"
#include "parse/suggest.h"

namespace nabla {

struct Frontend::Impl {
  explicit Impl(Graph& graph) : g(graph) {}
  std::vector<Query> run_script(std::string_view source);
  std::vector<StatementOutcome> run_statements(std::string_view source, size_t first_line);
  Id parse_expression(std::string_view source);
  std::vector<Id> parse_variables(std::string_view source);

  Graph& g;
  Scope scope;
  // Undeclared names get one symbol per (name, shape), so the same text builds the same node.
  std::map<std::string, int32_t> inferred_symbols;
  // The undeclared names of the last parse_expression, for a --wrt that follows it.
  std::map<std::string, int32_t> last_inferred;
  // Names whose declaration or definition failed (run_statements), with its line.
  struct FailedName {
    size_t line;
    bool declaration;
  };
  std::map<std::string, FailedName> failed;

  void mark_failed(const StatementHead& head, size_t line) {
    for (const std::string& n : head.names) {
      // A definition refused for taking a variable's name leaves the variable as it was.
      const ScopeEntry* e = scope.find(n);
      if (head.kind == StatementHead::Kind::Definition && e &&
          e->kind == ScopeEntry::Kind::Variable)
        continue;
      failed[n] = {line, head.kind == StatementHead::Kind::Declaration};
    }
  }
  // The first token of the statement (after its head) that names a failed declaration or
  // definition: using it would only repeat that error in other words.
  std::optional<Error> failed_use(const std::vector<Token>& tokens, const StatementHead& head) {
    if (failed.empty()) return std::nullopt;
    for (size_t i = head.kind == StatementHead::Kind::None ? 0 : head.body; i < tokens.size();
         ++i) {
      const Token& t = tokens[i];
      if (t.kind != Tok::Ident) continue;
      std::string name = t.text;
      for (const char* prefix : {"grad_", "J_"})
        if (name.rfind(prefix, 0) == 0 && !failed.count(name)) name = name.substr(strlen(prefix));
      auto it = failed.find(name);
      if (it == failed.end()) continue;
      bool param = false;
      for (const std::string& p : head.params) param = param || p == name;
      if (param) continue;
      std::string what = it->second.declaration ? "declaration" : "definition";
      std::string line = std::to_string(it->second.line);
      return Error(ErrorKind::Name, "uses the failed " + what + " " + name + " (line " + line + ")",
                   "the error on line " + line + " comes first; fix it and this statement runs",
                   t.span);
    }
    return std::nullopt;
  }

  void check_size(std::string_view source) {
    if (source.size() > kMaxSourceBytes)
      throw Error(ErrorKind::Limit,
                  "source larger than " + std::to_string(kMaxSourceBytes >> 20) + " MiB", {},
                  {0, 1});
  }

  // Notes for queries w.r.t. a Sym(n) matrix.
  void add_notes(const Ast& ast, Query& q) {
    auto note = [&](int64_t symbol) {
      const Symbol& s = g.symbol(symbol);
      if (!s.symmetric) return;
      std::string text = "the gradient w.r.t. the Sym(" + g.dims.to_string(s.shape.rows) +
                         ") matrix " + s.name + " treats every entry as independent (unstructured)";
      for (const std::string& n : q.notes)
        if (n == text) return;
      q.notes.push_back(text);
    };
    for (const AstNode& n : ast.nodes) {
      if (n.kind == AstKind::Query) {
        for (size_t i = 1; i < n.kids.size(); ++i) {
          const AstNode& v = ast[n.kids[i]];
          if (v.ref == NameRef::Variable) note(v.symbol);
        }
      } else if (n.kind == AstKind::GradDefined) {
        for (int32_t p : scope.definitions[static_cast<size_t>(n.symbol)].params) note(p);
      }
    }
  }

  // Undeclared names of a definition stay declared afterwards (parameters excepted).
  void keep_inferred(const Compiler& c, const std::vector<std::string>& except) {
    for (const InferredName& n : c.inferred()) {
      bool skip = false;
      for (const std::string& e : except) skip = skip || e == n.name;
      if (skip) continue;
      ScopeEntry entry;
      entry.kind = ScopeEntry::Kind::Variable;
      entry.symbol = n.symbol;
      scope.names[n.name] = entry;
    }
  }

  // A definition may not take the name of a variable (declared, or inferred from an earlier
  // use): results that contain the variable print its name, which would then read back as
  // the definition (found by the pipeline fuzzer: `e3 = sin(e4)` with e4 inferred, then
  // `e4 = ...`).
  void refuse_variable_name(const Statement& s) const {
    const ScopeEntry* e = scope.find(s.names[0]);
    if (!e || e->kind != ScopeEntry::Kind::Variable) return;
    throw Error(ErrorKind::Name,
                "'" + s.names[0] + "' is already a variable; a definition needs a new name",
                "rename the definition, or declare the variable after it under another name",
                s.name_spans.empty() ? s.span : s.name_spans[0]);
  }

  // Nor may its body use its name as an undeclared variable (`e5 = e5*e4`): results would
  // print the variable, which reads back as the definition (a pipeline fuzzer finding).
  static void refuse_self_reference(const Statement& s, const Compiler& c) {
    for (const InferredName& n : c.inferred())
      if (n.name == s.names[0])
        throw Error(ErrorKind::Name, "'" + n.name + "' is used in its own definition",
                    "a definition cannot refer to itself; give the variable another name", n.first);
  }

  std::optional<Query> run(const Statement& s, const Ast& ast, std::string_view source) {
    switch (s.kind) {
      case Statement::Kind::DeclareVariables:
        for (const std::string& name : s.names) {
          ScopeEntry e;
          e.kind = ScopeEntry::Kind::Variable;
          e.symbol = g.declare_variable(name, s.shape, s.value_kind, s.symmetric);
          scope.names[name] = e;
        }
        return std::nullopt;
      case Statement::Kind::DeclareFunctions:
        for (const std::string& name : s.names) {
          ScopeEntry e;
          e.kind = ScopeEntry::Kind::Function;
          e.symbol = g.declare_function(name, s.params, s.shape);
          scope.names[name] = e;
        }
        return std::nullopt;
      case Statement::Kind::DefineNamed: {
        refuse_variable_name(s);
        Compiler c(g, scope, source, ast, inferred_symbols);
        c.infer(s.expr);
        refuse_self_reference(s, c);
        c.settle();
        Id id = c.lower(s.expr);
        keep_inferred(c, {});
        ScopeEntry e;
        e.kind = ScopeEntry::Kind::Named;
        e.id = id;
        scope.names[s.names[0]] = e;
        return std::nullopt;
      }
      case Statement::Kind::DefineFunction: {
        refuse_variable_name(s);
        Compiler c(g, scope, source, ast, inferred_symbols);
        for (size_t i = 0; i < s.param_names.size(); ++i) {
          const ScopeEntry* e = scope.find(s.param_names[i]);
          if (!e || e->kind != ScopeEntry::Kind::Variable)
            c.add_inferred(s.param_names[i], s.param_spans[i]);
        }
        c.infer(s.expr);
        refuse_self_reference(s, c);
        c.settle();
        Definition d;
        d.name = s.names[0];
        d.body = c.lower(s.expr);
        for (const std::string& p : s.param_names) {
          const ScopeEntry* e = scope.find(p);
          int32_t symbol = -1;
          if (e && e->kind == ScopeEntry::Kind::Variable) {
            symbol = static_cast<int32_t>(e->symbol);
          } else {
            for (const InferredName& n : c.inferred())
              if (n.name == p) symbol = n.symbol;
          }
          d.params.push_back(symbol);
          d.param_vars.push_back(variable(g, symbol));
        }
        keep_inferred(c, s.param_names);
        scope.definitions.push_back(d);
        ScopeEntry e;
        e.kind = ScopeEntry::Kind::Defined;
        e.definition = static_cast<int>(scope.definitions.size() - 1);
        scope.names[s.names[0]] = e;
        return std::nullopt;
      }
      case Statement::Kind::Check: {
        Compiler c(g, scope, source, ast, inferred_symbols);
        c.infer(s.expr);
        c.infer(s.rhs);
        c.unify_check(s.expr, s.rhs);
        c.settle();
        Query q;
        q.kind = QueryKind::Check;
        Id lhs = c.lower(s.expr), rhs = c.lower(s.rhs);
        q.expr = c.lower_check_side(s.expr, lhs, rhs);
        q.rhs = c.lower_check_side(s.rhs, rhs, lhs);
        if (!(g[q.expr].shape == g[q.rhs].shape))
          throw Error(ErrorKind::Shape,
                      "cannot compare " + quote_source(source, ast[s.expr].span) + " (" +
                          g.dims.to_string(g[q.expr].shape) + ") with " +
                          quote_source(source, ast[s.rhs].span) + " (" +
                          g.dims.to_string(g[q.rhs].shape) + ")",
                      {}, s.span);
        finish(q, s, ast, source);
        return q;
      }
      case Statement::Kind::Expression: {
        Compiler c(g, scope, source, ast, inferred_symbols);
        c.infer(s.expr, true);
        c.settle();
        Query q = top_query(c, ast, s.expr);
        finish(q, s, ast, source);
        return q;
      }
    }
    return std::nullopt;
  }

  void finish(Query& q, const Statement& s, const Ast& ast, std::string_view source) {
    q.span = s.span;
    q.text = collapse_whitespace(source.substr(s.span.begin, s.span.end - s.span.begin));
    add_notes(ast, q);
  }

  // A query at the root of a statement: its expression and variables, no query node.
  Query top_query(Compiler& c, const Ast& ast, int root) {
    Query q;
    const AstNode& n = ast[root];
    if (n.kind == AstKind::GradDefined) {
      const Definition& d = scope.definitions[static_cast<size_t>(n.symbol)];
      q.kind = n.op == Op::Hessian ? QueryKind::Hessian : QueryKind::Grad;
      q.expr = d.body;
      q.wrt = d.param_vars;
      return q;
    }
    if (n.kind != AstKind::Query) {
      q.kind = QueryKind::Show;
      q.expr = c.lower(root);
      return q;
    }
    switch (n.op) {
      case Op::Grad:
        q.kind = QueryKind::Grad;
        break;
      case Op::Jacobian:
        q.kind = QueryKind::Jacobian;
        break;
      case Op::Hessian:
        q.kind = QueryKind::Hessian;
        break;
      case Op::Derivative:
        q.kind = QueryKind::Diff;
        break;
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
      case Op::Call:
      case Op::Simplify:
        q.kind = QueryKind::Simplify;
        break;
    }
    q.expr = c.lower(n.kids[0]);
    for (size_t i = 1; i < n.kids.size(); ++i) q.wrt.push_back(c.variable_of(n.kids[i]));
    return q;
  }
};

Frontend::Frontend(Graph& graph) : impl_(std::make_unique<Impl>(graph)) {}
Frontend::~Frontend() = default;
Graph& Frontend::graph() {
  return impl_->g;
}

void Frontend::name_symbol(int32_t symbol) {
  const Symbol& sym = impl_->g.symbol(symbol);
  ScopeEntry e;
  e.kind =
      sym.kind == SymbolKind::Function ? ScopeEntry::Kind::Function : ScopeEntry::Kind::Variable;
  e.symbol = symbol;
  impl_->scope.names[sym.name] = e;
  impl_->failed.erase(sym.name);
}

std::vector<Query> Frontend::run_script(std::string_view source) {
  std::vector<Query> out;
  run_with_large_stack([&] { out = impl_->run_script(source); });
  return out;
}

std::vector<StatementOutcome> Frontend::run_statements(std::string_view source, size_t first_line) {
  std::vector<StatementOutcome> out;
  run_with_large_stack([&] { out = impl_->run_statements(source, first_line); });
  return out;
}

Id Frontend::parse_expression(std::string_view source) {
  Id out = kNoId;
  run_with_large_stack([&] { out = impl_->parse_expression(source); });
  return out;
}

std::vector<Id> Frontend::parse_variables(std::string_view source) {
  std::vector<Id> out;
  run_with_large_stack([&] { out = impl_->parse_variables(source); });
  return out;
}

std::vector<Query> Frontend::Impl::run_script(std::string_view source) {
  check_size(source);
  std::vector<Token> tokens = tokenize(source);
  Parser parser(source, tokens, g, scope);
  std::vector<Query> out;
  while (!parser.at_end()) {
    Ast ast;
    Statement s = parser.statement(ast);
    if (auto q = run(s, ast, source)) out.push_back(std::move(*q));
  }
  return out;
}

namespace {

// The statement's text for messages: whitespace collapsed, a trailing comment dropped.
std::string statement_text(std::string_view source, SourceSpan span) {
  std::string_view text = source.substr(span.begin, span.end - span.begin);
  size_t comment = text.find('#');
  if (comment != std::string_view::npos) text = text.substr(0, comment);
  return collapse_whitespace(text);
}

}  // namespace

std::vector<StatementOutcome> Frontend::Impl::run_statements(std::string_view source,
                                                             size_t first_line) {
  check_size(source);
  std::vector<StatementOutcome> out;
  LineCursor cursor(source);
  auto line_of = [&](size_t offset) {
    size_t line, column;
    cursor.locate(offset, &line, &column);
    return line + first_line - 1;
  };
  // Whether some statement of source[span] reads on its own (parsed, not run).
  auto some_statement_parses = [&](SourceSpan span) {
    for (size_t pos = span.begin;;) {
      SourceSpan st = next_statement(source, pos);
      if (st.begin >= span.end || !st.valid()) return false;
      pos = st.end;
      try {
        std::vector<Token> tokens = tokenize_span(source, st);
        Parser parser(source, tokens, g, scope);
        while (!parser.at_end()) {
          Ast ast;
          parser.statement(ast);
        }
        return true;
      } catch (const Error&) {
      }
    }
  };
  size_t pos = 0;
  for (;;) {
    SourceSpan span = next_statement(source, pos);
    if (!span.valid()) break;
    pos = span.end;
    size_t line = line_of(span.begin);
    auto fail = [&](const Error& e, const StatementHead& head) {
      StatementOutcome o;
      o.kind = StatementOutcome::Kind::Error;
      o.span = span;
      o.text = statement_text(source, span);
      o.error = e;
      out.push_back(std::move(o));
      mark_failed(head, line);
    };
    // A bracket left open on the statement's first line swallows the lines after it. When
    // the statement fails after its first line and one of the lines after it reads as a
    // statement on its own, the open bracket is the error: report the first line's own error
    // and go on with the next line.
    auto open_bracket = [&](const Error& e, const StatementHead& head) {
      size_t newline = source.find('\n', span.begin);
      if (e.kind() != ErrorKind::Syntax || newline >= span.end || e.span().begin <= newline ||
          !some_statement_parses({newline + 1, span.end}))
        return false;
      try {
        std::vector<Token> first_tokens = tokenize_span(source, {span.begin, newline});
        Parser parser(source, first_tokens, g, scope);
        while (!parser.at_end()) {
          Ast ast;
          parser.statement(ast);
        }
      } catch (const Error& own) {
        span.end = newline;
        while (span.end > span.begin &&
               (source[span.end - 1] == '\r' || source[span.end - 1] == ' '))
          --span.end;
        fail(own, head);
        pos = newline + 1;
        return true;
      }
      return false;
    };
    std::vector<Token> tokens;
    try {
      tokens = tokenize_span(source, span);
    } catch (const Error& e) {
      StatementHead head;
      try {  // the tokens before the bad character still tell what the statement declared
        head = read_head(tokenize_span(source, {span.begin, e.span().begin}));
      } catch (const Error&) {
      }
      if (!open_bracket(e, head)) fail(e, head);
      continue;
    }
    StatementHead head = read_head(tokens);
    if (auto use = failed_use(tokens, head)) {
      fail(*use, head);
      continue;
    }
    try {
      Parser parser(source, tokens, g, scope);
      while (!parser.at_end()) {
        Ast ast;
        Statement s = parser.statement(ast);
        std::optional<Query> q = run(s, ast, source);
        StatementOutcome o;
        o.span = s.span;
        o.text = collapse_whitespace(source.substr(s.span.begin, s.span.end - s.span.begin));
        if (q) {
          o.kind = StatementOutcome::Kind::Query;
          o.query = std::move(*q);
        } else {
          bool declaration = s.kind == Statement::Kind::DeclareVariables ||
                             s.kind == Statement::Kind::DeclareFunctions;
          o.kind = declaration ? StatementOutcome::Kind::Declaration
                               : StatementOutcome::Kind::Definition;
          o.names = s.names;
          for (const std::string& n : s.names) failed.erase(n);
        }
        out.push_back(std::move(o));
      }
    } catch (const Error& e) {
      if (!open_bracket(e, head)) fail(e, head);
    }
  }
  return out;
}

Id Frontend::Impl::parse_expression(std::string_view source) {
  check_size(source);
  std::vector<Token> tokens = tokenize(source);
  Parser parser(source, tokens, g, scope);
  Ast ast;
  int root = parser.expression_only(ast);
  Compiler c(g, scope, source, ast, inferred_symbols);
  c.infer(root);
  c.settle();
  Id id = c.lower(root);
  last_inferred.clear();
  for (const InferredName& n : c.inferred()) last_inferred[n.name] = n.symbol;
  return id;
}

std::vector<Id> Frontend::Impl::parse_variables(std::string_view source) {
  check_size(source);
  std::vector<Token> tokens = tokenize(source);
  Parser parser(source, tokens, g, scope);
  std::vector<Id> out;
  for (const auto& [name, span] : parser.names_only()) {
    const ScopeEntry* e = scope.find(name);
    if (e && e->kind == ScopeEntry::Kind::Variable) {
      out.push_back(variable(g, static_cast<int32_t>(e->symbol)));
      continue;
    }
    auto it = last_inferred.find(name);
    if (it != last_inferred.end()) {
      out.push_back(variable(g, it->second));
      continue;
    }
    std::vector<std::string> known;
    for (const auto& [n, e] : scope.names)
      if (e.kind == ScopeEntry::Kind::Variable) known.push_back(n);
    for (const auto& [n, symbol] : last_inferred) known.push_back(n);
    std::sort(known.begin(), known.end());
    std::string guess = did_you_mean(name, known);
    throw Error(ErrorKind::Name, "'" + name + "' is not a variable of the expression",
                guess.empty() ? "declare it, e.g. " + name + " in R^n" : guess, span);
  }
  return out;
}

}  // namespace nabla
