// SPDX-License-Identifier: Apache-2.0
// Walking up from a statement: parents, loops, enclosing statements and
// function bodies, over an index of the user's code only.

#include "AstWalk.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::torch::ast {

/// Records, for each node it traverses, the node on top of its stack: the
/// same traversal (implicit code and template instantiations included) and
/// the same parents as the index behind `ASTContext::getParents`.
class ParentIndex::Builder : public RecursiveASTVisitor<Builder> {
public:
  Builder(ParentIndex &Index, const SourceManager &SM) : Index(Index), SM(SM) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && isInSystemHeader(D, SM))
      return true;
    return traverse(D, D, [&] { return Base::TraverseDecl(D); });
  }
  bool TraverseAttr(Attr *A) {
    return traverse(A, A, [&] { return Base::TraverseAttr(A); });
  }
  bool TraverseTypeLoc(TypeLoc TL) {
    return traverse(TL, DynTypedNode::create(TL),
                    [&] { return Base::TraverseTypeLoc(TL); });
  }
  bool TraverseNestedNameSpecifierLoc(NestedNameSpecifierLoc NNS) {
    return traverse(NNS, DynTypedNode::create(NNS),
                    [&] { return Base::TraverseNestedNameSpecifierLoc(NNS); });
  }
  // Statements keep the base class's data recursion.
  bool dataTraverseStmtPre(Stmt *S) {
    addParent(static_cast<const void *>(S));
    Stack.push_back(DynTypedNode::create(*S));
    return true;
  }
  bool dataTraverseStmtPost(Stmt * /*S*/) {
    Stack.pop_back();
    return true;
  }

  llvm::SmallVector<DynTypedNode, 16> Stack;

private:
  using Base = RecursiveASTVisitor<Builder>;

  template <typename T> static bool isNull(const T *Node) { return !Node; }
  static bool isNull(TypeLoc TL) { return TL.isNull(); }
  static bool isNull(NestedNameSpecifierLoc NNS) { return !NNS; }
  template <typename T> static DynTypedNode create(const T *Node) {
    return DynTypedNode::create(*Node);
  }
  static DynTypedNode create(TypeLoc TL) { return DynTypedNode::create(TL); }
  static DynTypedNode create(NestedNameSpecifierLoc NNS) {
    return DynTypedNode::create(NNS);
  }

  template <typename T, typename Key, typename Fn>
  bool traverse(T Node, Key MapKey, Fn TraverseBase) {
    if (isNull(Node))
      return true;
    addParent(MapKey);
    Stack.push_back(create(Node));
    const bool Result = TraverseBase();
    Stack.pop_back();
    return Result;
  }

  void add(Parents &Existing) {
    if (Stack.empty())
      return;
    const DynTypedNode &Parent = Stack.back();
    // Template instantiations can visit a node twice from the same parent;
    // record each parent once when it can be compared.
    if (Parent.getMemoizationData() && llvm::is_contained(Existing, Parent))
      return;
    Existing.push_back(Parent);
  }
  void addParent(const void *Key) { add(Index.PointerParents[Key]); }
  void addParent(const DynTypedNode &Key) { add(Index.OtherParents[Key]); }

  ParentIndex &Index;
  const SourceManager &SM;
};

bool isInSystemHeader(const Decl *D, const SourceManager &SM) {
  const SourceLocation Loc = D->getLocation();
  return Loc.isValid() && SM.isInSystemHeader(Loc);
}

void ParentIndex::attach(ASTContext &NewContext) {
  if (Context == &NewContext)
    return;
  reset();
  Context = &NewContext;
  Builder B(*this, NewContext.getSourceManager());
  // clang-tidy traverses the whole unit; clangd sets the scope to the main
  // file's top-level declarations, whose parent is the unit.
  TranslationUnitDecl *TU = NewContext.getTranslationUnitDecl();
  for (Decl *D : NewContext.getTraversalScope()) {
    B.Stack.clear();
    if (D != TU)
      B.Stack.push_back(DynTypedNode::create(*TU));
    B.TraverseDecl(D);
  }
}

void ParentIndex::reset() {
  Context = nullptr;
  PointerParents.clear();
  OtherParents.clear();
}

DynTypedNodeList ParentIndex::of(const DynTypedNode &Node) const {
  if (const void *Key = Node.getMemoizationData()) {
    const auto It = PointerParents.find(Key);
    if (It != PointerParents.end())
      return llvm::ArrayRef<DynTypedNode>(It->second);
  } else {
    const auto It = OtherParents.find(Node);
    if (It != OtherParents.end())
      return llvm::ArrayRef<DynTypedNode>(It->second);
  }
  return llvm::ArrayRef<DynTypedNode>();
}

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

const Stmt *parentStmt(const Stmt *S, const ParentIndex &Parents) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 4; ++Depth) {
    const DynTypedNodeList List = Parents.of(Node);
    if (List.empty())
      return nullptr;
    if (const auto *P = List[0].get<Stmt>())
      return P;
    if (!List[0].get<VarDecl>() && !List[0].get<BindingDecl>())
      return nullptr;
    Node = List[0];
  }
  return nullptr;
}

llvm::SmallVector<const Stmt *, 4>
enclosingLoops(const Stmt *S, const Stmt *Body, const ParentIndex &Parents) {
  llvm::SmallVector<const Stmt *, 4> Loops;
  for (const Stmt *P = parentStmt(S, Parents); P && P != Body;
       P = parentStmt(P, Parents))
    if (isLoop(P))
      Loops.push_back(P);
  return Loops;
}

namespace {

/// True when `Pred` holds for an ancestor of `S`, on any path of parents.
template <typename Predicate>
bool anyAncestor(const Stmt *S, const ParentIndex &Parents, Predicate Pred) {
  llvm::SmallVector<DynTypedNode, 8> Work{DynTypedNode::create(*S)};
  llvm::DenseSet<const void *> Seen;
  while (!Work.empty()) {
    const DynTypedNode Node = Work.pop_back_val();
    for (const DynTypedNode &Parent : Parents.of(Node)) {
      if (Pred(Parent))
        return true;
      const void *Key = Parent.getMemoizationData();
      if (!Key || Seen.insert(Key).second)
        Work.push_back(Parent);
    }
  }
  return false;
}

} // namespace

bool hasEnclosingLoop(const Stmt *S, const ParentIndex &Parents) {
  return anyAncestor(S, Parents, [](const DynTypedNode &Node) {
    const auto *P = Node.get<Stmt>();
    return P && isLoop(P);
  });
}

bool isWithin(const Stmt *S, const Stmt *Ancestor, const ParentIndex &Parents) {
  for (const Stmt *P = S; P; P = parentStmt(P, Parents))
    if (P == Ancestor)
      return true;
  return false;
}

std::pair<const Decl *, Stmt *> enclosingBody(const Stmt *S,
                                              const ParentIndex &Parents) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 256; ++Depth) {
    const DynTypedNodeList List = Parents.of(Node);
    if (List.empty())
      return {};
    Node = List[0];
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
