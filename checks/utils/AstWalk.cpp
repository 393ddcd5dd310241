// SPDX-License-Identifier: Apache-2.0
// Walking up from a statement: loops, enclosing statements and function bodies.

#include "AstWalk.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::torch::ast {

bool isLoop(const Stmt *S) {
  return isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S);
}

const Stmt *loopBody(const Stmt *Loop) {
  if (const auto *For = dyn_cast<ForStmt>(Loop))
    return For->getBody();
  if (const auto *While = dyn_cast<WhileStmt>(Loop))
    return While->getBody();
  if (const auto *Do = dyn_cast<DoStmt>(Loop))
    return Do->getBody();
  return cast<CXXForRangeStmt>(Loop)->getBody();
}

const Stmt *parentStmt(const Stmt *S, ASTContext &Context) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 4; ++Depth) {
    const DynTypedNodeList Parents = Context.getParents(Node);
    if (Parents.empty())
      return nullptr;
    if (const auto *P = Parents[0].get<Stmt>())
      return P;
    if (!Parents[0].get<VarDecl>() && !Parents[0].get<BindingDecl>())
      return nullptr;
    Node = Parents[0];
  }
  return nullptr;
}

llvm::SmallVector<const Stmt *, 4>
enclosingLoops(const Stmt *S, const Stmt *Body, ASTContext &Context) {
  llvm::SmallVector<const Stmt *, 4> Loops;
  for (const Stmt *P = parentStmt(S, Context); P && P != Body;
       P = parentStmt(P, Context))
    if (isLoop(P))
      Loops.push_back(P);
  return Loops;
}

bool isWithin(const Stmt *S, const Stmt *Ancestor, ASTContext &Context) {
  for (const Stmt *P = S; P; P = parentStmt(P, Context))
    if (P == Ancestor)
      return true;
  return false;
}

std::pair<const Decl *, Stmt *> enclosingBody(const Stmt *S,
                                              ASTContext &Context) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 256; ++Depth) {
    const DynTypedNodeList Parents = Context.getParents(Node);
    if (Parents.empty())
      return {};
    Node = Parents[0];
    if (const auto *Lambda = Node.get<LambdaExpr>())
      return {Lambda->getCallOperator(), Lambda->getBody()};
    if (const auto *FD = Node.get<FunctionDecl>())
      return {FD, FD->getBody()};
    if (Node.get<Decl>() && !Node.get<VarDecl>() && !Node.get<DeclStmt>())
      return {};
  }
  return {};
}

} // namespace clang::tidy::torch::ast
