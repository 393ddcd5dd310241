// SPDX-License-Identifier: Apache-2.0
// torch-frozen-param-in-optimizer: frozen parameters handed to an optimizer.

#include "FrozenParamInOptimizerCheck.h"
#include "model/Events.h"
#include "model/Objects.h"
#include "model/ParameterSets.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "utils/LlvmCompat.h"
#include "utils/TorchApi.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include <cstdint>

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

using ast::enclosingBody;
using ast::parentStmt;
using model::isAssignedTo;
using model::ParamResolver;
using model::ParamSet;
using model::ParamSource;

/// A `requires_grad_(B)` or `set_requires_grad(B)` call with a constant `B`.
struct Toggle {
  const CallExpr *Call = nullptr;
  ParamSet Set;
  bool Freeze = false;
  /// For a Module set: the loop that applies the toggle to each parameter.
  const Stmt *Loop = nullptr;
};

/// True when `S` names `D` (outside lambdas), assigned to or not as asked.
bool mentions(const Stmt *S, const ValueDecl *D, bool Assigned,
              const ast::ParentIndex &Parents, unsigned Depth = 0) {
  if (!S || isa<LambdaExpr>(S) || Depth > 64)
    return false;
  if (isa<DeclRefExpr, MemberExpr>(S)) {
    const auto *E = cast<Expr>(S);
    const ValueDecl *Named = isa<DeclRefExpr>(E)
                                 ? cast<DeclRefExpr>(E)->getDecl()
                                 : cast<MemberExpr>(E)->getMemberDecl();
    if (Named->getCanonicalDecl() == D && isAssignedTo(E, Parents) == Assigned)
      return true;
  }
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return mentions(Child, D, Assigned, Parents, Depth + 1);
  });
}

/// The value of a `requires_grad_`/`set_requires_grad` argument, if constant.
std::optional<bool> toggledValue(const CallExpr *Call,
                                 const ASTContext &Context) {
  if (Call->getNumArgs() == 0)
    return std::nullopt;
  const Expr *Arg = Call->getArg(0);
  if (isa<CXXDefaultArgExpr>(Arg))
    return true;
  bool Value = false;
  if (Arg->isValueDependent() ||
      !Arg->EvaluateAsBooleanCondition(Value, Context))
    return std::nullopt;
  return Value;
}

/// Where the warning for a construction goes: the name of the variable, of
/// `make_shared`/`make_unique`, of the method, or the type after `new`.
SourceLocation constructionLoc(const Expr *Construction,
                               const ast::ParentIndex &Parents) {
  if (isa<ParenListExpr>(Construction)) {
    const DynTypedNodeList Up = Parents.of(*Construction);
    if (const auto *VD = Up.empty() ? nullptr : Up[0].get<VarDecl>())
      return VD->getLocation();
  }
  if (const auto *Call = dyn_cast<CallExpr>(Construction)) {
    if (const auto *DRE =
            dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreImplicit()))
      return DRE->getLocation();
    return Call->getExprLoc();
  }
  return Construction->getExprLoc();
}

/// One freezing that concerns one list handed to the optimizer.
struct Finding {
  const Toggle *Freeze = nullptr;
  const ParamSet *List = nullptr;
};

} // namespace

struct FrozenParamInOptimizerCheck::BodyFacts {
  std::unique_ptr<flow::FlowGraph> Graph;
  std::vector<Toggle> Toggles;
  llvm::DenseMap<const Stmt *, unsigned> ToggleAt;
};

FrozenParamInOptimizerCheck::FrozenParamInOptimizerCheck(
    StringRef Name, ClangTidyContext *Context)
    : TorchCheck(Name, Context) {}

FrozenParamInOptimizerCheck::~FrozenParamInOptimizerCheck() = default;

void FrozenParamInOptimizerCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check finds the optimizer
  // constructions in the user's code itself (see ast::UserCodeVisitor).
  Finder->addMatcher(translationUnitDecl(), this);
}

void FrozenParamInOptimizerCheck::onEndOfTranslationUnit() {
  // The caches hold AST pointers, which the next translation unit reuses.
  Bodies.clear();
  Optimizers.clear();
  Parents.reset();
}

void FrozenParamInOptimizerCheck::check(
    const MatchFinder::MatchResult &Result) {
  ASTContext &Context = *Result.Context;
  Parents.attach(Context);
  Optimizers.build(Parents);
  for (const Expr *Construction : Optimizers.constructions())
    checkConstruction(Construction, Context);
}

