package coach

// CountsNow exposes countsNow to the external tests.
var CountsNow = countsNow
