// Not compiled: input of whole-unit-scan.test, one violation of each kind.
void WholeUnitCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(callExpr(callee(functionDecl())).bind("call"), this);
  Finder->addMatcher(translationUnitDecl(), this);
  // hasAncestor(forStmt()) in a comment is fine.
  Finder->addMatcher(
      cxxMemberCallExpr(hasAncestor(forStmt())).bind("loop"), this);
}

void WholeUnitCheck::check(const MatchFinder::MatchResult &Result) {
  auto Parents = Result.Context->getParents(*Node);
  auto Matches = match(stmt(isInTemplateInstantiation()), *Node, *Result.Context);
}
