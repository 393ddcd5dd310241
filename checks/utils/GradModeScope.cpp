// SPDX-License-Identifier: Apache-2.0
// The grad-mode guard variables whose scopes enclose a statement.

#include "GradModeScope.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::torch::scope {

namespace {

std::optional<ScopedGuard> guardIn(const Stmt *S, ASTContext &Context,
                                   bool CountTemporaries) {
  if (const auto *DS = dyn_cast_or_null<DeclStmt>(S)) {
    for (const Decl *D : llvm::reverse(DS->decls())) {
      const auto *VD = dyn_cast<VarDecl>(D);
      if (!VD || VD->getType()->isReferenceType() || !VD->getInit())
        continue;
      const api::GradModeEffect Effect =
          api::gradModeGuardEffect(VD->getInit(), Context);
      if (Effect != api::GradModeEffect::None)
        return ScopedGuard{DS, VD, Effect};
    }
    return std::nullopt;
  }
  if (CountTemporaries)
    if (const Expr *Temporary = asDiscardedGuard(S))
      return ScopedGuard{S, nullptr,
                         api::gradModeGuardEffect(Temporary, Context)};
  return std::nullopt;
}

const Stmt *initOf(const Stmt *S) {
  if (const auto *If = dyn_cast<IfStmt>(S))
    return If->getInit();
  if (const auto *Switch = dyn_cast<SwitchStmt>(S))
    return Switch->getInit();
  if (const auto *For = dyn_cast<ForStmt>(S))
    return For->getInit();
  if (const auto *RangeFor = dyn_cast<CXXForRangeStmt>(S))
    return RangeFor->getInit();
  return nullptr;
}

} // namespace

std::optional<ScopedGuard> innermostGuard(const Stmt *S,
                                          const ast::ParentIndex &Parents,
                                          bool CountTemporaries) {
  ASTContext &Context = Parents.context();
  const Stmt *Child = S;
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 512; ++Depth) {
    const DynTypedNodeList List = Parents.of(Node);
    if (List.empty())
      return std::nullopt;
    Node = List[0];
    if (const auto *Decl = Node.get<clang::Decl>()) {
      if (!isa<VarDecl>(Decl))
        return std::nullopt; // The function, or a lambda's class.
      continue;
    }
    const auto *Parent = Node.get<Stmt>();
    if (!Parent || isa<LambdaExpr>(Parent))
      return std::nullopt;
    if (const auto *Compound = dyn_cast<CompoundStmt>(Parent)) {
      const auto *It = llvm::find(Compound->body(), Child);
      while (It != Compound->body_begin())
        if (auto Guard = guardIn(*--It, Context, CountTemporaries))
          return Guard;
    } else if (const Stmt *Init = initOf(Parent); Init && Init != Child) {
      if (auto Guard = guardIn(Init, Context, CountTemporaries))
        return Guard;
    }
    Child = Parent;
  }
  return std::nullopt;
}

bool recordsGraph(const Stmt *S, const ast::ParentIndex &Parents) {
  const std::optional<ScopedGuard> Guard = innermostGuard(S, Parents);
  return !Guard || Guard->Effect == api::GradModeEffect::Enables;
}

const Expr *asDiscardedGuard(const Stmt *S) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  if (!E)
    return nullptr;
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
    E = Cleanups->getSubExpr();
  if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(E))
    E = Bind->getSubExpr();
  if (!isa<CXXTemporaryObjectExpr, CXXFunctionalCastExpr>(E))
    return nullptr;
  return api::asGradModeGuardConstruction(E) ? E : nullptr;
}