/// The fix that hands the optimizer the one submodule that stays trainable:
/// `M->parameters()` becomes `M->head->parameters()` when every freezing
/// before the construction covers whole registered submodules of `M` and
/// exactly one is left; nothing otherwise.
static std::optional<FixItHint>
trainableSubmoduleFix(const ParamSource &Source,
                      llvm::ArrayRef<ParamSet> Frozen,
                      const FieldDecl *&Trainable) {
  // `M->parameters()` whole, of a module whose registered submodules are
  // known.
  const ParamSet &List = Source.Set;
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(
      Source.List ? Source.List->IgnoreParenImpCasts() : nullptr);
  const auto *Member =
      Call ? dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens()) : nullptr;
  if (List.Kind != ParamSet::Module || !List.Recursive || !Member ||
      !Call->getMethodDecl() || !Call->getMethodDecl()->getIdentifier() ||
      Call->getMethodDecl()->getName() != "parameters" ||
      (Call->getNumArgs() != 0 && !isa<CXXDefaultArgExpr>(Call->getArg(0))) ||
      Member->getMemberLoc().isMacroID())
    return std::nullopt;
  const QualType ObjectType =
      Call->getImplicitObjectArgument()->IgnoreParenImpCasts()->getType();
  const CXXRecordDecl *Class = ObjectType->isPointerType()
                                   ? ObjectType->getPointeeCXXRecordDecl()
                                   : ObjectType->getAsCXXRecordDecl();
  const std::optional<llvm::SmallVector<const FieldDecl *, 4>> Children =
      model::registeredSubmodules(Class);
  if (!Children)
    return std::nullopt;
  // Every freezing covers whole submodules of the list's module.
  llvm::SmallVector<const FieldDecl *, 4> Left(Children->begin(),
                                               Children->end());
  for (const ParamSet &Set : Frozen) {
    const auto *Field = Set.Path.Members.empty()
                            ? nullptr
                            : dyn_cast<FieldDecl>(Set.Path.Members.back());
    if (Set.Kind != ParamSet::Module || !Set.Recursive ||
        Set.Path.Members.size() != List.Path.Members.size() + 1 ||
        !List.Path.isPrefixOf(Set.Path) ||
        !llvm::is_contained(*Children, Field))
      return std::nullopt;
    compat::eraseValue(Left, Field);
  }
  if (Left.size() != 1)
    return std::nullopt;
  Trainable = Left.front();
  // A pointer, holder or smart pointer to the submodule is followed with
  // `->`; a module held by value or reference with `.`.
  const QualType T = Trainable->getType();
  const bool ByArrow = !T->isReferenceType() && model::isAliasType(T);
  return FixItHint::CreateInsertion(
      Member->getMemberLoc(),
      (Trainable->getName() + (ByArrow ? "->" : ".")).str());
}

