// SPDX-License-Identifier: Apache-2.0
// Function summaries in strongly-connected-component order.

#include "Summaries.h"
#include "utils/GradModeScope.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>

namespace clang::tidy::torch::model {

const FunctionDecl *summaryKey(const FunctionDecl *FD) {
  if (!FD)
    return nullptr;
  if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern())
    FD = Pattern;
  return FD->getCanonicalDecl();
}

namespace {

const FunctionDecl *key(const FunctionDecl *FD) { return summaryKey(FD); }

} // namespace

void CallGraphSummaries::addFunction(const FunctionDecl *FD) {
  if (FD)
    Callees[key(FD)];
}

void CallGraphSummaries::addCall(const FunctionDecl *Caller,
                                 const FunctionDecl *Callee) {
  if (!Caller || !Callee)
    return;
  addFunction(Callee);
  auto &List = Callees[key(Caller)];
  const FunctionDecl *Target = key(Callee);
  if (!llvm::is_contained(List, Target))
    List.push_back(Target);
}

void CallGraphSummaries::compute(LocalFacts Local) {
  Summaries.clear();
  // Tarjan's algorithm, iteratively: components come out callees first.
  struct NodeState {
    unsigned Index = 0;
    unsigned Low = 0;
    bool OnStack = false;
    bool Visited = false;
  };
  llvm::DenseMap<const FunctionDecl *, NodeState> State;
  llvm::SmallVector<const FunctionDecl *, 32> Stack;
  unsigned Counter = 0;

  const auto Solve = [&](llvm::ArrayRef<const FunctionDecl *> Component) {
    llvm::DenseMap<const FunctionDecl *, FunctionSummary> Own;
    for (const FunctionDecl *FD : Component)
      Own[FD] = Summaries[FD] = Local(FD);
    for (bool Changed = true; Changed;) {
      Changed = false;
      for (const FunctionDecl *FD : Component) {
        FunctionSummary Next = Own[FD];
        for (const FunctionDecl *Callee : Callees.lookup(FD))
          if (auto It = Summaries.find(Callee); It != Summaries.end())
            Next.absorb(It->second);
        if (!(Next == Summaries[FD])) {
          Summaries[FD] = Next;
          Changed = true;
        }
      }
    }
  };

  struct Frame {
    const FunctionDecl *FD;
    unsigned Next;
  };
  for (const auto &Entry : Callees) {
    if (State[Entry.first].Visited)
      continue;
    llvm::SmallVector<Frame, 32> Frames{{Entry.first, 0}};
    NodeState &Root = State[Entry.first];
    Root.Visited = Root.OnStack = true;
    Root.Index = Root.Low = Counter++;
    Stack.push_back(Entry.first);
    while (!Frames.empty()) {
      Frame &Top = Frames.back();
      // MapVector's iterator is a pointer on LLVM 19, a class on 16: no
      // iterator.
      const llvm::ArrayRef<const FunctionDecl *> Out =
          Callees.count(Top.FD) ? llvm::ArrayRef<const FunctionDecl *>(
                                      Callees.find(Top.FD)->second)
                                : llvm::ArrayRef<const FunctionDecl *>();
      if (Top.Next < Out.size()) {
        const FunctionDecl *Callee = Out[Top.Next++];
        NodeState &S = State[Callee];
        if (!S.Visited) {
          S.Visited = S.OnStack = true;
          S.Index = S.Low = Counter++;
          Stack.push_back(Callee);
          Frames.push_back({Callee, 0});
        } else if (S.OnStack) {
          NodeState &T = State[Top.FD];
          T.Low = std::min(T.Low, S.Index);
        }
        continue;
      }
      const FunctionDecl *Done = Top.FD;
      Frames.pop_back();
      const NodeState DoneState = State[Done];
      if (!Frames.empty()) {
        NodeState &Parent = State[Frames.back().FD];
        Parent.Low = std::min(Parent.Low, DoneState.Low);
      }
      if (DoneState.Low != DoneState.Index)
        continue;
      llvm::SmallVector<const FunctionDecl *, 4> Component;
      const FunctionDecl *Member = nullptr;
      do {
        Member = Stack.pop_back_val();
        State[Member].OnStack = false;
        Component.push_back(Member);
      } while (Member != Done);
      Solve(Component);
    }
  }
}