bool isInStatementPosition(const Stmt *S, const ast::ParentIndex &Parents) {
  const DynTypedNodeList List = Parents.of(*S);
  const Stmt *Parent = List.empty() ? nullptr : List[0].get<Stmt>();
  if (!Parent)
    return false;
  if (isa<CompoundStmt, CaseStmt, DefaultStmt, LabelStmt, AttributedStmt>(
          Parent))
    return true;
  if (const auto *If = dyn_cast<IfStmt>(Parent))
    return If->getThen() == S || If->getElse() == S;
  if (const auto *For = dyn_cast<ForStmt>(Parent))
    return For->getBody() == S;
  if (const auto *While = dyn_cast<WhileStmt>(Parent))
    return While->getBody() == S;
  if (const auto *Do = dyn_cast<DoStmt>(Parent))
    return Do->getBody() == S;
  if (const auto *RangeFor = dyn_cast<CXXForRangeStmt>(Parent))
    return RangeFor->getBody() == S;
  return false;
}

EnclosingBody enclosingBody(const Stmt *S, const ast::ParentIndex &Parents) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 512; ++Depth) {
    const DynTypedNodeList List = Parents.of(Node);
    if (List.empty())
      return {};
    // A lambda's body has two parents: the lambda and its call operator.
    for (const DynTypedNode &Parent : List)
      if (const auto *Lambda = Parent.get<LambdaExpr>())
        return {Lambda->getCallOperator(), Lambda->getBody(), Lambda};
    Node = List[0];
    if (const auto *FD = Node.get<FunctionDecl>())
      return {FD, FD->getBody(), nullptr};
    if (const auto *D = Node.get<Decl>(); D && !isa<VarDecl>(D))
      return {};
  }
  return {};
}

GradModeFlow::GradModeFlow(const flow::FlowGraph &Graph,
                           const ast::ParentIndex &Parents)
    : Graph(Graph), Parents(Parents) {
  Graph.forEachStmt([&](const Stmt *S) {
    const api::GradModeEffect Effect =
        api::setGradEnabledEffect(S, Parents.context());
    if (Effect == api::GradModeEffect::None)
      return;
    const std::optional<ScopedGuard> Guard = innermostGuard(S, Parents);
    Toggles.push_back({S, Effect, Guard ? Guard->Declaration : nullptr});
  });
}

GradModeAt GradModeFlow::at(const Stmt *S) const {
  // The graph's element that holds `S`.
  const Stmt *Element = S;
  for (unsigned Depth = 0; Element && !Graph.contains(Element) && Depth < 64;
       ++Depth)
    Element = ast::parentStmt(Element, Parents);
  if (!Element)
    return {};
  const std::optional<ScopedGuard> Guard = innermostGuard(S, Parents);
  const Stmt *GuardDecl = Guard ? Guard->Declaration : nullptr;
  llvm::SmallVector<const Toggle *, 4> Counting;
  for (const Toggle &T : Toggles)
    if (T.Guard == GuardDecl)
      Counting.push_back(&T);
  const auto IsCounting = [&](const Stmt *X) {
    return llvm::any_of(Counting,
                        [X](const Toggle *T) { return T->Call == X; });
  };
  // The last call on some path decides there.
  const Toggle *LastDisabling = nullptr;
  for (const Toggle *T : Counting) {
    if (T->Call == Element || !Graph.reaches(T->Call, Element, IsCounting))
      continue;
    if (T->Effect != api::GradModeEffect::Disables)
      return {};
    LastDisabling = T;
  }
  // A path on which no call decides: the guard's or the caller's mode.
  const bool Undecided = Guard
                             ? !Graph.contains(GuardDecl) ||
                                   Graph.reaches(GuardDecl, Element, IsCounting)
                             : Graph.reachedFromEntry(Element, IsCounting);
  if (!Undecided)
    return LastDisabling
               ? GradModeAt{BodyGradMode::Disabled, LastDisabling->Call}
               : GradModeAt{};
  if (!Guard)
    return {BodyGradMode::FromCaller, nullptr};
  if (Guard->Effect == api::GradModeEffect::Disables)
    return {BodyGradMode::Disabled, GuardDecl};
  return {};
}

} // namespace clang::tidy::torch::scope
