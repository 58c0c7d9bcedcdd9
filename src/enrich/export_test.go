package enrich

// ContainsTerm exposes containsTerm to the tests.
var ContainsTerm = containsTerm

// TermsIn, RawTerms expose the one-pass term scan to the tests.
var (
	TermsIn  = termsIn
	RawTerms = rawTerms[:]
)

// IsTechniqueID exposes the ATT&CK id check to the tests.
var IsTechniqueID = isTechniqueID