std::vector<const FunctionDecl *> CallGraphSummaries::functions() const {
  std::vector<const FunctionDecl *> Result;
  Result.reserve(Callees.size());
  for (const auto &Entry : Callees)
    Result.push_back(Entry.first);
  return Result;
}

FunctionSummary CallGraphSummaries::of(const FunctionDecl *FD) const {
  if (!FD)
    return {};
  return Summaries.lookup(key(FD));
}

void CallGraphSummaries::clear() {
  Callees.clear();
  Summaries.clear();
}

llvm::SmallVector<const FunctionDecl *, 2> calleesOf(const CallExpr *Call) {
  llvm::SmallVector<const FunctionDecl *, 2> Callees;
  if (const FunctionDecl *Callee = Call->getDirectCallee()) {
    Callees.push_back(Callee);
    return Callees;
  }
  const auto *Lookup = dyn_cast_or_null<UnresolvedLookupExpr>(
      Call->getCallee() ? Call->getCallee()->IgnoreParenImpCasts() : nullptr);
  if (!Lookup)
    return Callees;
  for (const NamedDecl *D : Lookup->decls()) {
    D = D->getUnderlyingDecl();
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Callees.push_back(Template->getTemplatedDecl());
    else if (const auto *FD = dyn_cast<FunctionDecl>(D))
      Callees.push_back(FD);
  }
  return Callees;
}

void buildCallGraph(CallGraphSummaries &Graph, const ast::ParentIndex &Parents,
                    llvm::function_ref<void(
                        const CallExpr *, llvm::ArrayRef<const FunctionDecl *>)>
                        Visit) {
  struct Collector : ast::UserCodeVisitor<Collector> {
    CallGraphSummaries &Graph;
    const ast::ParentIndex &Parents;
    llvm::function_ref<void(const CallExpr *,
                            llvm::ArrayRef<const FunctionDecl *>)>
        Visit;
    const SourceManager &SM;

    Collector(CallGraphSummaries &Graph, const ast::ParentIndex &Parents,
              llvm::function_ref<void(const CallExpr *,
                                      llvm::ArrayRef<const FunctionDecl *>)>
                  Visit)
        : Graph(Graph), Parents(Parents), Visit(Visit),
          SM(Parents.context().getSourceManager()) {}

    bool VisitFunctionDecl(FunctionDecl *FD) {
      if (FD->doesThisDeclarationHaveABody())
        Graph.addFunction(FD);
      return true;
    }
    bool VisitLambdaExpr(LambdaExpr *Lambda) {
      Graph.addFunction(Lambda->getCallOperator());
      return true;
    }
    bool VisitCallExpr(CallExpr *Call) {
      // The functions whose bodies hold the call: lambdas, then the function
      // around them.
      llvm::SmallVector<const FunctionDecl *, 2> Owners;
      scope::EnclosingBody Where = scope::enclosingBody(Call, Parents);
      for (unsigned Depth = 0; Where.Function && Depth < 64; ++Depth) {
        Owners.push_back(Where.Function);
        if (!Where.Lambda)
          break;
        Where = scope::enclosingBody(Where.Lambda, Parents);
      }
      if (Owners.empty())
        return true;
      for (const FunctionDecl *Callee : calleesOf(Call))
        if (!ast::isInSystemHeader(Callee, SM))
          for (const FunctionDecl *Owner : Owners)
            Graph.addCall(Owner, Callee);
      Visit(Call, Owners);
      return true;
    }
  } C(Graph, Parents, Visit);
  C.traverseUserCode(Parents.context());
}

} // namespace clang::tidy::torch::model