void FrozenParamInOptimizerCheck::checkConstruction(const Expr *Construction,
                                                    ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  const Expr *Argument = model::parameterArgument(Construction);
  auto [D, Body] = enclosingBody(Construction, Parents);
  if (!Body)
    return;
  const ParamResolver R(Body, Parents);
  // Only lists that surely hold every parameter of a module: a parameter
  // picked conditionally may be a trainable one.
  llvm::SmallVector<ParamSource, 2> Lists;
  R.sourcesOf(Argument, Lists);
  llvm::erase_if(Lists, [](const ParamSource &Source) {
    return Source.Set.Kind != ParamSet::Module;
  });
  if (Lists.empty())
    return;

  std::unique_ptr<BodyFacts> &Facts = Bodies[Body];
  if (!Facts) {
    Facts = std::make_unique<BodyFacts>();
    Facts->Graph = flow::FlowGraph::build(D, Body, Context);
    struct Visitor : RecursiveASTVisitor<Visitor> {
      const ParamResolver &R;
      ASTContext &Context;
      BodyFacts &Facts;
      Visitor(const ParamResolver &R, ASTContext &Context, BodyFacts &Facts)
          : R(R), Context(Context), Facts(Facts) {}
      bool TraverseLambdaExpr(LambdaExpr * /*Lambda*/) { return true; }
      bool VisitCallExpr(CallExpr *Call) {
        // Resolved, or by name on a tensor of dependent type in a template
        // (`mm.value().set_requires_grad(false)` over a dependent range).
        const Expr *Object = nullptr;
        if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
          if (api::asTensorCall(Member, "requires_grad_") ||
              api::asTensorCall(Member, "set_requires_grad"))
            Object = Member->getImplicitObjectArgument();
        } else if (const model::MethodCall Named =
                       model::memberCallByName(Call);
                   Named && Named.Object &&
                   (Named.Name == "requires_grad_" ||
                    Named.Name == "set_requires_grad")) {
          Object = Named.Object;
        }
        if (!Object)
          return true;
        const std::optional<bool> Value = toggledValue(Call, Context);
        const Stmt *Loop = nullptr;
        std::optional<ParamSet> Set =
            Value ? R.targetOf(Object, Call, Loop) : std::nullopt;
        if (!Set)
          return true;
        Facts.ToggleAt[Call] = Facts.Toggles.size();
        Facts.Toggles.push_back({Call, std::move(*Set), !*Value, Loop});
        return true;
      }
    } V(R, Context, *Facts);
    V.TraverseStmt(Body);
  }
  const flow::FlowGraph *Graph = Facts->Graph.get();
  if (!Graph || Facts->Toggles.empty())
    return;

  // The construction as the graph knows it.
  const Stmt *Anchor = Construction;
  while (Anchor && !Graph->contains(Anchor))
    Anchor = parentStmt(Anchor, Parents);
  if (!Anchor)
    return;
  const ValueDecl *Optimizer = model::optimizerDeclOf(Construction, Parents);
  if (Optimizer)
    Optimizer = cast<ValueDecl>(Optimizer->getCanonicalDecl());

  std::optional<Finding> Before;
  std::optional<Finding> After;
  // Per list frozen before the construction, the frozen sets in it.
  llvm::SmallVector<std::pair<const ParamSource *, std::vector<ParamSet>>, 2>
      FixLists;
  for (const ParamSource &Source : Lists) {
    const ParamSet &List = Source.Set;
    for (const Toggle &Freeze : Facts->Toggles) {
      if (!Freeze.Freeze)
        continue;
      const std::optional<ParamSet> Region = model::overlap(List, Freeze.Set);
      if (!Region)
        continue;
      const auto Unfreezes = [&](const Stmt *S) {
        auto It = Facts->ToggleAt.find(S);
        if (It == Facts->ToggleAt.end())
          return false;
        const Toggle &T = Facts->Toggles[It->second];
        return !T.Freeze && model::covers(T.Set, *Region);
      };
      const auto InUnfreezingLoop = [&](const CFGBlock *Block) {
        const Stmt *Terminator = Block->getTerminatorStmt();
        return Terminator && llvm::any_of(Facts->Toggles, [&](const Toggle &T) {
                 return !T.Freeze && T.Loop == Terminator &&
                        model::covers(T.Set, *Region);
               });
      };
      if (Graph->reaches(Freeze.Call, Anchor, Unfreezes, InUnfreezingLoop)) {
        if (!Before)
          Before = Finding{&Freeze, &List};
        if (FixLists.empty() || FixLists.back().first != &Source)
          FixLists.push_back({&Source, {}});
        FixLists.back().second.push_back(Freeze.Set);
        continue;
      }
      if (After || !Optimizer ||
          !Graph->reaches(Anchor, Freeze.Call,
                          [](const Stmt *) { return false; }))
        continue;
      // The graph holds calls, not every name: a use is a call or another
      // element that mentions the optimizer; an assignment to it ends it.
      const auto Uses = [&](const Stmt *S) {
        return mentions(S, Optimizer, /*Assigned=*/false, Parents);
      };
      const auto EndsUse = [&](const Stmt *S) {
        return Unfreezes(S) ||
               mentions(S, Optimizer, /*Assigned=*/true, Parents);
      };
      if (Graph->findReachable(Freeze.Call, Uses, EndsUse, InUnfreezingLoop))
        After = Finding{&Freeze, &List};
    }
  }

  const auto Note = [&](const Finding &F, bool Later) {
    const ParamSet &Frozen = F.Freeze->Set;
    const NamedDecl *Leaf = Frozen.Path.leaf();
    if (!Leaf)
      return;
    diag(model::callLoc(F.Freeze->Call),
         "%select{parameters of %1 are|parameter %1 is|some parameters of %1 "
         "are}0 frozen here%select{|, after the optimizer is built}2",
         DiagnosticIDs::Note)
        << static_cast<unsigned>(Frozen.Kind) << Leaf << Later;
  };
  const SourceLocation Loc = constructionLoc(Construction, Parents);
  if (Before && Before->List->Path.leaf()) {
    diag(Loc, "optimizer receives frozen parameters of %0")
        << Before->List->Path.leaf();
    Note(*Before, false);
    // The fix hands the optimizer the one submodule that stays trainable.
    // It changes what trains, so it sits on a note: only --fix-notes
    // applies it. Where the trainable parameters are no single submodule,
    // the note says what to do and offers no fix.
    std::optional<FixItHint> Fix;
    const FieldDecl *Trainable = nullptr;
    if (FixLists.size() == 1 && !Loc.isMacroID())
      Fix = trainableSubmoduleFix(*FixLists.front().first,
                                  FixLists.front().second, Trainable);
    if (Fix)
      diag(Loc,
           "pass only the parameters of %0, the submodule of %1 that "
           "stays trainable",
           DiagnosticIDs::Note)
          << Trainable << Before->List->Path.leaf() << *Fix;
    else
      diag(Loc, "build the optimizer from the parameters that stay trainable",
           DiagnosticIDs::Note);
  }
  if (After && After->List->Path.leaf()) {
    diag(Loc, "optimizer receives parameters of %0 that are frozen while it "
              "is still in use")
        << After->List->Path.leaf();
    Note(*After, true);
  }
}

} // namespace clang::tidy::torch
