package enrich

// ContainsTerm exposes containsTerm to the tests.
var ContainsTerm = containsTerm
